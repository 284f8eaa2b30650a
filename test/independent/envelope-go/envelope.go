// An independent implementation of "open" for exkey envelope v1, written from
// docs/envelope-format.md with the Go standard library only. It shares no code with the
// TypeScript implementation; agreeing on every test vector is evidence that the spec is complete.
package main

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Context is what an envelope belongs to (spec section 2).
type Context struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Version   uint32 `json:"version"`
}

// OpenError carries one of the spec's error kinds (section 9).
type OpenError struct {
	Kind    string
	Message string
}

func (e *OpenError) Error() string { return e.Kind + ": " + e.Message }

func fail(kind, format string, args ...any) error {
	return &OpenError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

var (
	labelRe     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	subdomainRe = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	providerRe  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)
	keyRefRe    = regexp.MustCompile(`^[\x21-\x7e]+$`) // and at most 2048 bytes, checked in fields()
	keyIDRe     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)
	fieldNames  = []string{"v", "alg", "provider", "keyRef", "ns", "name", "version", "wrappedKey", "iv", "ct", "tag"}
)

type envelope struct {
	provider, keyRef        string
	ctx                     Context
	wrappedKey, iv, ct, tag []byte
}

func validContext(c Context) bool {
	return len(c.Namespace) <= 63 && labelRe.MatchString(c.Namespace) &&
		len(c.Name) <= 253 && subdomainRe.MatchString(c.Name) && c.Version >= 1
}

// b64 decodes strict, canonical, padded standard base64 (section 3). Go's Strict decoder still
// skips \r and \n, so the input is re-encoded and compared.
func b64(v any, field string, min, max int) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fail("malformed", "%s is not a string", field)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || base64.StdEncoding.EncodeToString(b) != s {
		return nil, fail("malformed", "%s is not canonical base64", field)
	}
	if len(b) < min || len(b) > max {
		return nil, fail("malformed", "%s has %d bytes", field, len(b))
	}
	return b, nil
}

// integer accepts a JSON number that is a plain decimal integer in [min, max].
func integer(v any, min, max uint64) (uint64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	u, err := strconv.ParseUint(n.String(), 10, 64)
	return u, err == nil && u >= min && u <= max
}

func text(v any, re *regexp.Regexp) (string, bool) {
	s, ok := v.(string)
	return s, ok && re.MatchString(s)
}

