// Which watch events deserve a reconcile. Without this, the echo of exkey's own status writes
// re-runs a key immediately and defeats the work queue's backoff (controller-runtime solves the
// same problem with GenerationChangedPredicate and AnnotationChangedPredicate).
import type { KubernetesObject } from '@kubernetes/client-node';

/** The parts of an object whose change a user (not exkey's status writes) makes. */
export function fingerprint(obj: KubernetesObject): string {
  const m = obj.metadata ?? {};
  return JSON.stringify([
    m.generation ?? 0,
    sorted(m.labels),
    sorted(m.annotations),
    m.deletionTimestamp ? 'deleting' : '',
  ]);
}

function sorted(map: Record<string, string> | undefined): [string, string][] {
  return Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

/** Remembers fingerprints per key and says whether an update is worth a reconcile. */
export class ChangeFilter {
  private readonly seen = new Map<string, string>();

  /** Records an added object (always relevant). */
  added(key: string, obj: KubernetesObject): void {
    this.seen.set(key, fingerprint(obj));
  }

  /** True when the update changed anything but status and bookkeeping. */
  updated(key: string, obj: KubernetesObject): boolean {
    const next = fingerprint(obj);
    const changed = this.seen.get(key) !== next;
    this.seen.set(key, next);
    return changed;
  }

  /** Forgets a deleted object (always relevant). */
  deleted(key: string): void {
    this.seen.delete(key);
  }
}
