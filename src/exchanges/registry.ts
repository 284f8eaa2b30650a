// Adapter names as used in ExchangeKey.spec.exchange, mapped to their factories.
import { createBinanceAdapter } from './binance/adapter.ts';
import { createBybitAdapter } from './bybit/adapter.ts';
import { createDeribitAdapter } from './deribit/adapter.ts';
import { createOkxAdapter } from './okx/adapter.ts';
import type { AdapterFactory, AdapterOptions, ExchangeAdapter } from './types.ts';

const FACTORIES: Readonly<Record<string, AdapterFactory>> = {
  binance: createBinanceAdapter,
  bybit: createBybitAdapter,
  deribit: createDeribitAdapter,
  okx: createOkxAdapter,
};

/** Finds adapters by name and endpoint; instances are reused per (name, endpoint). */
export interface AdapterRegistry {
  /** True when this build has an adapter with this name. */
  has(name: string): boolean;
  /** The adapter for `name` talking to `endpoint` (or the venue's default); throws if unknown. */
  get(name: string, endpoint: string | undefined): ExchangeAdapter;
  /** Names of every adapter in this build. */
  names(): string[];
}

/** The registry of adapters compiled into this build. */
export function adapterRegistry(
  base: Omit<AdapterOptions, 'endpoint'>,
  factories: Readonly<Record<string, AdapterFactory>> = FACTORIES,
): AdapterRegistry {
  const instances = new Map<string, ExchangeAdapter>();
  return {
    has: (name) => Object.hasOwn(factories, name),
    names: () => Object.keys(factories).sort(),
    get(name, endpoint) {
      const factory = factories[name];
      if (!factory) throw new Error(`no adapter named "${name}"`);
      const id = `${name}|${endpoint ?? ''}`;
      let adapter = instances.get(id);
      if (!adapter) {
        adapter = factory(endpoint === undefined ? { ...base } : { ...base, endpoint });
        instances.set(id, adapter);
      }
      return adapter;
    },
  };
}
