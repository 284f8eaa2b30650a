// Helpers for manual-path tests: waiting for what status.manual asks of the human.
import type { ManualStatus } from '../../src/api/v1alpha1/index.ts';
import type { Harness } from './harness.ts';
import { waitFor } from './kube.ts';

/** Waits until status.manual of `name` asks for `action` (and, when given, for `version`). */
export function manualInstructions(h: Harness, name: string, action: ManualStatus['action'], version?: number): Promise<ManualStatus> {
  return waitFor(async (observe) => {
    const manual = (await h.getKey(name))?.status?.manual;
    observe(manual ?? 'no status.manual');
    return manual?.action === action && (version === undefined || manual.version === version) ? manual : undefined;
  }, { timeoutMs: 30_000, description: `${name}: status.manual.action ${action}` });
}
