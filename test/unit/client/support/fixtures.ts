// Builders for consumer-side tests: Secret data exactly as the operator writes it (encodeMaterial
// with the real sealEnvelope and a local ring), kubelet-like volumes, and a recorder for callbacks.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { ChangeEvent, ErrorEvent, ExchangeKeyError, OpenExchangeKeyOptions, RotateEvent } from '../../../../src/client/index.ts';
import type { KeyMaterial } from '../../../../src/controllers/exchangekey/material.ts';
import { createLocalProvider, newMasterKeyRing, sealEnvelope, type MasterKeyRing } from '../../../../src/crypto/index.ts';

export const NS = 'trading';
export const NAME = 'bybit-mm-key';

/** Key material for `version`; the secrets are distinctive so leak checks can look for them. */
export function material(version: number, extra: Partial<KeyMaterial> = {}): KeyMaterial {
  return {
    version,
    exchange: 'bybit',
    apiKey: `XKTESTKEY${String(version).padStart(4, '0')}`,
    apiSecret: `test-only-secret-v${version}-0f3c9a7d41e2`,
    createdAt: '2026-01-05T12:00:00Z',
    ...extra,
  };
}

/** A fresh one-key ring. */
export function ring(): MasterKeyRing {
  return newMasterKeyRing();
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * Secret `data` (base64) as the operator publishes `m` with the local provider over `keys`
 * (docs/secret-format.md: `envelope` + `version`), sealed with the real sealEnvelope.
 */
export async function sealed(m: KeyMaterial, keys: MasterKeyRing, where: { namespace?: string; name?: string; version?: number } = {}): Promise<Record<string, string>> {
  const version = where.version ?? m.version;
  const context = { namespace: where.namespace ?? NS, name: where.name ?? NAME, version };
  const envelope = await sealEnvelope(Buffer.from(JSON.stringify(m)), context, createLocalProvider(keys));
  return { version: b64(String(version)), envelope: b64(envelope) };
}

/** Secret `data` (base64) as the operator publishes `m` with encryption none. */
export function plain(m: KeyMaterial): Promise<Record<string, string>> {
  const data: Record<string, string> = { version: b64(String(m.version)), apiKey: b64(m.apiKey) };
  for (const field of ['apiSecret', 'passphrase', 'privateKey'] as const) {
    const value = m[field];
    if (value !== undefined) data[field] = b64(value);
  }
  return Promise.resolve(data);
}

/** The data of a Secret during an overlap: `current` plus every entry of `outgoing` under previous.*. */
export function overlap(current: Record<string, string>, outgoing: Record<string, string>): Record<string, string> {
  return { ...current, ...Object.fromEntries(Object.entries(outgoing).map(([key, value]) => [`previous.${key}`, value])) };
}

/** Replaces one base64 data entry with `text`. */
export function withEntry(data: Record<string, string>, key: string, text: string): Record<string, string> {
  return { ...data, [key]: Buffer.from(text).toString('base64') };
}

/** Flips a bit of the envelope's ciphertext. */
export function tamper(data: Record<string, string>, key = 'envelope'): Record<string, string> {
  const fields = JSON.parse(Buffer.from(data[key]!, 'base64').toString('utf8'));
  const ct = Buffer.from(fields.ct, 'base64');
  ct[0]! ^= 1;
  fields.ct = ct.toString('base64');
  return withEntry(data, key, JSON.stringify(fields));
}

/** A temp directory removed by the returned cleanup. */
export async function tempDir(prefix = 'exkey-client-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Records the handle's callbacks and waits for them. */
export class Recorder {
  readonly rotations: RotateEvent[] = [];
  readonly changes: ChangeEvent[] = [];
  readonly errors: { error: ExchangeKeyError; event: ErrorEvent }[] = [];

  readonly callbacks: Pick<OpenExchangeKeyOptions, 'onRotate' | 'onChange' | 'onError'> = {
    onRotate: (event) => { this.rotations.push(event); },
    onChange: (event) => { this.changes.push(event); },
    onError: (error, event) => { this.errors.push({ error, event }); },
  };

  /** Waits until `count` errors were reported. */
  async errorCount(count: number): Promise<void> {
    await vi.waitFor(() => { if (this.errors.length < count) throw new Error(`${this.errors.length} errors so far`); }, { timeout: 5_000, interval: 10 });
  }

  /** Waits until `count` changes were reported. */
  async changeCount(count: number): Promise<void> {
    await vi.waitFor(() => { if (this.changes.length < count) throw new Error(`${this.changes.length} changes so far`); }, { timeout: 5_000, interval: 10 });
  }
}

/** Every spelling of a secret that must not show up in messages or logs. */
export function secretStrings(...materials: KeyMaterial[]): string[] {
  return materials.flatMap((m) => [m.apiSecret, m.passphrase, m.privateKey, m.apiKey].filter((s): s is string => Boolean(s)))
    .flatMap((s) => [s, Buffer.from(s).toString('base64')]);
}

/** Base64 of every master key in `keys`. */
export function masterKeyStrings(keys: MasterKeyRing): string[] {
  return [...keys.keys.values()].flatMap((k) => [k.toString('base64'), k.toString('hex')]);
}
