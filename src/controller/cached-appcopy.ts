// What the informer cache keeps of each AppCopy: only what is needed to decide whether a
// reconcile is due and which target app it copies into. Reconciles themselves always re-read
// the object from the API server, so the cache may lag without harm. With 10,000 AppCopies the
// difference between this and the full object is most of the operator's memory.
import { type AppCopy, type AppCopyStatus, type Phase, targetKey } from '../api/appcopy.ts';
import { ConditionType } from '../api/conditions.ts';
import { type ConsoleRef, consoleIdOf, consoleKey, OPERATOR_CONSOLE_KEY } from '../api/console.ts';
import { nextStep } from './next-step.ts';

export interface CachedAppCopy {
  namespace: string;
  name: string;
  generation: number;
  resourceVersion: string;
  deleting: boolean;
  finalizers: string[] | undefined;
  deletionPolicy: 'Orphan' | 'Delete' | undefined;
  /**
   * The target app as the target lock names it (targetKey: the console's URL, region and app
   * id), or undefined when the spec is malformed. The URL is the recorded console's, else the
   * operator's own console's (an AppCopy copied before consoles were resources).
   */
  target: string | undefined;
  /**
   * The key of the console this AppCopy uses: the one its copy was made in, else the one its
   * spec names; undefined when it uses the default console.
   */
  console: string | undefined;
  phase: Phase | undefined;
  observedGeneration: number | undefined;
  componentsReadyReason: string | undefined;
}

interface RawAppCopy {
  metadata?: {
    namespace?: string;
    name?: string;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
  };
  spec?: {
    deletionPolicy?: string;
    target?: { regionName?: unknown; appId?: unknown };
    consoleRef?: { kind?: unknown; name?: unknown };
  };
  status?: AppCopyStatus;
}

/** `operatorConsoleUrl`: RAINBOND_URL, normalised (see CachedAppCopy.target); '' without one. */
export function toCachedAppCopy(raw: unknown, operatorConsoleUrl = ''): CachedAppCopy {
  const o = raw as RawAppCopy;
  const meta = o.metadata ?? {};
  if (!meta.name || !meta.namespace) throw new TypeError('AppCopy without metadata.name/namespace');
  const policy = o.spec?.deletionPolicy;
  const target = o.spec?.target;
  return {
    namespace: meta.namespace,
    name: meta.name,
    generation: meta.generation ?? 0,
    resourceVersion: meta.resourceVersion ?? '',
    deleting: meta.deletionTimestamp !== undefined,
    finalizers: meta.finalizers,
    deletionPolicy: policy === 'Delete' || policy === 'Orphan' ? policy : undefined,
    target:
      target && typeof target.regionName === 'string' && typeof target.appId === 'number'
        ? targetKey(o.status?.console?.url ?? operatorConsoleUrl, {
            regionName: target.regionName,
            appId: target.appId,
          })
        : undefined,
    console: usedConsole(o, meta.namespace),
    phase: o.status?.phase,
    observedGeneration: o.status?.observedGeneration,
    componentsReadyReason: o.status?.conditions?.find((c) => c.type === ConditionType.ComponentsReady)
      ?.reason,
  };
}

/** Copying or copied: the console of the copy (recorded, or the operator's own before consoles were resources); else the named one. */
function usedConsole(o: RawAppCopy, namespace: string): string | undefined {
  const started = o.status?.phase === 'Copying' || o.status?.phase === 'Succeeded';
  const recorded = started ? o.status?.console : undefined;
  if (started && (recorded === undefined || recorded.kind === 'Default')) return OPERATOR_CONSOLE_KEY;
  const ref = recorded ?? o.spec?.consoleRef;
  if (
    (ref?.kind !== 'RainbondConsole' && ref?.kind !== 'ClusterRainbondConsole') ||
    typeof ref.name !== 'string'
  )
    return undefined;
  return consoleKey(consoleIdOf(ref as ConsoleRef, namespace));
}

/**
 * Whether resourceVersion `candidate` is older than `known`. resourceVersions are opaque, but the
 * API server's are etcd revisions: they are compared when both are numeric, and otherwise the
 * candidate is not taken as older.
 */
export function isOlderVersion(candidate: string, known: string): boolean {
  if (!/^\d+$/.test(candidate) || !/^\d+$/.test(known)) return false;
  return candidate.length < known.length || (candidate.length === known.length && candidate < known);
}

/**
 * Whether this AppCopy may have work to do. False only for the settled states (Failed for its
 * generation; Succeeded, followed to the end and observed): a restart with thousands of
 * finished AppCopies then reads none of them again and calls the console zero times.
 */
export function needsReconcile(c: CachedAppCopy, following = true): boolean {
  const asObject: AppCopy = {
    apiVersion: '',
    kind: '',
    metadata: {
      name: c.name,
      namespace: c.namespace,
      uid: '',
      generation: c.generation,
      resourceVersion: c.resourceVersion,
      ...(c.deleting ? { deletionTimestamp: 'set' } : {}),
      ...(c.finalizers ? { finalizers: c.finalizers } : {}),
    },
    spec: undefined,
    status: {
      ...(c.phase ? { phase: c.phase } : {}),
      ...(c.observedGeneration !== undefined ? { observedGeneration: c.observedGeneration } : {}),
      ...(c.componentsReadyReason
        ? {
            conditions: [
              {
                type: ConditionType.ComponentsReady,
                status: 'Unknown' as const,
                reason: c.componentsReadyReason,
                message: '',
                lastTransitionTime: '',
              },
            ],
          }
        : {}),
    },
  };
  if (c.deletionPolicy === undefined) return true;
  const step = nextStep(asObject, c.deletionPolicy, following);
  return step !== 'done' || c.observedGeneration !== c.generation;
}
