// Adapter names as used in ExchangeKey.spec.exchange, mapped to their factories.
import { createBinanceAdapter } from './binance/adapter.ts';
import { createBybitAdapter } from './bybit/adapter.ts';
import { createDeribitAdapter } from './deribit/adapter.ts';
import { createOkxAdapter } from './okx/adapter.ts';
import { instanceRegistry, type InstanceRegistry } from './instance-registry.ts';
import type { AdapterFactory, AdapterOptions, ExchangeAdapter } from './types.ts';

const FACTORIES: Readonly<Record<string, AdapterFactory>> = {
  binance: createBinanceAdapter,
  bybit: createBybitAdapter,
  deribit: createDeribitAdapter,
  okx: createOkxAdapter,
};

/** Finds adapters by name and endpoint; instances are reused per (name, endpoint). */
export type AdapterRegistry = InstanceRegistry<ExchangeAdapter>;

/** The registry of adapters compiled into this build. */
export function adapterRegistry(
  base: Omit<AdapterOptions, 'endpoint'>,
  factories: Readonly<Record<string, AdapterFactory>> = FACTORIES,
): AdapterRegistry {
  return instanceRegistry<Omit<AdapterOptions, 'endpoint'>, ExchangeAdapter>('adapter', base, factories);
}
