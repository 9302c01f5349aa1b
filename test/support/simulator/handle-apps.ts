// Apps list and detail (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618,
// ListAppsView and AppInfoView; rainbond-openapi.md, endpoint table): bare bodies, the id in `ID`,
// the detail's status derived from the live status of its components.
import { ok } from './console-responses.ts';
import { djangoDateTime } from './console-time.ts';
import { noEffect, type RouteContext, type RouteResult } from './route-context.ts';
import type { AppRecord } from './state.ts';

function appFields(app: AppRecord): Record<string, unknown> {
  return {
    ID: app.ID,
    tenant_id: app.tenant_id,
    group_name: app.group_name,
    region_name: app.region_name,
    is_default: false,
    order_index: 0,
    note: app.note,
    username: '',
    governance_mode: 'KUBERNETES_NATIVE_SERVICE',
    create_time: djangoDateTime(app.create_time),
    update_time: djangoDateTime(app.update_time),
    app_type: 'rainbond',
    app_store_name: null,
    app_store_url: null,
    app_template_name: null,
    version: null,
    logo: '',
    k8s_app: app.k8s_app,
  };
}

export function handleListApps(ctx: RouteContext): RouteResult {
  const apps = ctx.state.appsOf(ctx.scope.team.tenant_id, ctx.scope.regionName);
  return noEffect(ok(apps.map(appFields)));
}

export function handleGetApp(ctx: RouteContext): RouteResult {
  const { state, scope } = ctx;
  const app = scope.app!;
  const components = state.componentsOf(app.ID);
  const running = components.filter((c) => state.liveStatus(c.service_id) === 'running');
  let status = 'closed';
  if (running.length > 0) status = running.length === components.length ? 'running' : 'part_running';
  return noEffect(
    ok({
      ...appFields(app),
      enterprise_id: state.enterpriseId,
      service_count: components.length,
      running_service_count: running.length,
      // `used_momory` is the console's spelling.
      used_momory: running.reduce((sum, c) => sum + c.min_memory * c.min_node, 0),
      used_cpu: running.reduce((sum, c) => sum + c.min_cpu * c.min_node, 0),
      app_id: app.ID,
      team_name: scope.team.tenant_name,
      status,
    }),
  );
}
