// Everything a running Deribit simulator holds (user, faults, credit limiter, recent requests) and
// the control surface tests and the admin API use. Views never include secrets.

import type { Clock } from '../../../runtime/clock.ts';
import type { AdminControls } from '../../simulator-kit/admin.ts';
import { createSimCore, type SimControls, type SimCore } from '../../simulator-kit/core.ts';
import { extraAdmin, parseKeyPatch } from './admin.ts';
import { DEFAULT_FAULT_PREFIX, RPC_ERROR_FAULT, type RpcErrorFault } from './faults.ts';
import { deribitRateLimits } from './rate-limit.ts';
import { createAccount, type Account, type AccountInit, type SimKey } from './state.ts';

/** One request as the simulator answered it (for assertions, never with secrets). */
export interface RequestRecord {
  at: string;
  httpMethod: string;
  path: string;
  /** The JSON-RPC method ("private/create_api_key"), '' when unreadable. */
  method: string;
  /** The calling key's client id when known ('' otherwise). */
  clientId: string;
  /** 0 when the connection was held (timeout fault). */
  httpStatus: number;
  /** The RPC error code, when the answer was an error. */
  code?: number;
  /** "<kind>#<id>" of the fault that answered, if any. */
  fault?: string;
}

/** A key's state for the admin API and tests: everything but the secret. */
export interface SimKeyView {
  id: number;
  client_id: string;
  account_id: number;
  max_scope: string;
  name: string;
  enabled: boolean;
  ip_whitelist: string[];
  public_key: string | null;
  /** True for keys registered by public key only (the simulator holds no secret for them). */
  asymmetric: boolean;
  created_at: string;
  deleted: boolean;
}

/** Changes the admin API may make to a key behind exkey's back (drift tests). */
export interface KeyPatch {
  maxScope?: string;
  ipWhitelist?: string[];
  name?: string;
  enabled?: boolean;
}

/** The control surface: the kit's (faults, rate limits, history, reset) plus keys and TFA. */
export interface DeribitSimulatorState extends SimControls<RpcErrorFault, Omit<RequestRecord, 'at'>> {
  /** Every key ever created, removed ones included, without secrets. */
  listKeys(): SimKeyView[];
  /** The newest key with this client id. */
  getKey(clientId: string): SimKeyView | undefined;
  patchKey(clientId: string, patch: KeyPatch): SimKeyView | undefined;
  /** Turns security-key (TFA) confirmation for API key management on or off. */
  setTfa(enabled: boolean): void;
}

/** What the server and admin API need besides the public surface. */
export interface SimulatorInternals {
  state: DeribitSimulatorState;
  clock: Clock;
  core: SimCore<RpcErrorFault, Omit<RequestRecord, 'at'>>;
  admin: AdminControls<RpcErrorFault>;
  account(): Account;
}

/** Settings that are not part of the user. */
export interface SimulatorSettings {
  clock: Clock;
  rateLimits: boolean;
  random?: () => number;
}

/** Creates the simulator's state. */
export function createSimulatorState(init: AccountInit, settings: SimulatorSettings): SimulatorInternals {
  const { clock } = settings;
  let account = createAccount(init, clock.nowMs());
  const core = createSimCore<RpcErrorFault, Omit<RequestRecord, 'at'>>({
    clock,
    venueFault: RPC_ERROR_FAULT,
    defaultPathPrefix: DEFAULT_FAULT_PREFIX,
    rateLimits: deribitRateLimits(settings.rateLimits),
    ...(settings.random ? { random: settings.random } : {}),
  });
  const newest = (clientId: string): SimKey | undefined => account.keys.filter((k) => k.clientId === clientId).at(-1);
  const find = (clientId: string): SimKeyView | undefined => {
    const key = newest(clientId);
    return key ? viewKey(key) : undefined;
  };
  const patch = (clientId: string, keyPatch: KeyPatch): SimKeyView | undefined => {
    const key = newest(clientId);
    if (!key || key.deleted) return undefined;
    applyPatch(key, keyPatch);
    return viewKey(key);
  };
  const setTfa = (enabled: boolean): void => { account.tfa = enabled; };
  const controls = core.controls(() => { account = createAccount(init, clock.nowMs()); });
  const state: DeribitSimulatorState = { ...controls, listKeys: () => account.keys.map(viewKey), getKey: find, patchKey: patch, setTfa };
  const admin: AdminControls<RpcErrorFault> = {
    ...core.adminControls({ list: () => account.keys.map(viewKey), get: find, patch: (id, body) => patch(id, parseKeyPatch(body)) }, controls),
    extra: (req) => extraAdmin(setTfa, req),
  };
  return { state, clock, core, admin, account: () => account };
}

function applyPatch(key: SimKey, patch: KeyPatch): void {
  if (patch.maxScope !== undefined) key.maxScope = patch.maxScope;
  if (patch.ipWhitelist !== undefined) key.ipWhitelist = [...patch.ipWhitelist];
  if (patch.name !== undefined) key.name = patch.name;
  if (patch.enabled !== undefined) key.enabled = patch.enabled;
}

/** The key's state without its secret. */
export function viewKey(key: SimKey): SimKeyView {
  return {
    id: key.id,
    client_id: key.clientId,
    account_id: key.accountId,
    max_scope: key.maxScope,
    name: key.name,
    enabled: key.enabled,
    ip_whitelist: [...key.ipWhitelist],
    public_key: key.publicKeyPem ?? null,
    asymmetric: key.publicKey !== undefined,
    created_at: new Date(key.createdAtMs).toISOString(),
    deleted: key.deleted,
  };
}
