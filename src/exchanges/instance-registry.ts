// Named factories with instances reused per (name, endpoint): what the adapter and the validator
// registries share.

/** Finds instances by name and endpoint; each is built once per (name, endpoint). */
export interface InstanceRegistry<T> {
  /** True when this build has a factory with this name. */
  has(name: string): boolean;
  /** The instance for `name` talking to `endpoint` (or the venue's default); throws if unknown. */
  get(name: string, endpoint: string | undefined): T;
  /** Names of every factory in this build, sorted. */
  names(): string[];
}

/** A registry over `factories`; `what` names the kind of thing in the unknown-name error. */
export function instanceRegistry<O extends object, T>(
  what: string,
  base: O,
  factories: Readonly<Record<string, (options: O & { endpoint?: string }) => T>>,
): InstanceRegistry<T> {
  const instances = new Map<string, T>();
  return {
    has: (name) => Object.hasOwn(factories, name),
    names: () => Object.keys(factories).sort(),
    get(name, endpoint) {
      const factory = factories[name];
      if (!factory) throw new Error(`no ${what} named "${name}"`);
      const id = `${name}|${endpoint ?? ''}`;
      let instance = instances.get(id);
      if (instance === undefined) {
        instance = factory(endpoint === undefined ? { ...base } : { ...base, endpoint });
        instances.set(id, instance);
      }
      return instance;
    },
  };
}
