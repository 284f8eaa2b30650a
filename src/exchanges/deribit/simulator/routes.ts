// The Deribit methods the simulator serves, with Deribit's parameters, result shapes and codes.
// Authentication, rate limits and faults happen before, in the server; each private handler gets
// the principal and the params and checks the scope its method needs (13021 forbidden otherwise).
// TFA: create/edit/list are "TFA required" when the account has security keys for API key
// management; Deribit then answers a result with security_key_authorization_required instead.

import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { ScopeArea, ScopeLevel } from '../permissions.ts';
import { publicKeyFingerprint, readPublicKey } from '../signing.ts';
import type { Principal } from './auth.ts';
import { RPC, fail, ok, type RpcResult } from './envelope.ts';
import { allows, covers, levelsOf, readMaxScope } from './scope.ts';
import { addKey, keysOf, type Account, type SimKey } from './state.ts';

/** Inputs of one authenticated call. */
export interface CallContext {
  account: Account;
  principal: Principal;
  params: Readonly<Record<string, unknown>>;
  nowMs: number;
}

/** One private method. */
export interface PrivateMethod {
  /** The scope the caller's token must hold. */
  needs: { area: ScopeArea; level: ScopeLevel };
  /** Answers with security_key_authorization_required when the account has TFA on. */
  tfa: boolean;
  handle(ctx: CallContext): RpcResult;
}

/** Private methods by name. */
export const PRIVATE_METHODS: Readonly<Record<string, PrivateMethod>> = {
  'private/create_api_key': { needs: { area: 'account', level: 'read_write' }, tfa: true, handle: createApiKey },
  'private/edit_api_key': { needs: { area: 'account', level: 'read_write' }, tfa: true, handle: editApiKey },
  'private/remove_api_key': { needs: { area: 'account', level: 'read_write' }, tfa: false, handle: removeApiKey },
  'private/disable_api_key': { needs: { area: 'account', level: 'read_write' }, tfa: false, handle: (ctx) => setEnabled(ctx, false) },
  'private/enable_api_key': { needs: { area: 'account', level: 'read_write' }, tfa: false, handle: (ctx) => setEnabled(ctx, true) },
  'private/list_api_keys': { needs: { area: 'account', level: 'read' }, tfa: true, handle: listApiKeys },
  'private/get_account_summary': { needs: { area: 'account', level: 'read' }, tfa: false, handle: accountSummary },
};

/** Runs a private method: scope, then TFA, then the handler. */
export function callPrivate(method: PrivateMethod, ctx: CallContext): RpcResult {
  if (!allows(ctx.principal.scope, method.needs.area, method.needs.level)) {
    return fail(RPC.forbidden, `scope ${method.needs.area}:${method.needs.level} required`);
  }
  if (method.tfa && ctx.account.tfa) return securityKeyAnswer(ctx.params);
  return method.handle(ctx);
}

// "Security keys": without authorization_data the answer asks for it; exkey's simulator cannot
// check a TOTP, so any code it is sent is wrong (13668, reason tfa_code_not_matched).
function securityKeyAnswer(params: Readonly<Record<string, unknown>>): RpcResult {
  if (params.authorization_data !== undefined) return fail(RPC.tfaError, 'tfa_code_not_matched');
  return ok({
    security_key_authorization_required: true,
    rp_id: 'test.deribit.com',
    challenge: randomBytes(24).toString('base64'),
    security_keys: [{ type: 'tfa', name: 'tfa' }],
  });
}

// Key names: "only letters, numbers and underscores allowed; maximum length - 16 characters".
const NAME = /^[A-Za-z0-9_]{0,16}$/;

function createApiKey({ account, principal, params, nowMs }: CallContext): RpcResult {
  const scope = scopeParam(params.max_scope, principal);
  if (!scope.ok) return scope.refusal;
  const name = params.name ?? '';
  if (typeof name !== 'string' || !NAME.test(name)) return fail(RPC.invalidParams, 'name: letters, numbers and underscores, at most 16', 'name');
  const asymmetric = readAsymmetric(params.public_key);
  if (typeof asymmetric === 'string') return fail(RPC.invalidParams, asymmetric, 'public_key');
  const features = stringArray(params.enabled_features);
  if (features === undefined) return fail(RPC.invalidParams, 'enabled_features must be a list', 'enabled_features');
  const key = addKey(account, { accountId: principal.accountId, maxScope: scope.value, name, enabledFeatures: features, ...asymmetric }, nowMs);
  return ok(describeKey(key, true));
}

function editApiKey(ctx: CallContext): RpcResult {
  const target = targetKey(ctx);
  if (!target.ok) return target.refusal;
  const scope = scopeParam(ctx.params.max_scope, ctx.principal);
  if (!scope.ok) return scope.refusal;
  const changes = readEdit(ctx.params);
  if (!changes.ok) return changes.refusal;
  const key = target.value;
  Object.assign(key, changes.value, { maxScope: scope.value });
  return ok(describeKey(key, true));
}

