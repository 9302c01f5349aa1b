// The record that outlives the status: which copies in Rainbond were made for which AppCopy.
// Pure: formats and parses the two durable records, and recognises own copies from them.
//
// The status is what users lose first (a Velero restore without status, a cluster rebuilt from
// Git, `kubectl get -o yaml | kubectl apply` elsewhere). Two records survive it:
//  - in Rainbond, one environment variable on each copy (COPY_MARKER_ENV), written through the
//    component envs endpoint, the only durable, readable field the console's OpenAPI lets a
//    client write on a component (goodrain/rainbond-console:openapi/sub_urls/app_url.py@ae3f1618:
//    no endpoint updates an app's note or a component's description; ComponentEnvsUView's PUT
//    adds or updates variables and answers all of them). It survives every loss on the
//    Kubernetes side, a new cluster included;
//  - on the AppCopy, the annotation COPY_RECORD_ANNOTATION, a mirror of the attempt's outcome,
//    kept by restores and exports that keep metadata.
// "The same AppCopy" is the same namespace and name and the same copy request (requestDigest):
// never a UID, which a new cluster does not keep.
import { createHash } from 'node:crypto';
import { type AppCopySpec, GROUP } from '../../api/appcopy.ts';
import type { Component, ComponentEnv } from '../../rainbond/types.ts';
import { judgeCopy } from './verdict.ts';

/** The variable each copy carries. Inert: nothing in the copy reads it. */
export const COPY_MARKER_ENV = 'APPCOPY_RECORD';
/** The console's note on the variable (at most 100 characters). */
export const COPY_MARKER_NOTE = 'AppCopy operator: names the AppCopy this component was copied for';
/** The annotation on the AppCopy that mirrors the attempt's outcome. */
export const COPY_RECORD_ANNOTATION = `${GROUP}/copy-record`;

const MARKER_VERSION = 'v1';

/** Who a copy was made for. */
export interface CopyOwner {
  namespace: string;
  name: string;
  /** requestDigest() of the spec that was copied. */
  request: string;
}

/**
 * A digest of what is copied, where to: source, target and services with their changes (in
 * spec order; an empty or omitted list is "every component"). Credentials and deletionPolicy do
 * not change what a copy makes, so they are left out. Pure and stable across clusters.
 */
