// What a console check makes of a console resource's status: the Ready condition (its
// lastTransitionTime changes only when it flips), the user the token acts as, and the
// generation checked. Pure.
import { setCondition } from '../api/conditions.ts';
import {
  CONSOLE_CONDITION_READY,
  ConsoleReason,
  type ConsoleReasonName,
  type ConsoleStatus,
} from '../api/console.ts';
import {
  RainbondError,
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondUnauthorizedError,
} from '../rainbond/errors.ts';

/** The verdict of one check. */
export interface CheckResult {
  ready: boolean;
  reason: ConsoleReasonName;
  message: string;
}

/**
 * The status after a check; equal (sameJson) to the old one when nothing changed. `release`:
 * the console's RELEASE_DESC as last read (undefined: not read, or the console states none).
 */
export function consoleStatusAfter(
  status: ConsoleStatus | undefined,
  result: CheckResult,
  generation: number,
  now: Date,
  release?: string,
): ConsoleStatus {
  const conditions = setCondition(
    status?.conditions,
    {
      type: CONSOLE_CONDITION_READY,
      status: result.ready ? 'True' : 'False',
      reason: result.reason,
      message: result.message,
    },
    generation,
    now,
  );
  return { observedGeneration: generation, ...(release === undefined ? {} : { release }), conditions };
}

export function readyCondition(status: ConsoleStatus | undefined) {
  return status?.conditions?.find((c) => c.type === CONSOLE_CONDITION_READY);
}

/** What the probe's answer (or failure) says about the console. `token` names where the token came from. */
export function judgeProbe(
  outcome: { ok: true } | { ok: false; error: unknown },
  url: string,
  token: string,
): CheckResult {
  if (outcome.ok) {
    return {
      ready: true,
      reason: ConsoleReason.ConsoleReady,
      message: `the console at ${url} answers${url.startsWith('https:') ? ', its certificate is trusted' : ''} and it accepts the token from ${token}`,
    };
  }
  const { error } = outcome;
  const said = error instanceof RainbondError ? error.message : String((error as Error)?.message ?? error);
  if (error instanceof RainbondUnauthorizedError && !error.permission) {
    return {
      ready: false,
      reason: ConsoleReason.TokenRejected,
      message: `the console at ${url} refused the token from ${token}: ${said}. Put a valid access token of a Rainbond user there; it is read again at the next check`,
    };
  }
  if (error instanceof RainbondNotSentError) {
    return error.certificate
      ? { ready: false, reason: ConsoleReason.TLSUntrusted, message: said }
      : { ready: false, reason: ConsoleReason.Unreachable, message: said };
  }
  if (error instanceof RainbondOutcomeUnknownError && error.httpStatus === undefined) {
    return { ready: false, reason: ConsoleReason.Unreachable, message: said };
  }
  return {
    ready: false,
    reason: ConsoleReason.UnexpectedAnswer,
    message: `the console at ${url} did not answer as a Rainbond console does (is spec.url the console's base URL?): ${said}`,
  };
}
