// Watch-based measurement helpers for the benchmark: when did each key become Ready, and how many
// objects changed while nothing should have.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Watch } from '@kubernetes/client-node';
import type { ExchangeKey } from '../src/api/v1alpha1/index.ts';
import { applyManifests, repoRoot, startControlPlane } from '../src/localenv/index.ts';

const CLI = join(repoRoot, 'src/cli.ts');


/** Records the first moment each ExchangeKey was seen Ready (performance.now() clock). */
export class ReadyWatcher {
  private readonly ready = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();
  private abort: AbortController | undefined;
  private stopped = false;
  private readonly watch: Watch;
  private readonly path: string;

  constructor(watch: Watch, path: string) {
    this.watch = watch;
    this.path = path;
  }

  async start(): Promise<void> {
    const connect = async (): Promise<void> => {
      if (this.stopped) return;
      this.abort = await this.watch.watch(this.path, {}, (_type, obj: ExchangeKey) => { this.seen(obj); }, () => { void connect(); });
    };
    await connect();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  /** Resolves with the time `name` became Ready. */
  readyAt(name: string, timeoutMs: number): Promise<number> {
    const at = this.ready.get(name);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${name} not Ready after ${timeoutMs} ms`)); }, timeoutMs);
      this.waiters.set(name, (t) => { clearTimeout(timer); resolve(t); });
    });
  }

  private seen(obj: ExchangeKey): void {
    const name = obj.metadata.name;
    if (this.ready.has(name)) return;
    if (!obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    const now = performance.now();
    this.ready.set(name, now);
    this.waiters.get(name)?.(now);
    this.waiters.delete(name);
  }
}

/** Counts objects created or modified in a namespace (ExchangeKeys, Secrets, Events) from now on. */
export class WriteCounter {
  private readonly counts = { exchangekeys: 0, secrets: 0, events: 0 };
  private readonly aborts: AbortController[] = [];
  private readonly watch: Watch;
  private readonly namespace: string;

  constructor(watch: Watch, namespace: string) {
    this.watch = watch;
    this.namespace = namespace;
  }

  async start(): Promise<void> {
    const paths = {
      exchangekeys: `/apis/exkey.io/v1alpha1/namespaces/${this.namespace}/exchangekeys`,
      secrets: `/api/v1/namespaces/${this.namespace}/secrets`,
      events: `/api/v1/namespaces/${this.namespace}/events`,
    } as const;
    for (const [kind, path] of Object.entries(paths) as [keyof typeof paths, string][]) {
      // resourceVersion=0-less watch from "now": start at the current list's version.
      const list = await fetchListVersion(this.watch, path);
      this.aborts.push(await this.watch.watch(path, { resourceVersion: list }, (type) => {
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.counts[kind] += 1;
      }, () => undefined));
    }
  }

  /** Stops counting; returns per-kind counts and their total. */
  stop(): { exchangekeys: number; secrets: number; events: number; total: number } {
    for (const a of this.aborts) a.abort();
    const { exchangekeys, secrets, events } = this.counts;
    return { exchangekeys, secrets, events, total: exchangekeys + secrets + events };
  }
}

async function fetchListVersion(watch: Watch, path: string): Promise<string> {
  const cluster = watch.config.getCurrentCluster();
  if (!cluster) throw new Error('no cluster');
  const opts: { headers?: Record<string, string>; ca?: Buffer } = {};
  await watch.config.applyToHTTPSOptions(opts);
  const { request, Agent } = await import('undici');
  const res = await request(`${cluster.server}${path}?limit=1`, {
    headers: opts.headers ?? {},
    dispatcher: new Agent({ connect: { ca: opts.ca } }),
  });
  const body = (await res.body.json()) as { metadata: { resourceVersion: string } };
  return body.metadata.resourceVersion;
}

/** The p-th percentile (nearest rank) of `values`, rounded to 0.1 ms. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] ?? 0) * 10) / 10;
}

/** A started `exkey` child process. */
export interface Child {
  proc: ChildProcessByStdio<null, Readable, Readable>;
  match: RegExpExecArray;
  /** Everything it printed so far (for diagnosing a benchmark that stalls). */
  output(): string;
}

/** Runs `exkey <args>` and resolves once its output matches `ready` (60 s at most). */
export function child(args: string[], ready: RegExp): Promise<Child> {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${args[0] ?? ''} not ready after 60 s (waiting for ${String(ready)}):\n${out.slice(-2000)}`));
    }, 60_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ proc, match, output: () => out });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => { reject(new Error(`${args[0] ?? ''} exited (${code}) before it was ready:\n${out.slice(-2000)}`)); });
  });
}


/** exkey_kube_requests_total from an operator's /metrics, summed by "VERB resource". */
export async function kubeRequests(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const totals = new Map<string, number>();
  for (const m of text.matchAll(/^exkey_kube_requests_total\{verb="(\w+)",resource="([^"]*)",code="\d+"\} (\d+)/gm)) {
    const id = `${m[1] ?? ''} ${m[2] ?? ''}`;
    totals.set(id, (totals.get(id) ?? 0) + Number(m[3]));
  }
  return totals;
}

/** A fresh local control plane with the CRDs installed, torn down (with `procs`) after `run`. */
export async function withBenchCluster(run: (kubeconfigPath: string, procs: ChildProcess[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'exkey-bench-'));
  const cp = await startControlPlane({ dir, log: () => undefined });
  const procs: ChildProcess[] = [];
  try {
    await applyManifests(cp.kubeconfigPath, readdirSync(join(repoRoot, 'crds')).map((f) => join(repoRoot, 'crds', f)));
    await run(cp.kubeconfigPath, procs);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints results as JSON and, with --json, writes them to that file. */
export function report(results: unknown, jsonPath: string | undefined): void {
  const text = JSON.stringify(results, null, 2);
  console.log(text);
  if (jsonPath) writeFileSync(jsonPath, text);
  // A missed target fails `npm run bench` (and names itself), so nobody has to read the JSON.
  const targets = typeof results === 'object' && results !== null && 'targets' in results ? results.targets : undefined;
  const missed = typeof targets === 'object' && targets !== null ? Object.entries(targets).filter(([, met]) => met === false).map(([name]) => name) : [];
  if (missed.length > 0) {
    console.error(`missed targets: ${missed.join(', ')}`);
    process.exitCode = 1;
  }
}
