// `exkey agent`: decrypts the exkey Secret into a memory-backed volume for apps in any language.
// src/cli.ts routes `exkey agent ...` to runAgentCommand. See docs/consumers.md.

export { WRITE_RETRY, runAgent, type Agent, type AgentOptions } from './agent.ts';
export { runAgentCommand, type AgentCommandDeps } from './command.ts';
export { PREVIOUS_PREFIX, keyFiles } from './files.ts';
export { DATA_LINK, FILE_MODE, publishFiles, type PublishOptions } from './projection.ts';
export {
  AGENT_PROVIDERS,
  type AgentProvider,
  type AgentProviderContext,
  type AgentUnwrappers,
} from './providers.ts';
