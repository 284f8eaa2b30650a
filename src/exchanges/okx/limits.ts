// OKX's published per-User-ID limits on the endpoints exkey calls: the simulator enforces them and
// the adapter paces its own calls to them. Sources: OKX API v5 docs, "Sub-account" (create, reset
// and delete the API key of a sub-account: 1 request per second; query it: 20 requests per 2
// seconds) and "Trading Account → Get account configuration" (5 requests per 2 seconds).
import type { EndpointLimit } from '../simulator-kit/rate-limit.ts';

/** Limited endpoints ("METHOD path") and their limits per User ID (plain numbers: per second). */
export const OKX_RATE_LIMITS: Readonly<Record<string, number | EndpointLimit>> = {
  'POST /api/v5/users/subaccount/apikey': 1,
  'POST /api/v5/users/subaccount/modify-apikey': 1,
  'POST /api/v5/users/subaccount/delete-apikey': 1,
  'GET /api/v5/users/subaccount/apikey': { limit: 20, windowMs: 2000 },
  'GET /api/v5/account/config': { limit: 5, windowMs: 2000 },
};

/** The window of limits given as plain numbers. */
export const OKX_RATE_WINDOW_MS = 1000;
