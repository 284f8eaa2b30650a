// The public surface of exkey's envelope encryption, for the operator, the agent and the client
// library. Test seams (…WithRandom) are deliberately not re-exported.

export { ALGORITHM, ENVELOPE_AAD_LABEL, FORMAT_VERSION, LOCAL_WRAP_AAD_LABEL, envelopeAad, localWrapAad } from './aad.ts';
export { MAX_KEY_VERSION, contextProblem, describeContext, sameContext, type EnvelopeContext } from './context.ts';
export { inspectEnvelope, type EnvelopeHeader } from './envelope-codec.ts';
export { openEnvelope, sealEnvelope } from './envelope.ts';
export { EnvelopeError, isEnvelopeError, type EnvelopeErrorKind } from './errors.ts';
export {
  MASTER_KEY_ENTRY_PREFIX,
  MASTER_KEY_ID,
  generateMasterKey,
  masterKeyEntryName,
  newMasterKeyRing,
  parseMasterKeyRing,
  rotateMasterKeyRing,
  serializeMasterKeyRing,
  type MasterKey,
  type MasterKeyRing,
} from './master-key-ring.ts';
export { LOCAL_PROVIDER, createLocalProvider } from './providers/local.ts';
export {
  providersByName,
  type GeneratedDataKey,
  type KeyProvider,
  type KeyUnwrapper,
  type ProviderLookup,
} from './providers/types.ts';
