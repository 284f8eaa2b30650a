// The local Kubernetes environment: a real control plane from cached binaries, for the
// integration tests, `exkey env ...` and `npm run dev`. Import from here, not from the modules.
export { ensureBinaries, resolveVersions, repoRoot, type BinPaths, type Versions } from './binaries.ts';
export { startControlPlane, type ControlPlane, type StartOptions } from './control-plane.ts';
export { runEnvCommand, defaultEnvDir, defaultKubeconfigCopy, type EnvIo } from './env-command.ts';
export { checkHealth, type HealthReport } from './health.ts';
export { applyManifests, readManifests, waitForCrdsEstablished, fieldManager } from './manifests.ts';
export { kubeConfigFromFile } from './nodes.ts';
export { readState, stopFromState, type ControlPlaneState } from './state.ts';
export { exkeyStagesDir, stageFiles, testReadinessLabel } from './stages.ts';
