// Readers for the JSON the control API and CLI accept. Each throws an Error whose message names
// the field, which the admin handler returns as a 400.

/** Parses an admin body; empty means {}; throws when it is not JSON. */
export function jsonBody(raw: Uint8Array): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    throw new Error('body is not JSON');
  }
}

/** One property of a parsed object; undefined when absent or when `value` is not an object. */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** `{[name]: v}` when the property is present with the right type, `{}` when absent; throws otherwise. */
export function optionalField(value: unknown, name: string, type: 'string' | 'number'): Record<string, string | number> {
  const v = field(value, name);
  if (v === undefined) return {};
  if (typeof v !== type) throw new Error(`${name} must be a ${type}`);
  return { [name]: v as string | number };
}

/** A required number property; throws when missing or not a number. */
export function requireNumber(value: unknown, name: string): number {
  const v = field(value, name);
  if (typeof v !== 'number') throw new Error(`${name} must be a number`);
  return v;
}

/** A list of strings; throws naming `name` otherwise. */
export function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${name} must be a list of strings`);
  return value;
}
