// Kubernetes Events, recorded off the reconcile path: a failed or slow Event write must never
// block or fail a rotation. Repeats of the same (object, type, reason, message) within the
// correlation window bump the existing Event's count instead of creating a new one, as
// client-go's EventCorrelator does, so a crash-looping failure does not flood etcd.
import type { Logger } from '../observability/logger.ts';
import type { Clock } from './clock.ts';
import type { KubeTransport } from './kube/client.ts';
import { collectionPath, objectPath, EVENTS } from './kube/paths.ts';

/** The object an Event is about. */
export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
  resourceVersion?: string;
}

export type EventType = 'Normal' | 'Warning';

/** Records Events about objects. Implementations never throw. */
export interface EventRecorder {
  /** Queues an Event. `message` must never contain secret material. */
  record(object: ObjectReference, type: EventType, reason: string, message: string): void;
}

interface Correlated {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastSeenMs: number;
}

const CORRELATION_WINDOW_MS = 10 * 60 * 1000;
const MAX_MESSAGE = 1024;
const MAX_TRACKED = 4096;

/** EventRecorder that writes core/v1 Events through the API server. */
export class KubeEventRecorder implements EventRecorder {
  private readonly seen = new Map<string, Correlated>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly kube: KubeTransport;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly component: string;

  constructor(options: { kube: KubeTransport; clock: Clock; logger: Logger; component?: string }) {
    this.kube = options.kube;
    this.clock = options.clock;
    this.log = options.logger;
    this.component = options.component ?? 'exkey';
  }

  record(object: ObjectReference, type: EventType, reason: string, message: string): void {
    // Events about one object are written in order (a reader sorting by time sees the story as
    // it happened); different objects proceed in parallel.
    const previous = this.chains.get(object.uid) ?? Promise.resolve();
    const write = previous
      .then(() => this.write(object, type, reason, message.slice(0, MAX_MESSAGE)))
      .catch((err: unknown) => {
        this.log.warn({ err: String(err), reason, object: `${object.namespace}/${object.name}` }, 'event not recorded');
      });
    this.chains.set(object.uid, write);
    this.inFlight.add(write);
    void write.finally(() => {
      this.inFlight.delete(write);
      if (this.chains.get(object.uid) === write) this.chains.delete(object.uid);
    });
  }

  /** Resolves once every queued Event has been written (or failed). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async write(object: ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    const now = this.clock.now();
    const key = `${object.uid}|${type}|${reason}|${message}`;
    const previous = this.seen.get(key);
    if (previous && now.getTime() - previous.lastSeenMs < CORRELATION_WINDOW_MS) {
      previous.count += 1;
      previous.lastSeenMs = now.getTime();
      await this.kube.send({
        method: 'PATCH',
        path: objectPath(EVENTS, previous.namespace, previous.name),
        patchType: 'merge',
        body: { count: previous.count, lastTimestamp: now.toISOString() },
      });
      return;
    }
    const name = `${object.name}.${(now.getTime() * 1000 + Math.floor(Math.random() * 1000)).toString(16)}`;
    const timestamp = now.toISOString();
    await this.kube.send({
      method: 'POST',
      path: collectionPath(EVENTS, object.namespace),
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: object.namespace },
        involvedObject: object,
        type,
        reason,
        message,
        source: { component: this.component },
        reportingComponent: this.component,
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        count: 1,
      },
    });
    this.remember(key, { name, namespace: object.namespace, count: 1, firstTimestamp: timestamp, lastSeenMs: now.getTime() });
  }

  private remember(key: string, entry: Correlated): void {
    if (this.seen.size >= MAX_TRACKED) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    this.seen.set(key, entry);
  }
}

/** EventRecorder that keeps Events in memory (tests, dry runs). */
export class MemoryEventRecorder implements EventRecorder {
  readonly events: { object: ObjectReference; type: EventType; reason: string; message: string }[] = [];

  record(object: ObjectReference, type: EventType, reason: string, message: string): void {
    this.events.push({ object, type, reason, message });
  }
}
