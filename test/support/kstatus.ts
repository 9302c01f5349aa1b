// kstatus's generic rules, restated as a pure function so tests can ask "what would Flux (and
// any kstatus user: kubectl wait tooling, kpt, cli-utils appliers) think of this object?".
//
// Source: sigs.k8s.io/cli-utils/pkg/kstatus/status (Flux vendors a fork, fluxcd/cli-utils, with
// the same rules): status.go `Compute`, generic.go `checkGenericProperties`/`checkGeneration`
// and status.go `checkReadyCondition`. The type-specific rules (Deployment, Pod, Job, ...) are
// left out: they apply only to built-in kinds, never to a custom resource such as AppCopy.
// Messages are our own words; only the resulting status is kstatus's.

export type KstatusStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating';

export interface KstatusResult {
  status: KstatusStatus;
  message: string;
}

interface ConditionLike {
  type?: unknown;
  status?: unknown;
  message?: unknown;
}

interface ObjectLike {
  kind?: unknown;
  metadata?: { generation?: unknown; deletionTimestamp?: unknown };
  status?: { observedGeneration?: unknown; conditions?: unknown };
}

export function computeKstatus(object: ObjectLike): KstatusResult {
  const metadata = object.metadata ?? {};
  const status = object.status ?? {};
  const conditions: ConditionLike[] = Array.isArray(status.conditions) ? status.conditions : [];

  // Rule 1 (checkGenericProperties): a non-empty metadata.deletionTimestamp -> Terminating.
  if (typeof metadata.deletionTimestamp === 'string' && metadata.deletionTimestamp !== '') {
    return { status: 'Terminating', message: 'scheduled for deletion' };
  }

  // Rule 2 (checkGeneration): when both metadata.generation and status.observedGeneration are
  // present and differ, the controller has not seen the latest spec -> InProgress. A missing
  // observedGeneration skips the check (it is not "in progress" by itself).
  if (typeof metadata.generation === 'number' && typeof status.observedGeneration === 'number') {
    if (metadata.generation !== status.observedGeneration) {
      return {
        status: 'InProgress',
        message: `generation ${metadata.generation} not observed yet (status is for ${status.observedGeneration})`,
      };
    }
  }

  // Rule 3 (checkGenericProperties): the conditions are scanned in list order; the first
  // Reconciling=True gives InProgress and the first Stalled=True gives Failed, whichever comes
  // first. "True" is the exact string; False, Unknown or absence mean nothing here.
  for (const condition of conditions) {
    if (condition.type === 'Reconciling' && condition.status === 'True') {
      return { status: 'InProgress', message: String(condition.message ?? '') };
    }
    if (condition.type === 'Stalled' && condition.status === 'True') {
      return { status: 'Failed', message: String(condition.message ?? '') };
    }
  }

  // Rule 4 (checkReadyCondition, after the type-specific rules, which AppCopy has none of):
  // Ready=True -> Current; Ready=False or Unknown -> InProgress; any other value is ignored.
  for (const condition of conditions) {
    if (condition.type !== 'Ready') continue;
    if (condition.status === 'True') return { status: 'Current', message: 'Ready' };
    if (condition.status === 'False' || condition.status === 'Unknown') {
      return { status: 'InProgress', message: String(condition.message ?? '') };
    }
  }

  // Rule 5 (Compute's fallback): nothing known -> Current. Note what this means for a custom
  // resource whose controller has not written any status yet: kstatus calls it Current.
  return { status: 'Current', message: 'no status conditions: assumed current' };
}