export function requestDigest(spec: Pick<AppCopySpec, 'source' | 'target' | 'services'>): string {
  const canonical = canonicalJson({
    source: spec.source,
    target: spec.target,
    services: spec.services ?? [],
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** The marker variable's value: `v1 <namespace>/<name> <request digest> <attempt id>`. */
export function formatMarker(owner: CopyOwner, attemptId: string): string {
  return `${MARKER_VERSION} ${owner.namespace}/${owner.name} ${owner.request} ${attemptId}`;
}

/** Reads a marker value; undefined for anything this operator did not write. */
export function parseMarker(value: string): { owner: CopyOwner; attemptId: string } | undefined {
  const [version, key, request, attemptId, ...rest] = value.trim().split(/\s+/);
  if (version !== MARKER_VERSION || !key || !request || !attemptId || rest.length > 0) return undefined;
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) return undefined;
  return { owner: { namespace: key.slice(0, slash), name: key.slice(slash + 1), request }, attemptId };
}

/** The marker to write on a copy. */
export function markerEnv(owner: CopyOwner, attemptId: string): ComponentEnv {
  return { name: COPY_MARKER_ENV, value: formatMarker(owner, attemptId), note: COPY_MARKER_NOTE };
}

/**
 * What a component's variables say about who it was copied for. `unreadable`: the console
 * refuses to answer them (`why`, its words), so the component may or may not be a copy of ours.
 */
export type Marking =
  | { kind: 'ours'; attemptId: string }
  | { kind: 'foreign' }
  | { kind: 'none' }
  | { kind: 'unreadable'; why: string };

export function readMarking(envs: readonly ComponentEnv[], owner: CopyOwner): Marking {
  const marker = envs.find((e) => e.name === COPY_MARKER_ENV);
  if (!marker) return { kind: 'none' };
  const parsed = parseMarker(marker.value);
  if (!parsed || !sameOwner(parsed.owner, owner)) return { kind: 'foreign' };
  return { kind: 'ours', attemptId: parsed.attemptId };
}

/** The annotation's content: the attempt's outcome, with who it was for. */
export interface CopyRecord {
  namespace: string;
  name: string;
  request: string;
  attemptId: string;
  serviceIds: string[];
  finishedAt: string;
}

export function formatRecord(record: CopyRecord): string {
  return JSON.stringify(record);
}

/** Reads the annotation; undefined when absent or not this operator's. */
export function parseRecord(text: string | undefined): CopyRecord | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const strings = ['namespace', 'name', 'request', 'attemptId', 'finishedAt'] as const;
  if (!strings.every((k) => typeof r[k] === 'string')) return undefined;
  if (!Array.isArray(r.serviceIds) || !r.serviceIds.every((id) => typeof id === 'string')) return undefined;
  return {
    namespace: r.namespace as string,
    name: r.name as string,
    request: r.request as string,
    attemptId: r.attemptId as string,
    serviceIds: r.serviceIds as string[],
    finishedAt: r.finishedAt as string,
  };
}

export type Recognition =
  /** Nothing in the target app was made for this AppCopy: copy. */
  | { kind: 'none' }
  /** Every expected copy is there and was made for this AppCopy: adopt; `unmarked` still need a marker. */
  | { kind: 'complete'; components: Component[]; attemptId: string; unmarked: Component[] }
  /** Some copies made for this AppCopy are there, not all: a person must decide. */
  | { kind: 'partial'; components: Component[]; missing: string[] }
  /**
   * Components named like an expected copy whose variables the console will not answer, and
   * nothing else settles it: they may be this AppCopy's copies, so copying could copy twice.
   */
  | { kind: 'unreadable'; components: Component[]; why: string };

/**
 * Decides from the annotation and the markers whether the target app already holds this
 * AppCopy's copies. `target` is the target app's listing; `markings` maps the id of each
 * candidate (a component named like an expected copy) to what its marker says (absent: not
 * read, which counts as no marker). Pure.
 *
 * - The annotation, when it is this AppCopy's and every id it records is still listed, decides.
 * - Otherwise the marked components of one attempt (the newest by count) are the copies; if
 *   they lack some expected names, unmarked components of those names complete them (a crash
 *   between the copy and its markers leaves some unmarked), and get their marker.
 * - A candidate whose marker cannot be read completes nothing; unless the above found every
 *   copy, it makes the answer `unreadable`: neither "none" (copy) nor "partial" can be told.
 */
export function recogniseOwnCopies(input: {
  owner: CopyOwner;
  expectedCopies: readonly string[];
  target: readonly Component[];
  record: CopyRecord | undefined;
  markings: ReadonlyMap<string, Marking>;
}): Recognition {
  const { owner, expectedCopies, target, record, markings } = input;
  const ours = (c: Component) => {
    const m = markings.get(c.serviceId);
    return m?.kind === 'ours' ? m.attemptId : undefined;
  };
  const all = { preexistingServiceIds: [], expectedCopies: [...expectedCopies] };
  if (record && sameOwner(record, owner)) {
    const byId = new Map(target.map((c) => [c.serviceId, c]));
    const recorded = record.serviceIds.map((id) => byId.get(id));
    if (recorded.length > 0 && recorded.every((c) => c !== undefined)) {
      const verdict = judgeCopy(all, recorded as Component[]);
      if (verdict.kind === 'complete') {
        return {
          kind: 'complete',
          components: verdict.components,
          attemptId: record.attemptId,
          unmarked: verdict.components.filter((c) => ours(c) === undefined),
        };
      }
    }
  }
  const unreadable = target.filter((c) => markings.get(c.serviceId)?.kind === 'unreadable');
  const cannotTell = (): Recognition | undefined => {
    const first = markings.get(unreadable[0]?.serviceId ?? '');
    return first?.kind === 'unreadable'
      ? { kind: 'unreadable', components: unreadable, why: first.why }
      : undefined;
  };
  const byAttempt = new Map<string, Component[]>();
  for (const c of target) {
    const attemptId = ours(c);
    if (attemptId === undefined) continue;
    byAttempt.set(attemptId, [...(byAttempt.get(attemptId) ?? []), c]);
  }
  if (byAttempt.size === 0) return cannotTell() ?? { kind: 'none' };
  const [attemptId, marked] = [...byAttempt.entries()].sort((a, b) => b[1].length - a[1].length)[0] as [
    string,
    Component[],
  ];
  const markedIds = new Set(marked.map((c) => c.serviceId));
  // Never a component marked for another AppCopy.
  const unmarkedCandidates = target.filter((c) => (markings.get(c.serviceId)?.kind ?? 'none') === 'none');
  // Marked first, so that an unmarked component only fills a name no marked copy has.
  const verdict = judgeCopy(all, [...marked, ...unmarkedCandidates]);
  if (verdict.kind === 'complete') {
    return {
      kind: 'complete',
      components: verdict.components,
      attemptId,
      unmarked: verdict.components.filter((c) => !markedIds.has(c.serviceId)),
    };
  }
  const unknown = cannotTell();
  if (unknown) return unknown;
  const own = judgeCopy(all, marked);
  return own.kind === 'partial'
    ? { kind: 'partial', components: own.components, missing: own.missing }
    : { kind: 'partial', components: marked, missing: [...expectedCopies] };
}

function sameOwner(a: CopyOwner, b: CopyOwner): boolean {
  return a.namespace === b.namespace && a.name === b.name && a.request === b.request;
}

/** JSON with object keys sorted, so that equal values give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v,
  );
}
