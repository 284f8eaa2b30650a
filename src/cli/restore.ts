// `exkey restore-secret`: puts an ExchangeKey's published Secret back from its Vault KV mirror
// (docs/runbooks/restore-from-vault.md). Exit codes: 0 restored, 1 refused or failed, 2 bad usage.
import { parseArgs } from 'node:util';
import { loadKeyRing } from '../controllers/encryption/local-keyring.ts';
import { operatorEncryption, vaultTransitFactory } from '../controllers/encryption/providers.ts';
import { vaultClientFromEnv } from '../crypto/providers/vault-client.ts';
import { restoreSecretFromMirror } from '../restore/restore.ts';
import { systemClock } from '../runtime/clock.ts';
import { KubeClient } from '../runtime/kube/client.ts';
import { loadKubeConfig } from './kubeconfig.ts';

const USAGE = `usage: exkey restore-secret --namespace NS --exchange-key NAME [--version V]
                            [--operator-namespace NS] [--kubeconfig FILE]

Reads key version V (default: the ExchangeKey's status.currentVersion) from the ExchangeKey's
Vault KV mirror, seals it with the ExchangeKey's encryption provider for its Secret, and creates
the Secret as exkey writes it. Refuses to replace an existing Secret. Vault settings come from the
environment, as for the operator (VAULT_ADDR with VAULT_TOKEN, EXKEY_VAULT_TOKEN_FILE or
EXKEY_VAULT_K8S_ROLE); AWS KMS uses the standard AWS chain; the local provider reads the key ring
in --operator-namespace (default exkey-system).
`;

/** Runs the command; prints one line on success, the reason on failure. */
export async function runRestoreCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        namespace: { type: 'string' },
        'exchange-key': { type: 'string' },
        version: { type: 'string' },
        'operator-namespace': { type: 'string', default: process.env.EXKEY_NAMESPACE ?? 'exkey-system' },
        kubeconfig: { type: 'string' },
      },
    }));
    if (!values.namespace || !values['exchange-key']) throw new Error('--namespace and --exchange-key are required');
    if (values.version !== undefined && !/^[1-9]\d*$/.test(values.version)) throw new Error('--version must be a positive integer');
  } catch (error) {
    process.stderr.write(`exkey restore-secret: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const vault = await vaultClientFromEnv({ clock: systemClock });
  if (!vault) {
    process.stderr.write('exkey restore-secret: VAULT_ADDR is not set; the mirror is in Vault\n');
    return 2;
  }
  const kube = new KubeClient(loadKubeConfig(values.kubeconfig), { userAgent: 'exkey-restore' });
  const operatorNamespace = values['operator-namespace'];
  try {
    const restored = await restoreSecretFromMirror({
      kube,
      vault,
      encryption: operatorEncryption({ loadRing: () => loadKeyRing(kube, operatorNamespace), clock: systemClock, vault: vaultTransitFactory(vault) }),
      namespace: values.namespace,
      name: values['exchange-key'],
      ...(values.version === undefined ? {} : { version: Number(values.version) }),
    });
    process.stdout.write(`restored Secret ${values.namespace}/${restored.secret} at key version ${restored.version} (Vault KV version ${restored.kvVersion})\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`exkey restore-secret: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await kube.close();
  }
}
