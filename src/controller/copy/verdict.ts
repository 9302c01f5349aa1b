// Step 4 of the exactly-once protocol: after an unknown outcome, decide from the target app's
// component list whether the recorded attempt took effect. Pure.
//
// A copy is recognised as the components that were not in the target app before the call
// (attempt.preexistingServiceIds) and carry an expected name (`<source cname>-copy`, one per
// copied component). Copies into one target app are serialised, so no other copy of ours can
// produce such components meanwhile.
import type { CopyAttempt } from '../../api/appcopy.ts';
import type { Component } from '../../rainbond/types.ts';

export type CopyVerdict =
  /** Every expected copy exists: adopt them; the call took effect. */
  | { kind: 'complete'; components: Component[] }
  /** No expected copy exists: the call had no effect (so far). */
  | { kind: 'absent' }
  /** Some but not all exist. */
  | { kind: 'partial'; components: Component[]; missing: string[] };

export function judgeCopy(
  attempt: Pick<CopyAttempt, 'preexistingServiceIds' | 'expectedCopies'>,
  target: readonly Component[],
): CopyVerdict {
  const before = new Set(attempt.preexistingServiceIds);
  const outstanding = new Map<string, number>();
  for (const name of attempt.expectedCopies) outstanding.set(name, (outstanding.get(name) ?? 0) + 1);

  const found: Component[] = [];
  for (const component of target) {
    if (before.has(component.serviceId)) continue;
    const left = outstanding.get(component.serviceCname) ?? 0;
    if (left > 0) {
      outstanding.set(component.serviceCname, left - 1);
      found.push(component);
    }
  }
  const missing = [...outstanding.entries()].flatMap(([name, count]) => Array<string>(count).fill(name));
  if (found.length === 0) return { kind: 'absent' };
  if (missing.length === 0) return { kind: 'complete', components: found };
  return { kind: 'partial', components: found, missing };
}
