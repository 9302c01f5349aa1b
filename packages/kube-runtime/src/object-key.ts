// The key under which the runtime files an object: `namespace/name`, or `name` for
// cluster-scoped objects (client-go's MetaNamespaceKeyFunc convention).

export interface ObjectMetaLike {
  metadata?: { namespace?: string; name?: string };
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The key of a Kubernetes object; throws if it has no name (such an object cannot be cached). */
export function objectKeyOf(obj: ObjectMetaLike): string {
  const name = obj.metadata?.name;
  if (!name) throw new TypeError('object has no metadata.name');
  return objectKey(obj.metadata?.namespace, name);
}

/** Splits a key made by `objectKey`; `namespace` is undefined for cluster-scoped keys. */
export function splitObjectKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  if (slash < 0) return { namespace: undefined, name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
