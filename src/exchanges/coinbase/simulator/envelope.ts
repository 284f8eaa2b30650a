// Coinbase's answers as the simulator emits them. A refused JWT gets a bare "401 Unauthorized"
// text body, as Coinbase's gateway answers (seen in client reports: "API Response Text:
// Unauthorized"). Other errors use the grpc-gateway shape of the Advanced Trade OpenAPI
// (`{error, error_details, message}`); the exact strings for 404 and 429 are the simulator's.

import type { SimAnswer } from '../../simulator-kit/fault-response.ts';

/** The answer to a refused token. */
export const UNAUTHORIZED: SimAnswer = { status: 401, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Unauthorized\n' };

/** A JSON answer. */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): SimAnswer {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** A Coinbase error answer (401 is always the bare text). */
export function errorAnswer(status: number, error: string, message: string, headers: Record<string, string> = {}): SimAnswer {
  return status === 401 ? UNAUTHORIZED : jsonAnswer(status, { error, error_details: message, message }, headers);
}
