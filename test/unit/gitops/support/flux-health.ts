// Flux's verdict on an AppCopy under the healthCheckExprs of deploy/flux, transcribed to
// TypeScript because no CEL evaluator is installed in this project (and adding one for a test
// is not worth a dependency). The transcription is kept faithful two ways: FLUX_EXPRESSIONS
// must equal the expressions in the YAML (a test compares them), and each function below
// restates exactly one expression, with CEL's rules for errors.
//
// How Flux evaluates them (fluxcd/pkg:runtime/cel/status_evaluator.go@e2cfd1a2d181,
// StatusEvaluator.Evaluate, the order RFC-0009 defines): if status.observedGeneration and
// metadata.generation are both integers and differ -> InProgress; otherwise inProgress, failed,
// current in that order, the first true one decides, none true -> InProgress; an expression
// that fails to evaluate ends the evaluation with that error, whatever comes after it. The
// expressions are parsed, not compiled (runtime/cel/expression.go at the same commit), against
// the object's top-level fields as variables, so a missing `status` is an evaluation error, not
// false. Flux then keeps waiting for the object until the Kustomization's timeout ('Waiting'
// below): only Current ends the wait well and only Failed ends it early
// (fluxcd/pkg:ssa/manager_wait.go@e2cfd1a2d181).

export const FLUX_EXPRESSIONS = {
  inProgress:
    "has(metadata.deletionTimestamp) || status.?conditions.orValue([]).exists(c, c.type == 'Reconciling' && c.status == 'True')",
  failed: "status.?conditions.orValue([]).exists(c, c.type == 'Stalled' && c.status == 'True')",
  current: "status.?conditions.orValue([]).exists(c, c.type == 'Ready' && c.status == 'True')",
} as const;

export type FluxVerdict = 'InProgress' | 'Failed' | 'Current' | 'Waiting';

interface ObjectLike {
  metadata?: { generation?: unknown; deletionTimestamp?: unknown };
  status?: { observedGeneration?: unknown; conditions?: unknown };
}

class NoSuchAttribute extends Error {}

/** A CEL value: a boolean, or the error its evaluation raised. */
type Evaluated = boolean | NoSuchAttribute;

function evaluate(expression: () => boolean): Evaluated {
  try {
    return expression();
  } catch (error) {
    if (error instanceof NoSuchAttribute) return error;
    throw error;
  }
}

/** CEL's `a || b`: true if either side is true, even if the other is an error; else the error. */
function or(left: Evaluated, right: Evaluated): Evaluated {
  if (left === true || right === true) return true;
  if (left instanceof NoSuchAttribute) return left;
  if (right instanceof NoSuchAttribute) return right;
  return false;
}

/** `has(metadata.deletionTimestamp)`: `metadata` itself must exist (a top-level variable). */
function hasDeletionTimestamp(object: ObjectLike): boolean {
  if (object.metadata === undefined) throw new NoSuchAttribute('metadata');
  return object.metadata.deletionTimestamp !== undefined;
}

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

const expressions: { verdict: FluxVerdict; evaluate: (object: ObjectLike) => Evaluated }[] = [
  {
    verdict: 'InProgress', // inProgress
    evaluate: (object) =>
      or(
        evaluate(() => hasDeletionTimestamp(object)),
        evaluate(() => existsTrue(object, 'Reconciling')),
      ),
  },
  { verdict: 'Failed', evaluate: (object) => evaluate(() => existsTrue(object, 'Stalled')) }, // failed
  { verdict: 'Current', evaluate: (object) => evaluate(() => existsTrue(object, 'Ready')) }, // current
];

export function fluxHealth(object: ObjectLike): FluxVerdict {
  const observed = object.status?.observedGeneration;
  const generation = object.metadata?.generation;
  if (Number.isInteger(observed) && Number.isInteger(generation) && observed !== generation) {
    return 'InProgress';
  }
  for (const expression of expressions) {
    const result = expression.evaluate(object);
    if (result instanceof NoSuchAttribute) return 'Waiting';
    if (result) return expression.verdict;
  }
  return 'InProgress';
}
