// config/argocd/exchangekey-health.lua, run by a real Lua 5.3 interpreter as Argo CD runs it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHealthScript, type Json } from '../../support/lua.ts';

const SCRIPT = readFileSync(join(import.meta.dirname, '../../../config/argocd/exchangekey-health.lua'), 'utf8');

const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, observedGeneration: 2 });
const READY = condition('Ready', 'True', 'Issued', 'key version 3 validated at 2026-11-22T10:00:00Z');

function key(status: { [field: string]: Json } | undefined, generation = 2): Json {
  return { apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey', metadata: { name: 'mm', namespace: 'trading', generation }, spec: { exchange: 'bybit' }, ...(status ? { status } : {}) };
}

describe('the Argo CD health check for ExchangeKey', () => {
  it.each([
    { when: 'exkey has not reconciled it yet', obj: key(undefined), status: 'Progressing', message: 'Waiting for exkey to reconcile the key' },
    { when: 'the key is Ready and nothing is happening', obj: key({ observedGeneration: 2, currentVersion: 3, conditions: [READY] }), status: 'Healthy', message: 'Issued: key version 3 validated' },
    { when: 'a rotation is in progress', obj: key({ observedGeneration: 2, conditions: [READY, condition('Rotating', 'True', 'Manual', 'x')], rotation: { phase: 'Overlap', version: 4, reason: 'Manual' } }), status: 'Progressing', message: 'Rotating (Manual): Overlap version 4' },
    { when: 'a rotation failed while the old key still works', obj: key({ observedGeneration: 2, conditions: [READY, condition('Degraded', 'True', 'RolloutFailed', 'deploy/mm did not roll out')], rotation: { phase: 'RollingOut', version: 4, reason: 'Scheduled' } }), status: 'Degraded', message: 'RolloutFailed: deploy/mm did not roll out' },
    { when: 'the key cannot be issued', obj: key({ observedGeneration: 2, conditions: [condition('Ready', 'False', 'MasterCredentialsNotFound', 'Secret "m" not found')] }), status: 'Degraded', message: 'MasterCredentialsNotFound: Secret "m" not found' },
    { when: 'the first key is being issued', obj: key({ observedGeneration: 2, conditions: [condition('Ready', 'False', 'Issuing', 'registering key version 1')], rotation: { phase: 'Registering', version: 1, reason: 'Initial' } }), status: 'Progressing', message: 'Rotating (Initial): Registering version 1' },
    { when: 'a manual venue waits for a human', obj: key({ observedGeneration: 2, conditions: [condition('Ready', 'False', 'AwaitingHuman', 'create a key at kraken')] }), status: 'Progressing', message: 'AwaitingHuman: create a key at kraken' },
    { when: 'exkey has not seen the latest spec', obj: key({ observedGeneration: 1, conditions: [READY] }, 2), status: 'Progressing', message: 'exkey has not yet acted on the latest spec' },
  ])('should be $status when $when', ({ obj, status, message }) => {
    const health = runHealthScript(SCRIPT, obj);
    expect(health.status).toBe(status);
    expect(health.message).toContain(message);
  });
});
