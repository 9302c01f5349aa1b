// Flux's verdict on an AppCopy under the healthCheckExprs of deploy/flux, transcribed to
// TypeScript because no CEL evaluator is installed in this project (and adding one for a test
// is not worth a dependency). The transcription is kept faithful two ways: FLUX_EXPRESSIONS
// must equal the expressions in the YAML (a test compares them), and each function below
// restates exactly one expression.
//
// Evaluation order, from fluxcd/pkg runtime/cel StatusEvaluator (RFC-0009): if
// status.observedGeneration exists and differs from metadata.generation -> InProgress; then
// inProgress, failed, current in that order, the first true one decides; none -> InProgress.
// An expression that cannot be evaluated (here: `status` does not exist yet) is an error, and
// Flux keeps waiting for the object until the Kustomization's timeout ('Waiting' below).

export const FLUX_EXPRESSIONS = {
  inProgress: "status.?conditions.orValue([]).exists(c, c.type == 'Reconciling' && c.status == 'True')",
  failed: "status.?conditions.orValue([]).exists(c, c.type == 'Stalled' && c.status == 'True')",
  current: "status.?conditions.orValue([]).exists(c, c.type == 'Ready' && c.status == 'True')",
} as const;

export type FluxVerdict = 'InProgress' | 'Failed' | 'Current' | 'Waiting';

interface ObjectLike {
  metadata?: { generation?: unknown };
  status?: { observedGeneration?: unknown; conditions?: unknown };
}

class NoSuchAttribute extends Error {}

/** `status.?conditions.orValue([])`: `status` itself must exist (a top-level variable). */
function conditionsOf(object: ObjectLike): { type?: unknown; status?: unknown }[] {
  if (object.status === undefined) throw new NoSuchAttribute('status');
  const conditions = object.status.conditions;
  return Array.isArray(conditions) ? conditions : [];
}

/** `.exists(c, c.type == TYPE && c.status == 'True')` */
function existsTrue(object: ObjectLike, type: string): boolean {
  return conditionsOf(object).some((c) => c.type === type && c.status === 'True');
}

export function fluxHealth(object: ObjectLike): FluxVerdict {
  const observed = object.status?.observedGeneration;
  const generation = object.metadata?.generation;
  if (typeof observed === 'number' && typeof generation === 'number' && observed !== generation) {
    return 'InProgress';
  }
  try {
    if (existsTrue(object, 'Reconciling')) return 'InProgress'; // inProgress
    if (existsTrue(object, 'Stalled')) return 'Failed'; // failed
    if (existsTrue(object, 'Ready')) return 'Current'; // current
    return 'InProgress';
  } catch (error) {
    if (error instanceof NoSuchAttribute) return 'Waiting';
    throw error;
  }
}
