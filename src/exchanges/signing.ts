// Signing primitives every venue shares. Venues differ only in what they concatenate and how the
// digest is encoded (Bybit and Binance: hex; OKX: base64; Deribit: hex over newline-joined parts),
// so adapters and simulators build their prehash parts and call these, over the exact wire bytes.

import { createHmac, timingSafeEqual } from 'node:crypto';

/** How a digest is written into a header or parameter. */
export type DigestEncoding = 'hex' | 'base64';

/** HMAC-SHA256 over the parts in order (no separator added), encoded as asked. */
export function hmacSha256(secret: string, parts: ReadonlyArray<string | Uint8Array>, encoding: DigestEncoding): string {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
}

/** True when two signature strings are byte-for-byte equal; the comparison time does not leak where they differ. */
export function constantTimeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Serialises parameters in insertion order, URI-encoding names and values and skipping undefined. */
export function encodeQuery(params: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
}
