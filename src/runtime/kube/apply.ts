// Server-side apply of arbitrary objects as raw JSON. client-node's KubernetesObjectApi re-encodes
// objects through its typed models, which silently drops fields the models spell differently:
// a CRD's `x-kubernetes-validations` under typed `properties` vanish and the CEL rules with them.
// Here the object goes to the API server byte for byte; only the REST path comes from discovery.
import type { KubeTransport } from './client.ts';

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** An object with enough metadata to be applied. */
export interface ApplyObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

/** Applies objects with server-side apply, caching discovery per apiVersion. */
export class ServerSideApplier {
  private readonly kube: KubeTransport;
  private readonly fieldManager: string;
  private readonly discovery = new Map<string, ApiResource[]>();

  constructor(kube: KubeTransport, fieldManager: string) {
    this.kube = kube;
    this.fieldManager = fieldManager;
  }

  /** Applies one object (force: this manager takes ownership of the fields it sets). */
  async apply<T>(obj: ApplyObject, defaultNamespace = 'default'): Promise<T> {
    const resource = await this.resourceFor(obj.apiVersion, obj.kind);
    const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const namespace = obj.metadata.namespace ?? defaultNamespace;
    const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const path = `${base}${scope}/${resource.name}/${encodeURIComponent(obj.metadata.name)}`;
    const body = resource.namespaced ? { ...obj, metadata: { ...obj.metadata, namespace } } : obj;
    return this.kube.send<T>({
      method: 'PATCH',
      path,
      patchType: 'apply',
      body,
      query: { fieldManager: this.fieldManager, force: true },
    });
  }

  /** Forgets discovery (after installing CRDs, their kinds become resolvable). */
  resetDiscovery(): void {
    this.discovery.clear();
  }

  private async resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    let resources = this.discovery.get(apiVersion);
    if (!resources) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const list = await this.kube.send<{ resources: ApiResource[] }>({ method: 'GET', path });
      resources = list.resources.filter((r) => !r.name.includes('/'));
      this.discovery.set(apiVersion, resources);
    }
    const resource = resources.find((r) => r.kind === kind);
    if (!resource) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
    return resource;
  }
}
