// Pre-flight: turns the spec and the source app's copyable components (the GET on the copy
// path) into the exact copy request, or into a message naming what cannot be copied. Pure.
// The console answers unknown ids with a 500 and rejects package_build components, so these
// are caught here, before anything is sent.
import type { AppCopySpec } from '../api/appcopy.ts';
import type { CopyableComponent, CopyRequest } from '../rainbond/types.ts';

export type CopyPlan =
  | { ok: true; request: CopyRequest; expectedCopies: string[] }
  | { ok: false; message: string };

/** The console names a copy after its source: `<source cname>-copy`. */
export function copyNameOf(sourceCname: string): string {
  return `${sourceCname}-copy`;
}

const PACKAGE_BUILD = 'package_build';
const COMPLETE = 'complete';

export function planCopy(spec: AppCopySpec, copyable: readonly CopyableComponent[]): CopyPlan {
  const byId = new Map(copyable.map((c) => [c.serviceId, c]));
  const wanted = spec.services ?? [];
  const copyAll = wanted.length === 0;

  if (copyAll && copyable.length === 0) {
    return { ok: false, message: 'the source app has no components to copy' };
  }

  type Entry = NonNullable<AppCopySpec['services']>[number];
  const entries: Entry[] = copyAll ? copyable.map((c) => ({ serviceId: c.serviceId })) : wanted;
  const selected: { component: CopyableComponent; change: Entry['change'] }[] = [];
  const unknown: string[] = [];
  for (const entry of entries) {
    const component = byId.get(entry.serviceId);
    if (!component) unknown.push(entry.serviceId);
    else selected.push({ component, change: entry.change });
  }

  const packageBuilt = selected.filter((s) => s.component.serviceSource === PACKAGE_BUILD);
  const unfinished = selected.filter((s) => s.component.createStatus !== COMPLETE);
  const problems: string[] = [];
  if (unknown.length > 0) {
    problems.push(`not components of the source app: ${unknown.join(', ')}`);
  }
  if (packageBuilt.length > 0) {
    problems.push(
      `built from uploaded packages, which the console cannot copy: ${packageBuilt.map(describe).join(', ')}`,
    );
  }
  if (unfinished.length > 0) {
    problems.push(`not completely created yet: ${unfinished.map(describe).join(', ')}`);
  }
  if (problems.length > 0) {
    const hint = copyAll
      ? ' (spec.services is empty, so every component was selected; list the ones to copy)'
      : '';
    return { ok: false, message: `cannot copy: ${problems.join('; ')}${hint}` };
  }

  // The request always names the components explicitly, even when the spec asks for all of
  // them: the set copied is then exactly the set checked here and recorded in the intent,
  // even if someone adds a component to the source app in between.
  return {
    ok: true,
    request: {
      services: selected.map(({ component, change }) =>
        change ? { serviceId: component.serviceId, change } : { serviceId: component.serviceId },
      ),
      targetTeamName: spec.target.teamName,
      targetRegionName: spec.target.regionName,
      targetAppId: spec.target.appId,
    },
    expectedCopies: selected.map(({ component }) => copyNameOf(component.serviceCname)),
  };
}

function describe(s: { component: CopyableComponent }): string {
  return `${s.component.serviceCname} (${s.component.serviceId})`;
}
