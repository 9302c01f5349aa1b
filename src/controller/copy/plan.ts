// Pre-flight: turns the spec and the source app's copyable components (the GET on the copy
// path) into the exact copy request, or into a message naming what cannot be copied. Pure.
// The console answers unknown ids with a 500 and rejects package_build components, so these
// are caught here, before anything is sent.
import type { AppCopySpec } from '../../api/appcopy.ts';
import type { CopyableComponent, CopyRequest } from '../../rainbond/types.ts';

export type CopyPlan =
  | { ok: true; request: CopyRequest; expectedCopies: string[] }
  | { ok: false; message: string };

/** The console names a copy after its source: `<source cname>-copy`. */
export function copyNameOf(sourceCname: string): string {
  return `${sourceCname}-copy`;
}

const PACKAGE_BUILD = 'package_build';
const DOCKER_IMAGE = 'docker_image';
const COMPLETE = 'complete';

/**
 * The image the console gives an image component's copy when the copy changes its version:
 * everything before the first ":" of the source image, then ":" and the version
 * (goodrain/rainbond-console:console/services/groupcopy_service.py@ae3f1618,
 * change_services_metadata_info). Pure.
 */
export function consoleCopyImage(sourceImage: string, version: string): string {
  return `${sourceImage.split(':')[0]}:${version}`;
}

/**
 * The image a user means by "this image at version V": the repository (registry, port and path
 * kept; tag and digest dropped) and V. Pure.
 */
export function intendedCopyImage(sourceImage: string, version: string): string {
  const withoutDigest = sourceImage.split('@')[0] ?? sourceImage;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  const repository = lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
  return `${repository}:${version}`;
}

export function planCopy(spec: AppCopySpec, copyable: readonly CopyableComponent[]): CopyPlan {
  const byId = new Map(copyable.map((c) => [c.serviceId, c]));
  const wanted = spec.services ?? [];
  const copyAll = wanted.length === 0;

  if (copyable.length === 0) {
    // The console answers an unknown app, or one of another team, with an empty list too.
    const named = copyAll ? '' : ` (spec.services names ${wanted.map((s) => s.serviceId).join(', ')})`;
    return {
      ok: false,
      message: `the console lists no components for source app ${spec.source.appId} of team ${spec.source.teamId} in region ${spec.source.regionName}: the app does not exist there, belongs to another team, or is empty; check spec.source${named}`,
    };
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
  const mangled = selected.flatMap(({ component, change }) => {
    const version = change?.buildSource?.version;
    if (version === undefined || component.serviceSource !== DOCKER_IMAGE || !component.image) return [];
    const console = consoleCopyImage(component.image, version);
    const intended = intendedCopyImage(component.image, version);
    return console === intended ? [] : [{ component, console, intended }];
  });
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
  if (mangled.length > 0) {
    problems.push(
      `change.buildSource.version cannot be used for ${mangled
        .map(
          (m) =>
            `${describe(m)}: the console keeps only the part of its image ${m.component.image} before the first ":", so the copy would get ${m.console} instead of ${m.intended} and never build`,
        )
        .join(
          ', ',
        )} (remove change.buildSource.version for it, copy it unchanged and set the image in Rainbond afterwards)`,
    );
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
