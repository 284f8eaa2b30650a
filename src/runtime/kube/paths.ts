// REST paths for the handful of resource kinds exkey touches.

/** Coordinates of a resource kind. Core kinds have group ''. */
export interface ResourceKind {
  group: string;
  version: string;
  plural: string;
}

export const SECRETS: ResourceKind = { group: '', version: 'v1', plural: 'secrets' };
export const EVENTS: ResourceKind = { group: '', version: 'v1', plural: 'events' };
export const LEASES: ResourceKind = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

/** Collection path, cluster-wide when namespace is undefined. */
export function collectionPath(kind: ResourceKind, namespace?: string): string {
  const base = kind.group === '' ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  const ns = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return `${base}${ns}/${kind.plural}`;
}

/** Path of one object, or of its subresource (e.g. 'status'). */
export function objectPath(kind: ResourceKind, namespace: string, name: string, subresource?: string): string {
  const sub = subresource ? `/${subresource}` : '';
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}${sub}`;
}
