// The console resources and namespace labels as the operator's informers hold them. Policy
// decisions read specs from here, never from the API server: they cost no request per copy,
// and a widened policy takes effect as soon as the watch delivers it.
import type { Informer } from '@appcopy/kube-runtime';
import {
  CLUSTER_CONSOLE_KIND,
  type ConsoleId,
  type ConsoleObject,
  consoleIdOfObject,
  consoleKey,
} from '../api/console.ts';

export interface ConsoleCatalogue {
  /** The console resource, or undefined when it does not exist (or is not watched). */
  get(id: ConsoleId): ConsoleObject | undefined;
  list(): ConsoleObject[];
  /** A namespace's labels; undefined when the operator does not know the namespace. */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
  /** Whether every informer behind it has filled its cache once. */
  synced(): boolean;
  /** Whether ClusterRainbondConsoles are watched at all (CLUSTER_CONSOLES). */
  readonly clusterConsoles: boolean;
  /** Whether the API server serves `kind` (its CRD is installed). */
  served(kind: ConsoleObject['kind']): boolean;
}

/** What the namespace informer keeps of a Namespace. */
export interface CachedNamespace {
  name: string;
  labels: Record<string, string>;
}

export function toCachedNamespace(raw: unknown): CachedNamespace {
  const meta = (raw as { metadata?: { name?: string; labels?: Record<string, string> } }).metadata;
  if (!meta?.name) throw new TypeError('Namespace without metadata.name');
  return { name: meta.name, labels: meta.labels ?? {} };
}

/** The informer cache key of a console object: its console key (kind, namespace, name). */
export function consoleObjectKey(object: ConsoleObject): string {
  return consoleKey(consoleIdOfObject(object));
}

/**
 * What the console informers keep: the object as listed, minus managedFields (which the
 * operator never reads). Consoles are few and small, so nothing else is trimmed.
 */
export function toConsoleObject(kind: ConsoleObject['kind']) {
  return (raw: unknown): ConsoleObject => {
    const o = raw as ConsoleObject & { metadata: { managedFields?: unknown } };
    if (!o?.metadata?.name) throw new TypeError(`${kind} without metadata.name`);
    const { managedFields: _dropped, ...metadata } = o.metadata;
    return { ...o, kind, metadata };
  };
}

export function createConsoleCatalogue(deps: {
  consoles: Informer<ConsoleObject>;
  clusterConsoles: Informer<ConsoleObject> | undefined;
  namespaces: Informer<CachedNamespace> | undefined;
  /** Kinds whose CRD the API server does not serve (their informers read them as empty). */
  absentKinds?: ReadonlySet<string>;
}): ConsoleCatalogue {
  return {
    get(id) {
      const informer = id.kind === CLUSTER_CONSOLE_KIND ? deps.clusterConsoles : deps.consoles;
      return informer?.get(consoleKey(id));
    },
    list: () => [...deps.consoles.list(), ...(deps.clusterConsoles?.list() ?? [])],
    namespaceLabels: (namespace) => deps.namespaces?.get(namespace)?.labels,
    synced: () =>
      deps.consoles.hasSynced() &&
      (deps.clusterConsoles?.hasSynced() ?? true) &&
      (deps.namespaces?.hasSynced() ?? true),
    clusterConsoles: deps.clusterConsoles !== undefined,
    served: (kind) => !deps.absentKinds?.has(kind),
  };
}
