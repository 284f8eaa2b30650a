// Failpoints: the crash tests need the operator to die at an exact point (after the phase is
// recorded, before its side effect; after the side effect, before the next record). Setting
//   EXKEY_FAILPOINTS="after:WriteStatus:Publishing,before:RevokeOld"
// makes the process SIGKILL itself at the first matching point. Without the variable this is a
// no-op; it exists for tests and chaos drills only, in the spirit of etcd's gofail.
import type { Logger } from '../observability/logger.ts';

export type FailpointWhen = 'before' | 'after';

/** Checked by the reconciler around every step. */
export interface Failpoints {
  check(when: FailpointWhen, step: string, phase: string | undefined): void;
}

interface Point {
  when: FailpointWhen;
  step: string;
  phase: string | undefined;
}

/** Parses "when:step[:phase]" entries (comma separated). */
export function parseFailpoints(spec: string): Point[] {
  return spec.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
    const [when, step, phase] = entry.split(':');
    if ((when !== 'before' && when !== 'after') || !step) throw new Error(`bad failpoint "${entry}": want before|after:<Step>[:<Phase>]`);
    return { when, step, phase };
  });
}

/** Failpoints from EXKEY_FAILPOINTS (none when unset). `kill` is injectable for tests. */
export function failpointsFromEnv(
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): Failpoints | undefined {
  const spec = env.EXKEY_FAILPOINTS;
  if (!spec) return undefined;
  const points = parseFailpoints(spec);
  logger.warn({ failpoints: spec }, 'failpoints armed: this process will kill itself when one is reached');
  return {
    check(when, step, phase) {
      const hit = points.find((p) => p.when === when && p.step === step && (p.phase === undefined || p.phase === phase));
      if (!hit) return;
      logger.warn({ when, step, phase }, 'failpoint reached: killing the process');
      kill();
    },
  };
}
