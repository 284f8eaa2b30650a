// Narrowing helpers for parsed JSON, shared by adapters (reading venue answers) and simulators
// (reading request bodies).

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses bytes as a JSON object; undefined when they are not JSON or not an object. Empty means {}. */
export function parseJsonObject(raw: Uint8Array): Record<string, unknown> | undefined {
  if (raw.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw).toString('utf8'));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
