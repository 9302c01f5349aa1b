// The status the reconciler writes, computed from the current status and what just happened.
// Pure: every function takes `now` and returns a new status; the reconciler compares it with
// the stored one and writes only when something changed.
//
// Conditions follow kstatus: in progress -> Reconciling=True, Ready=False; needs a spec change ->
// Stalled=True, Ready=False; done -> Ready=True and neither Reconciling nor Stalled.
import type { AppCopyStatus, CopiedService, CopyAttempt, Phase } from '../api/appcopy.ts';
import { ConditionType, Reason, type ReasonName, removeCondition, setCondition } from '../api/conditions.ts';
import { sameJson } from '../api/equality.ts';
import type { Component } from '../rainbond/types.ts';
import type { ComponentsVerdict } from './component-health.ts';

interface Context {
  generation: number;
  now: Date;
}

function withConditions(
  status: AppCopyStatus,
  phase: Phase,
  ctx: Context,
  ready: { ok: boolean; reason: ReasonName; message: string },
  mode: 'progressing' | 'stalled' | 'done',
): AppCopyStatus {
  let conditions = setCondition(
    status.conditions,
    {
      type: ConditionType.Ready,
      status: ready.ok ? 'True' : 'False',
      reason: ready.reason,
      message: ready.message,
    },
    ctx.generation,
    ctx.now,
  );
  conditions =
    mode === 'progressing'
      ? setCondition(
          conditions,
          { type: ConditionType.Reconciling, status: 'True', reason: ready.reason, message: ready.message },
          ctx.generation,
          ctx.now,
        )
      : removeCondition(conditions, ConditionType.Reconciling);
  conditions =
    mode === 'stalled'
      ? setCondition(
          conditions,
          { type: ConditionType.Stalled, status: 'True', reason: ready.reason, message: ready.message },
          ctx.generation,
          ctx.now,
        )
      : removeCondition(conditions, ConditionType.Stalled);
  return {
    ...status,
    phase,
    observedGeneration: ctx.generation,
    // lastError keeps the last problem in words: cleared on success, kept through benign progress.
    lastError: ready.ok ? '' : isBenign(ready.reason) ? (status.lastError ?? '') : ready.message,
    conditions,
  };
}

/** Progress reasons that are not errors (nothing for a user to fix). */
function isBenign(reason: ReasonName): boolean {
  return reason === Reason.Copying || reason === Reason.WaitingForTarget;
}

export function toCopiedService(c: Component): CopiedService {
  const service: CopiedService = {
    serviceId: c.serviceId,
    serviceAlias: c.serviceAlias,
    serviceCname: c.serviceCname,
  };
  if (c.k8sComponentName) service.k8sComponentName = c.k8sComponentName;
  if (c.status) service.status = c.status;
  return service;
}

/** Not copied yet and waiting for something outside the spec (credentials, the console, the target). */
export function pendingStatus(
  status: AppCopyStatus,
  reason: ReasonName,
  message: string,
  ctx: Context,
): AppCopyStatus {
  return withConditions(status, 'Pending', ctx, { ok: false, reason, message }, 'progressing');
}

/**
 * Not copied because the console's rules refuse it (CopyNotAllowed): nothing will happen until
 * someone changes the rules, the spec or the namespace's labels, so Stalled=True, and the phase
 * stays Pending: nothing was copied. Re-evaluated whenever the console resource changes.
 */
export function refusedStatus(status: AppCopyStatus, message: string, ctx: Context): AppCopyStatus {
  return withConditions(
    status,
    'Pending',
    ctx,
    { ok: false, reason: Reason.CopyNotAllowed, message },
    'stalled',
  );
}

/** The intent: written (with the read resourceVersion) before the copy call is sent. */
export function intentStatus(status: AppCopyStatus, attempt: CopyAttempt, ctx: Context): AppCopyStatus {
  return withConditions(
    { ...status, attempt },
    'Copying',
    ctx,
    {
      ok: false,
      reason: Reason.Copying,
      message: `copying ${attempt.expectedCopies.length} component(s) (attempt ${attempt.number})`,
    },
    'progressing',
  );
}

/** The outcome is unknown (or being verified): stays Copying until the target app tells. */
export function verifyingStatus(
  status: AppCopyStatus,
  reason: ReasonName,
  message: string,
  ctx: Context,
): AppCopyStatus {
  return withConditions(status, 'Copying', ctx, { ok: false, reason, message }, 'progressing');
}

