import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Field paths that may carry secret material anywhere in a log record. pino replaces them with
 * "[redacted]". The list is deliberately broad: a false positive costs a log field, a false
 * negative leaks a trading key. test/unit/observability/logger.test.ts checks each one.
 */
export const REDACT_PATHS: readonly string[] = [
  'secret', 'apiSecret', 'secretKey', 'passphrase', 'privateKey', 'password', 'token', 'masterKey',
  'dataKey', 'plaintext', 'authorization', 'signature',
  '*.secret', '*.apiSecret', '*.secretKey', '*.passphrase', '*.privateKey', '*.password', '*.token',
  '*.masterKey', '*.dataKey', '*.plaintext', '*.authorization', '*.signature', '*.data', '*.stringData',
  // Venue signature and passphrase headers (Bybit, OKX, Kraken; Deribit and Coinbase sign in authorization).
  ...['x-bapi-sign', 'ok-access-sign', 'ok-access-passphrase', 'api-sign', 'authorization'].flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`]),
];

/** Options for the operator's root logger. */
export interface LoggerOptions {
  level?: string;
  /** Where records go; defaults to stdout. Tests pass a capturing stream. */
  destination?: DestinationStream;
  /** Extra fields on every record (e.g. `component`). */
  base?: Record<string, unknown>;
}

/** Creates the structured JSON logger every component derives a child logger from. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.EXKEY_LOG_LEVEL ?? 'info',
      base: options.base ?? { app: 'exkey' },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/** A logger that discards everything (for unit tests that do not assert on logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
