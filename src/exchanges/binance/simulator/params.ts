// Readers for Binance request parameters (form-encoded strings). Each returns the value or the
// SimFailure Binance answers with when it is missing or malformed.

import { isIP } from 'node:net';
import { invalid, missing, type SimFailure } from './envelope.ts';

/** A parameter's value or Binance's refusal. */
export type Read<T> = { value: T } | { failure: SimFailure };

/** A mandatory non-empty string parameter. */
export function requiredString(params: URLSearchParams, name: string): Read<string> {
  const value = params.get(name);
  return value === null || value.trim() === '' ? { failure: missing(name) } : { value };
}

/** An optional BOOLEAN parameter ("true"/"false"); `fallback` when absent. */
export function optionalBoolean(params: URLSearchParams, name: string, fallback: boolean): Read<boolean> {
  const value = params.get(name);
  if (value === null) return { value: fallback };
  if (value !== 'true' && value !== 'false') return { failure: invalid(name) };
  return { value: value === 'true' };
}

/** An optional positive integer parameter within [1, max]; `fallback` when absent. */
export function optionalInt(params: URLSearchParams, name: string, fallback: number, max: number): Read<number> {
  const value = params.get(name);
  if (value === null) return { value: fallback };
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) return { failure: invalid(name) };
  return { value: n };
}

/** Binance's "IP address list, max 500 chars": comma-separated single addresses. */
export function ipList(params: URLSearchParams, name: string): Read<string[] | undefined> {
  const value = params.get(name);
  if (value === null || value.trim() === '') return { value: undefined };
  if (value.length > 500) return { failure: invalid(name, 'At most 500 characters.') };
  const ips = value.split(',').map((ip) => ip.trim());
  const bad = ips.find((ip) => isIP(ip) === 0);
  return bad === undefined ? { value: ips } : { failure: invalid(name, `"${bad}" is not an IP address.`) };
}

/** True when a Read failed (narrows to the failure). */
export function failed<T>(read: Read<T>): read is { failure: SimFailure } {
  return 'failure' in read;
}
