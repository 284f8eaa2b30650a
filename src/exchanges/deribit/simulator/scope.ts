// Scope arithmetic the simulator needs: is a scope string well formed, does a caller's scope
// cover a method's requirement or a key it manages ("up to the same level of the scopes as calling
// set from access token", else 13403), and how public/auth narrows a key's scope.

import { SCOPE_AREAS, parseScope, type ScopeArea, type ScopeLevel } from '../permissions.ts';

const LEVELS: readonly ScopeLevel[] = ['none', 'read', 'read_write'];

/** Area → level; areas not named are 'none' ("If scope is not provided, its value is set as none"). */
export type ScopeLevels = Map<ScopeArea, ScopeLevel>;

/** Parses a max_scope; a message naming the bad entry when Deribit would refuse it. */
export function readMaxScope(scope: string): ScopeLevels | string {
  const levels: ScopeLevels = new Map();
  const words = scope.split(/\s+/).filter((w) => w !== '');
  for (const word of words) {
    const [area, level, extra] = word.split(':');
    if (extra !== undefined || !isArea(area) || !isLevel(level)) return `invalid scope entry "${word}"`;
    levels.set(area, level);
  }
  return levels;
}

/** The grants of any scope string (token words other than area grants are skipped). */
export function levelsOf(scope: string): ScopeLevels {
  const levels: ScopeLevels = new Map();
  for (const { area, level } of parseScope(scope)) if (isArea(area) && isLevel(level)) levels.set(area, level);
  return levels;
}

/** True when `caller` holds at least `wanted` in every area `wanted` names. */
export function covers(caller: ScopeLevels, wanted: ScopeLevels): boolean {
  return [...wanted].every(([area, level]) => rank(caller.get(area) ?? 'none') >= rank(level));
}

/** True when the scope grants `area` at `level` or more. */
export function allows(scope: string, area: ScopeArea, level: ScopeLevel): boolean {
  return rank(levelsOf(scope).get(area) ?? 'none') >= rank(level);
}

/**
 * The scope a token gets: the key's max_scope, narrowed by what public/auth asked for (areas only
 * go down, never up). With client_credentials Deribit may narrow wallet:read_write to wallet:read
 * (its "Access scope" notice); the simulator does, so managing keys should sign instead.
 */
export function tokenScope(maxScope: string, requested: string | undefined, grant: string, mainAccount: boolean): string {
  const levels = levelsOf(maxScope);
  if (requested !== undefined) {
    for (const [area, level] of levelsOf(requested)) {
      if (rank(level) < rank(levels.get(area) ?? 'none')) levels.set(area, level);
    }
  }
  if (grant === 'client_credentials' && levels.get('wallet') === 'read_write') levels.set('wallet', 'read');
  return formatScope(levels, mainAccount);
}

/** "connection [mainaccount] area:level …" as public/auth reports it. */
export function formatScope(levels: ScopeLevels, mainAccount: boolean): string {
  const grants = SCOPE_AREAS.filter((a) => levels.has(a)).map((a) => `${a}:${levels.get(a) ?? 'none'}`);
  return ['connection', ...(mainAccount ? ['mainaccount'] : []), ...grants].join(' ');
}

function isArea(value: string | undefined): value is ScopeArea {
  return (SCOPE_AREAS as readonly string[]).includes(value ?? '');
}

function isLevel(value: string | undefined): value is ScopeLevel {
  return (LEVELS as readonly string[]).includes(value ?? '');
}

function rank(level: ScopeLevel): number {
  return LEVELS.indexOf(level);
}