func parse(serialized []byte) (*envelope, error) {
	// json.Valid rejects trailing data; Go's decoder would silently replace invalid UTF-8.
	if !utf8.Valid(serialized) || !json.Valid(serialized) {
		return nil, fail("malformed", "not UTF-8 JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(serialized))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, fail("malformed", "not JSON")
	}
	raw, ok := top.(map[string]any)
	if !ok {
		return nil, fail("malformed", "not a JSON object")
	}
	// v first: a future version may have other fields (section 3).
	vRaw, present := raw["v"]
	vNum, isNum := vRaw.(json.Number)
	if !present || !isNum {
		return nil, fail("malformed", "v is not an integer")
	}
	if vNum.String() != "1" {
		if _, err := strconv.ParseInt(vNum.String(), 10, 64); err != nil {
			return nil, fail("malformed", "v is not an integer")
		}
		return nil, fail("unsupported-version", "format version %s", vNum.String())
	}
	if len(raw) != len(fieldNames) {
		return nil, fail("malformed", "wrong field count %d", len(raw))
	}
	for _, f := range fieldNames {
		if _, ok := raw[f]; !ok {
			return nil, fail("malformed", "missing field %s", f)
		}
	}
	if raw["alg"] != "A256GCM" {
		return nil, fail("malformed", "alg is not A256GCM")
	}
	return fields(raw)
}

func fields(raw map[string]any) (*envelope, error) {
	e := &envelope{}
	var ok bool
	if e.provider, ok = text(raw["provider"], providerRe); !ok {
		return nil, fail("malformed", "bad provider")
	}
	if e.keyRef, ok = text(raw["keyRef"], keyRefRe); !ok || len(e.keyRef) > 2048 {
		return nil, fail("malformed", "bad keyRef")
	}
	ns, nsOK := raw["ns"].(string)
	name, nameOK := raw["name"].(string)
	version, versionOK := integer(raw["version"], 1, 0xffffffff)
	e.ctx = Context{Namespace: ns, Name: name, Version: uint32(version)}
	if !nsOK || !nameOK || !versionOK || !validContext(e.ctx) {
		return nil, fail("malformed", "bad context fields")
	}
	var err error
	if e.wrappedKey, err = b64(raw["wrappedKey"], "wrappedKey", 1, 4096); err != nil {
		return nil, err
	}
	if e.iv, err = b64(raw["iv"], "iv", 12, 12); err != nil {
		return nil, err
	}
	if e.ct, err = b64(raw["ct"], "ct", 0, 1<<31); err != nil {
		return nil, err
	}
	if e.tag, err = b64(raw["tag"], "tag", 16, 16); err != nil {
		return nil, err
	}
	return e, nil
}

// aadBuilder implements the two primitives of section 5.
type aadBuilder struct{ buf bytes.Buffer }

func (a *aadBuilder) u32(n uint32) *aadBuilder {
	a.buf.Write(binary.BigEndian.AppendUint32(nil, n))
	return a
}

func (a *aadBuilder) lp(b []byte) *aadBuilder {
	a.u32(uint32(len(b)))
	a.buf.Write(b)
	return a
}

func (a *aadBuilder) lps(s string) *aadBuilder { return a.lp([]byte(s)) }

// EnvelopeAAD is section 5.1.
func EnvelopeAAD(c Context, provider, keyRef string, wrappedKey []byte) []byte {
	a := &aadBuilder{}
	a.lps("exkey.io/envelope").u32(1).lps("A256GCM").lps(c.Namespace).lps(c.Name).u32(c.Version).
		lps(provider).lps(keyRef).lp(wrappedKey)
	return a.buf.Bytes()
}

// LocalWrapAAD is section 5.2.
func LocalWrapAAD(c Context, masterKeyID string) []byte {
	a := &aadBuilder{}
	a.lps("exkey.io/local-wrap").u32(1).lps(c.Namespace).lps(c.Name).u32(c.Version).lps(masterKeyID)
	return a.buf.Bytes()
}

func gcmOpen(key, iv, ct, tag, aad []byte) ([]byte, bool) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	aead, err := cipher.NewGCM(block) // 12-byte nonce, 16-byte tag
	if err != nil {
		return nil, false
	}
	sealed := append(append([]byte{}, ct...), tag...)
	out, err := aead.Open(nil, iv, sealed, aad)
	return out, err == nil
}

// localUnwrap is section 6.1.
func localUnwrap(ring map[string][]byte, wrappedKey []byte, keyRef string, c Context) ([]byte, error) {
	id, hasPrefix := strings.CutPrefix(keyRef, "local:")
	if !hasPrefix || !keyIDRe.MatchString(id) {
		return nil, fail("malformed", "keyRef is not local:<id>")
	}
	master, ok := ring[id]
	if !ok {
		return nil, fail("unknown-key", "master key %s not in ring", id)
	}
	if len(wrappedKey) != 60 {
		return nil, fail("malformed", "wrapped key has %d bytes", len(wrappedKey))
	}
	dataKey, ok := gcmOpen(master, wrappedKey[:12], wrappedKey[12:44], wrappedKey[44:], LocalWrapAAD(c, id))
	if !ok {
		return nil, fail("tampered", "wrapped key did not authenticate")
	}
	return dataKey, nil
}

// Open is section 8, with the local provider as the only configured provider.
func Open(serialized []byte, expected Context, ring map[string][]byte) ([]byte, error) {
	e, err := parse(serialized)
	if err != nil {
		return nil, err
	}
	if e.ctx != expected {
		return nil, fail("context-mismatch", "envelope belongs to %s/%s v%d", e.ctx.Namespace, e.ctx.Name, e.ctx.Version)
	}
	if e.provider != "local" {
		return nil, fail("unknown-key", "provider %s not configured", e.provider)
	}
	dataKey, err := localUnwrap(ring, e.wrappedKey, e.keyRef, expected)
	if err != nil {
		return nil, err
	}
	defer clear(dataKey)
	plaintext, ok := gcmOpen(dataKey, e.iv, e.ct, e.tag, EnvelopeAAD(expected, e.provider, e.keyRef, e.wrappedKey))
	if !ok {
		return nil, fail("tampered", "ciphertext did not authenticate")
	}
	return plaintext, nil
}