// edit_api_key's optional fields, checked.
function readEdit(params: Readonly<Record<string, unknown>>): Checked<Partial<Pick<SimKey, 'name' | 'enabled' | 'ipWhitelist'>>> {
  const { name, enabled, ip_whitelist: ips } = params;
  const refuse = (reason: string, param: string): Checked<never> => ({ ok: false, refusal: fail(RPC.invalidParams, reason, param) });
  if (name !== undefined && (typeof name !== 'string' || !NAME.test(name))) return refuse('invalid name', 'name');
  if (enabled !== undefined && typeof enabled !== 'boolean') return refuse('enabled must be a boolean', 'enabled');
  const whitelist = ips === undefined ? undefined : ipList(ips);
  if (whitelist === null) return refuse('ip_whitelist must be a list of IP addresses', 'ip_whitelist');
  return {
    ok: true,
    value: { ...(typeof name === 'string' ? { name } : {}), ...(typeof enabled === 'boolean' ? { enabled } : {}), ...(whitelist ? { ipWhitelist: whitelist } : {}) },
  };
}

function removeApiKey(ctx: CallContext): RpcResult {
  const target = targetKey(ctx);
  if (!target.ok) return target.refusal;
  target.value.deleted = true;
  return ok('ok');
}

function setEnabled(ctx: CallContext, enabled: boolean): RpcResult {
  const target = targetKey(ctx);
  if (!target.ok) return target.refusal;
  target.value.enabled = enabled;
  return ok(describeKey(target.value, true));
}

// Client secrets are shown only for keys within the caller's own scope ("… or show client secrets
// in case of private/list_api_keys … up to the same level of the scopes"); others read as ''.
function listApiKeys({ account, principal }: CallContext): RpcResult {
  const callerLevels = levelsOf(principal.scope);
  return ok(keysOf(account, principal.accountId).map((k) => describeKey(k, covers(callerLevels, levelsOf(k.maxScope)))));
}

const CURRENCIES = new Set(['BTC', 'ETH', 'USDC', 'USDT', 'EURR', 'SOL', 'XRP', 'MATIC']);

function accountSummary({ account, principal, params }: CallContext): RpcResult {
  const currency = typeof params.currency === 'string' ? params.currency.toUpperCase() : '';
  if (!CURRENCIES.has(currency)) return fail(RPC.invalidParams, 'unknown currency', 'currency');
  return ok({
    currency, balance: 0, equity: 0, available_funds: 0, available_withdrawal_funds: 0, margin_balance: 0,
    initial_margin: 0, maintenance_margin: 0, session_upl: 0, session_rpl: 0, total_pl: 0, delta_total: 0,
    id: principal.accountId, type: principal.accountId === account.mainId ? 'main' : 'subaccount',
  });
}

/** A key as Deribit's key methods describe it; the secret only when `showSecret`. */
export function describeKey(key: SimKey, showSecret: boolean): Record<string, unknown> {
  const secret = key.fingerprint ?? (showSecret ? key.secret ?? '' : '');
  return {
    timestamp: key.createdAtMs,
    max_scope: key.maxScope,
    id: key.id,
    enabled: key.enabled,
    default: false,
    client_secret: secret,
    client_id: key.clientId,
    name: key.name,
    enabled_features: [...key.enabledFeatures],
    ip_whitelist: [...key.ipWhitelist],
    ...(key.publicKeyPem ? { public_key: key.publicKeyPem } : {}),
  };
}

type Checked<T> = { ok: true; value: T } | { ok: false; refusal: RpcResult };

// A scope the caller may grant: well formed, and within its own (13403 scope_exceeded otherwise).
function scopeParam(value: unknown, principal: Principal): Checked<string> {
  if (typeof value !== 'string') return { ok: false, refusal: fail(RPC.invalidParams, 'max_scope is required', 'max_scope') };
  const levels = readMaxScope(value);
  if (typeof levels === 'string') return { ok: false, refusal: fail(RPC.invalidParams, levels, 'max_scope') };
  if (!covers(levelsOf(principal.scope), levels)) return { ok: false, refusal: fail(RPC.scopeExceeded) };
  return { ok: true, value: value.trim().split(/\s+/).join(' ') };
}

// The key named by `id` in the caller's account, within the caller's scope. Deribit does not
// document the answer for an unknown id; the simulator says Invalid params on `id`.
function targetKey({ account, principal, params }: CallContext): Checked<SimKey> {
  const id = typeof params.id === 'number' ? params.id : typeof params.id === 'string' && /^\d+$/.test(params.id) ? Number(params.id) : NaN;
  const key = keysOf(account, principal.accountId).find((k) => k.id === id);
  if (!key) return { ok: false, refusal: fail(RPC.invalidParams, 'api key not found', 'id') };
  if (!covers(levelsOf(principal.scope), levelsOf(key.maxScope))) return { ok: false, refusal: fail(RPC.scopeExceeded) };
  return { ok: true, value: key };
}

// Ed25519, or RSA of at least 2048 bits ("Asymmetric API keys").
function readAsymmetric(value: unknown): Pick<SimKey, 'publicKeyPem' | 'publicKey' | 'fingerprint'> | string {
  if (value === undefined || value === '') return {};
  if (typeof value !== 'string') return 'public_key must be a PEM string';
  const key = readPublicKey(value);
  if (!key) return 'public_key is not a PEM encoded public key';
  const type = key.asymmetricKeyType;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (type !== 'ed25519' && !(type === 'rsa' && bits >= 2048)) return 'public_key must be Ed25519 or RSA (2048 bits or more)';
  return { publicKeyPem: value, publicKey: key, fingerprint: publicKeyFingerprint(key) };
}

// A list of single IP addresses; null when it is anything else.
function ipList(value: unknown): string[] | null {
  const list = stringArray(value);
  return list === undefined || list.some((ip) => isIP(ip) === 0) ? null : list;
}

function stringArray(value: unknown): string[] | undefined {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}