/**
 * Copied. With `following`, the copies still have to build and run: ComponentsReady=False
 * (ComponentsStarting) and Reconciling=True from this very write on, so that no health check
 * (Argo CD, kstatus) sees a healthy AppCopy before the first poll of the copies.
 */
export function succeededStatus(
  status: AppCopyStatus,
  components: readonly Component[],
  how: typeof Reason.Copied | typeof Reason.Adopted | typeof Reason.AdoptedExisting,
  ctx: Context,
  following = false,
): AppCopyStatus {
  const services = components.map(toCopiedService);
  const message =
    how === Reason.Copied
      ? `copied ${services.length} component(s)`
      : how === Reason.Adopted
        ? `copied ${services.length} component(s); the outcome was verified from the target app after an interrupted call`
        : `adopted the ${services.length} component(s) copied earlier for this AppCopy (found in the target app by their record; its status had been lost); nothing was copied again`;
  const copied = withConditions(
    {
      ...status,
      services,
      copiedCount: services.length,
      attempt: status.attempt ? { ...status.attempt, finishedAt: ctx.now.toISOString() } : status.attempt,
    },
    'Succeeded',
    ctx,
    { ok: true, reason: how, message },
    'done',
  );
  if (!following || services.length === 0) return copied;
  const starting = {
    status: 'False' as const,
    reason: Reason.ComponentsStarting,
    message: 'waiting for the copies to build and run',
  };
  let conditions = setCondition(
    copied.conditions,
    { type: ConditionType.ComponentsReady, ...starting },
    ctx.generation,
    ctx.now,
  );
  conditions = setCondition(
    conditions,
    { type: ConditionType.Reconciling, ...starting, status: 'True' },
    ctx.generation,
    ctx.now,
  );
  return { ...copied, conditions };
}

/** Stalled until the spec changes. `components` are copies that exist anyway (PartialCopy). */
export function failedStatus(
  status: AppCopyStatus,
  reason: ReasonName,
  message: string,
  ctx: Context,
  components: readonly Component[] = [],
): AppCopyStatus {
  const services = components.map(toCopiedService);
  return withConditions(
    {
      ...status,
      services,
      copiedCount: services.length,
      attempt: status.attempt ? { ...status.attempt, finishedAt: ctx.now.toISOString() } : status.attempt,
    },
    'Failed',
    ctx,
    { ok: false, reason, message },
    'stalled',
  );
}

/** The Deleting condition set (deletionPolicy Delete): progress when `ok`, else what blocks it. */
export function deletingStatus(
  status: AppCopyStatus,
  deleting: { ok: boolean; reason: string; message: string },
  ctx: Context,
): AppCopyStatus {
  return {
    ...status,
    conditions: setCondition(
      status.conditions,
      {
        type: ConditionType.Deleting,
        status: deleting.ok ? 'True' : 'False',
        reason: deleting.reason,
        message: deleting.message,
      },
      ctx.generation,
      ctx.now,
    ),
  };
}

/** Structural equality of two statuses (JSON semantics), used to skip writes that change nothing. */
export function sameStatus(a: AppCopyStatus | undefined, b: AppCopyStatus | undefined): boolean {
  return sameJson(a, b);
}

/**
 * What a poll of the copies makes of the status: their live statuses (a copy not in `seen`
 * keeps its last known one) and ComponentsReady; while they start, Reconciling=True; once they
 * failed for good, Stalled=True (Ready stays True: the copy itself succeeded).
 */
export function followedStatus(
  status: AppCopyStatus,
  seen: ReadonlyMap<string, string | null | undefined>,
  verdict: ComponentsVerdict,
  ctx: Context,
): AppCopyStatus {
  const services = (status.services ?? []).map((p) => {
    const live = seen.get(p.serviceId);
    return live ? { ...p, status: live } : p;
  });
  const said = { reason: verdict.reason, message: verdict.message };
  let conditions = setCondition(
    status.conditions,
    { type: ConditionType.ComponentsReady, status: verdict.ready ? 'True' : 'False', ...said },
    ctx.generation,
    ctx.now,
  );
  conditions = verdict.final
    ? removeCondition(conditions, ConditionType.Reconciling)
    : setCondition(
        conditions,
        { type: ConditionType.Reconciling, status: 'True', ...said },
        ctx.generation,
        ctx.now,
      );
  conditions =
    verdict.final && !verdict.ready
      ? setCondition(
          conditions,
          { type: ConditionType.Stalled, status: 'True', ...said },
          ctx.generation,
          ctx.now,
        )
      : removeCondition(conditions, ConditionType.Stalled);
  return { ...status, services, observedGeneration: ctx.generation, conditions };
}
