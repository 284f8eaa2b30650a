package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// vector mirrors the test vector file format (spec section 12).
type vector struct {
	Description   string `json:"description"`
	MasterKeyRing struct {
		CurrentID string            `json:"currentId"`
		Keys      map[string]string `json:"keys"`
	} `json:"masterKeyRing"`
	ExpectedContext Context `json:"expectedContext"`
	Envelope        string  `json:"envelope"`
	Expect          struct {
		Outcome   string `json:"outcome"`
		Plaintext string `json:"plaintext"`
		Error     string `json:"error"`
	} `json:"expect"`
	Seal *struct {
		Context     Context `json:"context"`
		MasterKeyID string  `json:"masterKeyId"`
	} `json:"seal"`
	Intermediate *struct {
		LocalWrapAAD string `json:"localWrapAad"`
		EnvelopeAAD  string `json:"envelopeAad"`
	} `json:"intermediate"`
}

// check runs one vector and returns why it disagrees with the expectation, or "".
func check(v *vector) string {
	ring := map[string][]byte{}
	for id, k := range v.MasterKeyRing.Keys {
		key, err := base64.StdEncoding.DecodeString(k)
		if err != nil {
			return "bad master key in vector"
		}
		ring[id] = key
	}
	if problem := checkIntermediate(v); problem != "" {
		return problem
	}
	plaintext, err := Open([]byte(v.Envelope), v.ExpectedContext, ring)
	switch v.Expect.Outcome {
	case "open":
		if err != nil {
			return "expected to open, got " + err.Error()
		}
		want, _ := base64.StdEncoding.DecodeString(v.Expect.Plaintext)
		if !bytes.Equal(plaintext, want) {
			return "opened to the wrong plaintext"
		}
	case "fail":
		var openErr *OpenError
		if !errors.As(err, &openErr) {
			return "expected " + v.Expect.Error + ", but it opened"
		}
		if openErr.Kind != v.Expect.Error {
			return "expected " + v.Expect.Error + ", got " + openErr.Error()
		}
	default:
		return "unknown outcome " + v.Expect.Outcome
	}
	return ""
}

func checkIntermediate(v *vector) string {
	if v.Intermediate == nil || v.Seal == nil {
		return ""
	}
	if got := hex.EncodeToString(LocalWrapAAD(v.Seal.Context, v.Seal.MasterKeyID)); got != v.Intermediate.LocalWrapAAD {
		return "local wrap AAD differs: " + got
	}
	var fields struct {
		Provider   string `json:"provider"`
		KeyRef     string `json:"keyRef"`
		WrappedKey string `json:"wrappedKey"`
	}
	if err := json.Unmarshal([]byte(v.Envelope), &fields); err != nil {
		return "positive envelope is not JSON"
	}
	wrapped, _ := base64.StdEncoding.DecodeString(fields.WrappedKey)
	if got := hex.EncodeToString(EnvelopeAAD(v.Seal.Context, fields.Provider, fields.KeyRef, wrapped)); got != v.Intermediate.EnvelopeAAD {
		return "envelope AAD differs: " + got
	}
	return ""
}

func main() {
	dir := "../../vectors/envelope-v1"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		fmt.Fprintf(os.Stderr, "no vectors found in %s\n", dir)
		os.Exit(2)
	}
	sort.Strings(files)
	failed, positive, negative := 0, 0, 0
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		data, err := os.ReadFile(file)
		var v vector
		if err == nil {
			err = json.Unmarshal(data, &v)
		}
		problem := ""
		if err != nil {
			problem = "cannot read vector: " + err.Error()
		} else {
			problem = check(&v)
		}
		if v.Expect.Outcome == "open" {
			positive++
		} else {
			negative++
		}
		if problem != "" {
			failed++
			fmt.Printf("FAIL %s: %s\n", name, problem)
		} else {
			fmt.Printf("ok   %s\n", name)
		}
	}
	fmt.Printf("go: %d vectors (%d positive, %d negative), %d failed\n", len(files), positive, negative, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
