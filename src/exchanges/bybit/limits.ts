// Bybit's published per-UID limits on the key-management endpoints (requests per second): the
// simulator enforces them and the adapter paces its own calls to them.

/** Limited endpoints and their requests per second per UID. */
export const BYBIT_RATE_LIMITS: Readonly<Record<string, number>> = {
  '/v5/user/create-sub-api': 1,
  '/v5/user/update-sub-api': 5,
  '/v5/user/delete-sub-api': 5,
  '/v5/user/query-api': 10,
};

/** The window of BYBIT_RATE_LIMITS. */
export const BYBIT_RATE_WINDOW_MS = 1000;
