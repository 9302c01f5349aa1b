// What the API server itself counts (apiserver_request_total), so request figures do not depend
// on the operator reporting its own calls truthfully. A snapshot before and after a scenario;
// the benchmark subtracts the requests it made itself (it knows them exactly).
import type { KubeRest } from './kube-rest.ts';
import { diffBy, parsePrometheusText, type Sample } from './prometheus-text.ts';

const NAMES = new Set(['apiserver_request_total']);

/**
 * The resources the operator reads or writes (it runs without leader election here, so no
 * leases); the benchmark's own requests on them (creating namespaces, consoles) are left out. Everything else the API server counts in the same window (its own identity lease
 * renewals, the benchmark's /metrics scrapes) is not the operator's doing and is left out.
 */
const OPERATOR_RESOURCES = new Set([
  'appcopies',
  'events',
  'secrets',
  'configmaps',
  'rainbondconsoles',
  'clusterrainbondconsoles',
  'namespaces',
]);

export async function scrapeApiServer(kube: KubeRest): Promise<Sample[]> {
  return parsePrometheusText(await kube.text('/metrics'), NAMES);
}

/**
 * Requests on the operator's resources between two snapshots, by `VERB resource[/subresource]`
 * (the API server's verbs: POST, PUT, PATCH, APPLY, GET, LIST, WATCH, DELETE), e.g.
 * `PUT appcopies/status`, minus the ones the benchmark made itself (`own`, same keys).
 * The API server counts a WATCH when it ends, so open watches are not in it.
 */
export function operatorRequests(
  before: readonly Sample[],
  after: readonly Sample[],
  own: Record<string, number> = {},
): Record<string, number> {
  const raw = diffBy(before, after, 'apiserver_request_total', ['verb', 'resource', 'subresource']);
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw)) {
    const [verb, resource = '', subresource] = key.split('|');
    if (!OPERATOR_RESOURCES.has(resource)) continue;
    const name = `${verb} ${resource}${subresource ? `/${subresource}` : ''}`;
    result[name] = (result[name] ?? 0) + value;
  }
  for (const [name, count] of Object.entries(own)) {
    const left = (result[name] ?? 0) - count;
    if (left > 0) result[name] = left;
    else delete result[name];
  }
  return result;
}

export function total(requests: Record<string, number>): number {
  return Object.values(requests).reduce((a, b) => a + b, 0);
}

/** Status writes among the requests: PUT, PATCH or APPLY of appcopies/status. */
export function statusWrites(requests: Record<string, number>): number {
  return ['PUT', 'PATCH', 'APPLY'].reduce(
    (sum, verb) => sum + (requests[`${verb} appcopies/status`] ?? 0),
    0,
  );
}
