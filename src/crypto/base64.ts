// Strict base64 (RFC 4648 section 4, standard alphabet, with padding). Node's decoder silently
// skips invalid characters and accepts the URL-safe alphabet; an envelope must have exactly one
// spelling so that every implementation accepts and rejects the same inputs.

const SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encodes bytes as standard padded base64. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes canonical standard padded base64, or returns undefined (bad alphabet, padding or trailing bits). */
export function fromBase64Strict(text: string): Buffer | undefined {
  if (!SHAPE.test(text)) {
    return undefined;
  }
  const bytes = Buffer.from(text, 'base64');
  // Re-encoding catches non-zero bits in the last character's unused low bits ("QQ==" vs "QR==").
  return bytes.toString('base64') === text ? bytes : undefined;
}
