// The console URLs the simulator serves (goodrain/rainbond-console:openapi/sub_urls/app_url.py@ae3f1618,
// openapi/urls.py@ae3f1618; rainbond-openapi.md, "Endpoints around the copy"),
// each with the name faults and the ledger use. A path is matched the way Django's URL
// resolver does it: exact, no trailing slash, numeric app ids; anything else is Django's 404.

export const ROUTE_NAMES = [
  'copy',
  'copyPreflight',
  'listApps',
  'getApp',
  'listComponents',
  'getComponent',
  'deleteComponent',
  'operations',
  'events',
  'componentEnvs',
  'listTeams',
  'consoleConfig',
] as const;

export type RouteName = (typeof ROUTE_NAMES)[number];

/**
 * Which lookups the console's view class runs before the method handler:
 * `team` = token, team, region; `app` = also the app; `component` = also the component.
 */
export type ViewScope = 'team' | 'app' | 'component';

export interface RouteParams {
  teamId: string;
  regionName: string;
  appId?: number;
  serviceId?: string;
}

export interface ViewMatch {
  scope: ViewScope;
  params: RouteParams;
  /** HTTP method -> route name, for the methods this URL answers. */
  methods: Readonly<Partial<Record<string, RouteName>>>;
}

interface ViewDefinition {
  pattern: RegExp;
  scope: ViewScope;
  methods: Partial<Record<string, RouteName>>;
}

const TEAM = '/openapi/v1/teams/([\\w-]+)/regions/([\\w-]+)';

const VIEWS: readonly ViewDefinition[] = [
  { pattern: new RegExp(`^${TEAM}/apps$`), scope: 'team', methods: { GET: 'listApps' } },
  { pattern: new RegExp(`^${TEAM}/apps/(\\d+)$`), scope: 'app', methods: { GET: 'getApp' } },
  {
    pattern: new RegExp(`^${TEAM}/apps/(\\d+)/copy$`),
    scope: 'team',
    methods: { GET: 'copyPreflight', POST: 'copy' },
  },
  { pattern: new RegExp(`^${TEAM}/apps/(\\d+)/services$`), scope: 'app', methods: { GET: 'listComponents' } },
  {
    pattern: new RegExp(`^${TEAM}/apps/(\\d+)/services/([\\w-]+)$`),
    scope: 'component',
    methods: { GET: 'getComponent', DELETE: 'deleteComponent' },
  },
  { pattern: new RegExp(`^${TEAM}/apps/(\\d+)/operations$`), scope: 'app', methods: { POST: 'operations' } },
  {
    pattern: new RegExp(`^${TEAM}/apps/(\\d+)/services/([\\w-]+)/events$`),
    scope: 'component',
    methods: { GET: 'events' },
  },
  {
    pattern: new RegExp(`^${TEAM}/apps/(\\d+)/services/([\\w-]+)/envs$`),
    scope: 'component',
    methods: { PUT: 'componentEnvs' },
  },
];

/** The view a path belongs to, or null when Django would answer 404. */
export function matchView(pathname: string): ViewMatch | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  for (const view of VIEWS) {
    const m = view.pattern.exec(decoded);
    if (!m) continue;
    const [, teamId = '', regionName = '', appId, serviceId] = m;
    const params: RouteParams = { teamId, regionName };
    if (appId !== undefined) params.appId = Number(appId);
    if (serviceId !== undefined) params.serviceId = serviceId;
    return { scope: view.scope, params, methods: view.methods };
  }
  return null;
}
