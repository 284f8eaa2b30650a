// Validators of venues where humans create and delete keys (the manual path), by the name used in
// ExchangeKey.spec.exchange. See KeyValidator in types.ts for the error contract.
import { createCoinbaseValidator } from './coinbase/validator.ts';
import { instanceRegistry, type InstanceRegistry } from './instance-registry.ts';
import { createKrakenValidator } from './kraken/validator.ts';
import type { AdapterOptions, KeyValidator, ValidatorFactory } from './types.ts';

const FACTORIES: Readonly<Record<string, ValidatorFactory>> = {
  coinbase: createCoinbaseValidator,
  kraken: createKrakenValidator,
};

/** Finds validators by name and endpoint; instances are reused per (name, endpoint). */
export type ValidatorRegistry = InstanceRegistry<KeyValidator>;

/** The registry of validators compiled into this build. */
export function validatorRegistry(
  base: Omit<AdapterOptions, 'endpoint'>,
  factories: Readonly<Record<string, ValidatorFactory>> = FACTORIES,
): ValidatorRegistry {
  return instanceRegistry<Omit<AdapterOptions, 'endpoint'>, KeyValidator>('validator', base, factories);
}
