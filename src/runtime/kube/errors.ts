// Kubernetes API failures as one typed error, so callers branch on `reason` instead of parsing
// messages, and the work queue knows what is worth retrying.

/** The Status object the API server sends with a failure. */
export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { field?: string; message?: string; reason?: string }[] };
}

/** A failed Kubernetes API call. */
export class KubeApiError extends Error {
  readonly statusCode: number;
  /** Kubernetes StatusReason: NotFound, AlreadyExists, Conflict, Invalid, Forbidden, ... */
  readonly reason: string;
  readonly status: ApiStatus | undefined;

  constructor(statusCode: number, status: ApiStatus | undefined, context: string) {
    const reason = status?.reason ?? (statusCode === 0 ? 'ConnectionError' : `HTTP${statusCode}`);
    super(`${context}: ${status?.message ?? reason}`);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
    this.status = status;
  }

  /** True for failures that may succeed on retry (conflicts, throttling, server and network errors). */
  get retryable(): boolean {
    return this.statusCode === 0 || this.statusCode === 409 || this.statusCode === 429 || this.statusCode >= 500;
  }
}

/** True when `err` is a 404 from the API server. */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 404;
}

/** True when `err` is an optimistic-concurrency conflict (stale resourceVersion). */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 409 && err.reason === 'Conflict';
}

/** True when a create failed because the object exists. */
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 409 && err.reason === 'AlreadyExists';
}
