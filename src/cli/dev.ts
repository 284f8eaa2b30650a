// `exkey dev` (npm run dev): one command from a fresh clone to a Ready key on a real local control
// plane: start (or reuse) the environment, install the CRDs, start the Bybit simulator, create the
// sample's master-credentials Secret, start the operator, apply the sample, print what to run.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { applyManifests, defaultEnvDir, repoRoot, runEnvCommand, waitForCrdsEstablished } from '../localenv/index.ts';
import { startBybitSimulator, type BybitSimulator } from '../exchanges/bybit/simulator/index.ts';
import { ServerSideApplier, type ApplyObject } from '../runtime/kube/apply.ts';
import { createLogger } from '../observability/logger.ts';
import { startOperator } from '../operator.ts';
import { systemClock } from '../runtime/clock.ts';
import { KubeClient } from '../runtime/kube/client.ts';
import { ensureNamespace, ensureSecret, waitForReady } from './dev-support.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { untilSignalled } from './shutdown.ts';

const SAMPLE = 'config/samples/bybit-exchangekey.yaml';

type SampleObject = ApplyObject & { metadata: { name: string; namespace: string }; spec: Record<string, unknown> };

/** Runs the local demo until SIGINT; `--exit-when-ready` stops once the sample is Ready (CI). */
export async function runDevCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'env-dir': { type: 'string' },
      'simulator-port': { type: 'string', default: '8400' },
      'exit-when-ready': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  const root = repoRoot;
  const envDir = values['env-dir'] ?? defaultEnvDir;
  // A scratch --env-dir must not overwrite the repository's .exkey/kubeconfig.
  const envArgs = values['env-dir'] ? ['up', '--dir', envDir, '--kubeconfig-out', ''] : ['up', '--dir', envDir];
  if ((await runEnvCommand(envArgs)) !== 0) return 1;
  const kubeconfigPath = join(envDir, 'kubeconfig');
  const crds = readdirSync(join(root, 'crds')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'crds', f));
  await applyManifests(kubeconfigPath, crds);
  await waitForCrdsEstablished(kubeconfigPath, ['exchangekeys.exkey.io', 'rotationpolicies.exkey.io']);

  const kc = loadKubeConfig(kubeconfigPath);
  const kube = new KubeClient(kc);
  const logger = createLogger({ level: values['log-level'] });
  const samples = parseAllDocuments(readFileSync(join(root, SAMPLE), 'utf8')).map((d) => d.toJS() as SampleObject);
  const sample = samples.find((o) => o.kind === 'ExchangeKey');
  if (!sample) throw new Error(`${SAMPLE} has no ExchangeKey`);
  const { namespace, name } = sample.metadata;
  const master = { apiKey: `DEVMASTER${randomBytes(5).toString('hex').toUpperCase()}`, apiSecret: randomBytes(18).toString('hex') };
  const simulator = await startSimulator(Number(values['simulator-port']), master);
  await ensureNamespace(kube, 'exkey-system');
  await ensureNamespace(kube, namespace);
  await ensureSecret(kube, namespace, 'bybit-master', master);
  const operator = await startOperator({ kubeconfig: kc, namespace: 'exkey-system', clock: systemClock, logger, healthPort: 0 });
  // The sample names the simulator's usual address; point it at the one actually running.
  const applier = new ServerSideApplier(kube, 'exkey-dev');
  for (const obj of samples) await applier.apply(obj === sample ? { ...obj, spec: { ...obj.spec, endpoint: simulator.url } } : obj);
  printHowTo(kubeconfigPath, namespace, name, simulator.url);
  const stopAll = async (): Promise<void> => {
    await operator.stop();
    await simulator.stop();
    await kube.close();
  };
  const ready = await waitForReady(kube, namespace, name, 120_000);
  console.error(ready ? `\nexkey: ${namespace}/${name} is Ready.` : `\nexkey: ${namespace}/${name} is not Ready yet; see kubectl describe.`);
  if (values['exit-when-ready']) {
    await stopAll();
    return ready ? 0 : 1;
  }
  console.error('exkey: operator running; Ctrl-C stops it (the control plane keeps running: npm run env:down).');
  await untilSignalled(stopAll, logger);
  return 0;
}

// Port 8400 keeps the sample's endpoint stable; if it is taken, any free port will do.
async function startSimulator(port: number, master: { apiKey: string; apiSecret: string }): Promise<BybitSimulator> {
  const options = { host: '127.0.0.1', masterKey: master.apiKey, masterSecret: master.apiSecret };
  try {
    return await startBybitSimulator({ ...options, port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    console.error(`exkey: port ${port} is busy; the simulator takes a free port instead`);
    return startBybitSimulator({ ...options, port: 0 });
  }
}

function printHowTo(kubeconfigPath: string, namespace: string, name: string, simulatorUrl: string): void {
  console.error(`
exkey dev environment
  kubeconfig: ${kubeconfigPath}
  simulator:  ${simulatorUrl} (bybit)

Watch it:
  export KUBECONFIG=${kubeconfigPath}
  kubectl get xk -A
  kubectl describe xk -n ${namespace} ${name}
  kubectl get events -n ${namespace} --field-selector involvedObject.name=${name}
  kubectl get secret -n ${namespace} ${name} -o yaml     # an envelope, never the plain key

Rotate it (the market-maker Deployment rolls; the old key is revoked after a 30 s overlap):
  kubectl annotate xk -n ${namespace} ${name} exkey.io/rotate="$(date +%s)" --overwrite
  kubectl get xk -n ${namespace} -o wide -w
`);
}
