// GET /openapi/v1/teams: the teams of the token's user, paginated
// (goodrain/rainbond-console:openapi/views/team_view.py@ae3f1618, ListTeamInfo;
// team_services.list_teams_by_user_id): `{"tenants": [...], "total", "page", "page_size"}`,
// page and page_size read with int() and falling back to 1 and 10. Only the token is checked: no
// team, region or permission. The operator's console checks call it with page_size=1.
import { ok } from './console-responses.ts';
import type { ErrorBodies } from './releases.ts';
import { authenticate } from './resolve-scope.ts';
import { noEffect, type RouteResult } from './route-context.ts';
import type { SimulatorState } from './state.ts';

export function handleListTeams(
  state: SimulatorState,
  authorization: string | undefined,
  query: URLSearchParams,
  style: ErrorBodies,
): RouteResult {
  const auth = authenticate(state, authorization, style);
  if (!auth.ok) return noEffect(auth.response);
  const page = intOr(query.get('page'), 1);
  const pageSize = intOr(query.get('page_size'), 10);
  const mine = state.teams().filter((t) => t.members.includes(auth.user.nick_name));
  const start = Math.max(0, (page - 1) * pageSize);
  const tenants = mine.slice(start, start + Math.max(0, pageSize)).map((t) => ({
    tenant_id: t.tenant_id,
    tenant_name: t.tenant_name,
    tenant_alias: t.tenant_alias,
    region_num: t.regions.length,
  }));
  return noEffect(ok({ tenants, total: mine.length, page, page_size: pageSize }));
}

/** Python's int() on a query value, with the view's fallback on ValueError. */
function intOr(text: string | null, fallback: number): number {
  if (text === null || !/^\s*[-+]?\d+\s*$/.test(text)) return fallback;
  return Number.parseInt(text, 10);
}
