// One informer per (kind, namespace, label selector), shared by every controller that asks for
// it, as controller-runtime's shared cache does: each watch costs the API server an encode and a
// send per event, and the operator a parse, so two controllers must not open two watches on the
// same objects. Controllers register handlers first; the operator starts the informers after.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Clock, Timer } from '../clock.ts';
import type { InformerHealth, ResilientInformer } from '../informer.ts';
import { createInformer, type InformerEnv, type InformerSpec } from './informers.ts';

/** What identifies a shared informer (no per-controller options such as resync). */
export type SharedInformerSpec = Omit<InformerSpec<KubernetesObject>, 'resync'>;

/** The operator's informers, created on first request and shared afterwards. */
export class SharedInformers {
  private readonly env: InformerEnv;
  private readonly informers = new Map<string, ResilientInformer<KubernetesObject>>();
  private started = false;

  constructor(env: InformerEnv) {
    this.env = env;
  }

  /** The informer for `spec`; the same instance for the same kind, namespace and selector. */
  for<T extends KubernetesObject>(spec: SharedInformerSpec): ResilientInformer<T> {
    if (this.started) throw new Error('SharedInformers: informers must be requested before start()');
    const id = `${spec.kind.group}/${spec.kind.plural}|${spec.namespace ?? '*'}|${spec.labelSelector ?? ''}`;
    let informer = this.informers.get(id);
    if (!informer) {
      informer = createInformer<KubernetesObject>(this.env, spec);
      this.informers.set(id, informer);
    }
    return informer as unknown as ResilientInformer<T>;
  }

  /** Starts every informer requested so far. */
  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** True once every informer has listed at least once. */
  synced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  /** Resolves when every informer has synced (false if stopped first). */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    return (await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)))).every(Boolean);
  }

  health(): InformerHealth[] {
    return [...this.informers.values()].map((i) => i.health());
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}

/** Calls `fn` every `periodMs` on the injected clock until stopped (a controller's resync). */
export function every(clock: Clock, periodMs: number, fn: () => void): { stop(): void } {
  let timer: Timer | undefined;
  let stopped = false;
  const arm = (): void => {
    timer = clock.setTimer(periodMs, () => {
      if (stopped) return;
      fn();
      arm();
    });
  };
  arm();
  return {
    stop: () => {
      stopped = true;
      timer?.cancel();
    },
  };
}
