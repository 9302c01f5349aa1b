// Console releases the simulator can play: one pure record per group of releases that behave
// alike (docs/compatibility.md, "Releases that behave alike"), each listing how it differs from
// the newest line with the upstream file it was read in (`console:` goodrain/rainbond-console,
// `region:` goodrain/rainbond, at the tag named). Each profile models the FIRST release of its
// group, the one most different from the newest: profile 6.5 is v6.5.0 (before the Helm filter
// of v6.7.0 and the refusals of v6.9.2), profile 6.1 is v6.1.1 (before the pre-flight's filter
// of v6.2.0). The default, 6.9, is v6.9.3 and later: what the simulator modelled before it had
// releases.
import type { StartingStatus } from './component-status.ts';
import type { RouteName } from './routes.ts';

export const CONSOLE_RELEASE_IDS = ['5.16', '6.0', '6.1', '6.5', '6.9'] as const;
export type ConsoleReleaseId = (typeof CONSOLE_RELEASE_IDS)[number];
export const DEFAULT_CONSOLE_RELEASE: ConsoleReleaseId = '6.9';

/** The roles a team member can hold in the fixture (fixture-schema.ts: viewers, developers, the rest admins). */
export type TeamRole = 'admin' | 'developer' | 'viewer';

/**
 * How much an error body says (console/views/base.py, custom_exception_handler):
 * - `plain`: a 500 is `{"code":10401,"msg":"","msg_show":"服务端异常"}`, other errors carry no
 *   `error_type`/`error_trace`;
 * - `traced`: a 500 carries str(exc) in `msg`, the traceback in `msg_show` and `error_trace`,
 *   and `error_type`/`error_details`; 401/403/405/parse and validation answers `error_type` and
 *   `error_trace`;
 * - `traced-except-validation`: as `traced`, but validation answers drop `error_trace`.
 */
export type ErrorBodies = 'plain' | 'traced' | 'traced-except-validation';

/** A behaviour and where it was read. */
interface Cited {
  /** `console:<path>@<tag>` or `region:<path>@<tag>`, several separated by `; `. */
  source: string;
}

export interface ReleaseProfile {
  id: ConsoleReleaseId;
  /** The releases of the group. */
  releases: string;
  /** The release the profile models: the first of its group. */
  models: string;
  /**
   * Team permissions per route, checked against the caller's roles in the URL's team right
   * after the team is found (403 code 10402 when one is missing); null: no route checks one.
   * Component operations keep their own per-action check on every release (handle-operations.ts).
   */
  routePermissions:
    | (Cited & {
        required: Readonly<Partial<Record<RouteName, number>>>;
        roles: Readonly<Record<TeamRole, readonly number[]>>;
      })
    | (Cited & { required: null });
  /** How a component's events spell their fields. */
  eventFields: Cited & { spelling: 'CamelCase' | 'snake_case' };
  /** What a component whose pods are not ready reports (an explicit startingStatus option wins). */
  startingStatus: Cited & { status: StartingStatus };
  errorBodies: Cited & { detail: ErrorBodies };
  /**
   * The envs serializer's `note`: blank allowed and defaulting to "" (v6.9.3 on), or not blank
   * and without default, so a request entry without it is a KeyError 500 and any variable with
   * an empty note fails the answer check.
   */
  envNote: Cited & { blankAllowed: boolean };
  /** A team not initialized in the URL's region: 409 code 2001, or the pre-flight `[]` and 404 "no found app". */
  teamNotInitialized: Cited & { answer: 'conflict-2001' | 'nothing-found' };
  /** The copy of a Helm-installed app keeps only the region's app-service list (500 `'<id>'` outside it). */
  helmAppServiceFilter: Cited & { applies: boolean };
  /** A copy including a package_build component is refused with 400. */
  packageBuildCopy: Cited & { refused: boolean };
  /** The pre-flight leaves out docker_image components without an image. */
  preflightImageless: Cited & { leftOut: boolean };
  /** GET /console/config/info: the image's RELEASE_DESC and the default title. */
  configInfo: Cited & { releaseDesc: string; title: string };
}

const ALL_PERMISSIONS_SOURCE =
  'console:openapi/sub_urls/app_url.py@v5.17.3-release; console:console/utils/perms_route_config.py@v5.17.3-release; ' +
  'console:openapi/views/base.py@v5.17.3-release (check_perms); console:console/utils/perms.py@v5.17.3-release (DEFAULT_TEAM_ROLE_PERMS)';

/** From v6.0.0 (`b07352fd9` "perf: change url") no OpenAPI route carries permissions. */
const NO_ROUTE_PERMISSIONS: ReleaseProfile['routePermissions'] = {
  required: null,
  source: 'console:openapi/sub_urls/app_url.py@v6.0.0-release',
};

const SNAKE_EVENTS: ReleaseProfile['eventFields'] = {
  spelling: 'snake_case',
  source: 'console:openapi/serializer/app_serializer.py@v6.0.0-release (AppServiceEventsSerializer)',
};

const STARTING: ReleaseProfile['startingStatus'] = {
  status: 'starting',
  source: 'region:worker/appm/types/v1/status.go@v6.4.1-release',
};

const PLAIN_ERRORS: ReleaseProfile['errorBodies'] = {
  detail: 'plain',
  source: 'console:console/views/base.py@v6.1.0-release (custom_exception_handler)',
};

const TRACED_ERRORS: ReleaseProfile['errorBodies'] = {
  detail: 'traced',
  source: 'console:console/views/base.py@v6.1.1-release (custom_exception_handler)',
};

const NOTE_NOT_BLANK: ReleaseProfile['envNote'] = {
  blankAllowed: false,
  source:
    'console:openapi/serializer/app_serializer.py@v6.9.2-release (ComponentEnvsBaseSerializers); ' +
    'console:openapi/views/apps/apps.py@v6.9.2-release (ComponentEnvsUView.put); ' +
    'console:console/services/app_config/env_service.py@v6.9.2-release (update_or_create_envs)',
};

const NOTHING_FOUND: ReleaseProfile['teamNotInitialized'] = {
  answer: 'nothing-found',
  source: 'console:openapi/views/base.py@v6.9.1-release (TeamAPIView.initial)',
};

const NO_HELM_FILTER: ReleaseProfile['helmAppServiceFilter'] = {
  applies: false,
  source: 'console:console/services/backup_service.py@v6.6.2-release (get_group_app_metadata)',
};

const PACKAGE_BUILD_COPIED: ReleaseProfile['packageBuildCopy'] = {
  refused: false,
  source: 'console:console/services/groupcopy_service.py@v6.9.1-release',
};

const IMAGELESS_LISTED: ReleaseProfile['preflightImageless'] = {
  leftOut: false,
  source:
    'console:console/services/groupcopy_service.py@v6.1.1-release (get_group_services_with_build_source)',
};

const IMAGELESS_LEFT_OUT: ReleaseProfile['preflightImageless'] = {
  leftOut: true,
  source:
    'console:console/services/groupcopy_service.py@v6.3.0-release (get_group_services_with_build_source)',
};

/**
 * RELEASE_DESC as the official images write it, `<tag>-<short commit>-<date +%F-%H>`
 * (console:release.sh@v5.16.0-release; v6: goodrain/rainbond .github/workflows/release-v6.yml):
 * the tag's own commit, and its commit hour (UTC) standing in for the build hour.
 */
const CONFIG_SOURCE_V5 =
  'console:console/views/logos.py@v5.16.0-release (ConfigRUDView); console:console/services/config_service.py@v5.16.0-release (PlatformConfigService); console:release.sh@v5.16.0-release';
const CONFIG_SOURCE_V6 =
  'console:console/views/logos.py@v6.9.8-release (ConfigRUDView); console:console/services/config_service.py@v6.9.8-release (PlatformConfigService)';

export const RELEASE_PROFILES: Readonly<Record<ConsoleReleaseId, ReleaseProfile>> = {
  '5.16': {
    id: '5.16',
    releases: 'v5.16.0–v5.17.3',
    models: 'v5.16.0',
    routePermissions: {
      // Only the routes the simulator serves; operations carry none at route level.
      required: {
        copyPreflight: 200001,
        copy: 300014,
        getApp: 300001,
        listComponents: 300001,
        getComponent: 400001,
        deleteComponent: 400004,
        events: 400001,
      },
      // DEFAULT_TEAM_ROLE_PERMS (管理员, 开发者, 观察者), restricted to the codes above. A team's
      // owner holds every team permission, like the admin role.
      roles: {
        admin: [200001, 300001, 300014, 400001, 400004],
        developer: [200001, 300001, 300014, 400001],
        viewer: [200001, 300001, 400001],
      },
      source: ALL_PERMISSIONS_SOURCE,
    },
    eventFields: {
      spelling: 'CamelCase',
      source:
        'console:openapi/serializer/app_serializer.py@v5.17.3-release (AppServiceEventsSerializer); region:db/model/event.go@v5.17.3-release',
    },
    startingStatus: STARTING,
    errorBodies: PLAIN_ERRORS,
    envNote: NOTE_NOT_BLANK,
    teamNotInitialized: {
      answer: 'nothing-found',
      source: 'console:openapi/views/base.py@v5.17.3-release (TeamAPIView.initial)',
    },
    helmAppServiceFilter: NO_HELM_FILTER,
    packageBuildCopy: PACKAGE_BUILD_COPIED,
    preflightImageless: {
      leftOut: false,
      source:
        'console:console/services/groupcopy_service.py@v5.17.3-release (get_group_services_with_build_source)',
    },
    configInfo: {
      releaseDesc: 'v5.16.0-release-e659d60-2023-11-30-06',
      title: 'Rainbond',
      source: CONFIG_SOURCE_V5,
    },
  },
  '6.0': {
    id: '6.0',
    releases: 'v6.0.0–v6.1.0',
    models: 'v6.0.0',
    routePermissions: NO_ROUTE_PERMISSIONS,
    eventFields: SNAKE_EVENTS,
    startingStatus: STARTING,
    errorBodies: PLAIN_ERRORS,
    envNote: NOTE_NOT_BLANK,
    teamNotInitialized: NOTHING_FOUND,
    helmAppServiceFilter: NO_HELM_FILTER,
    packageBuildCopy: PACKAGE_BUILD_COPIED,
    preflightImageless: IMAGELESS_LISTED,
    configInfo: { releaseDesc: 'v6.0.0-release-726ae5d-2024-11-21-16', title: '', source: CONFIG_SOURCE_V6 },
  },
  '6.1': {
    id: '6.1',
    releases: 'v6.1.1–v6.4.1',
    models: 'v6.1.1',
    routePermissions: NO_ROUTE_PERMISSIONS,
    eventFields: SNAKE_EVENTS,
    startingStatus: STARTING,
    errorBodies: TRACED_ERRORS,
    envNote: NOTE_NOT_BLANK,
    teamNotInitialized: NOTHING_FOUND,
    helmAppServiceFilter: NO_HELM_FILTER,
    packageBuildCopy: PACKAGE_BUILD_COPIED,
    preflightImageless: IMAGELESS_LISTED,
    configInfo: { releaseDesc: 'v6.1.1-release-7809927-2025-01-15-06', title: '', source: CONFIG_SOURCE_V6 },
  },
  '6.5': {
    id: '6.5',
    releases: 'v6.5.0–v6.9.2',
    models: 'v6.5.0',
    routePermissions: NO_ROUTE_PERMISSIONS,
    eventFields: SNAKE_EVENTS,
    startingStatus: {
      status: 'waiting',
      source: 'region:worker/appm/types/v1/status.go@v6.5.0-release',
    },
    errorBodies: TRACED_ERRORS,
    envNote: NOTE_NOT_BLANK,
    teamNotInitialized: NOTHING_FOUND,
    helmAppServiceFilter: NO_HELM_FILTER,
    packageBuildCopy: PACKAGE_BUILD_COPIED,
    preflightImageless: IMAGELESS_LEFT_OUT,
    configInfo: { releaseDesc: 'v6.5.0-release-ecd7730-2025-12-26-15', title: '', source: CONFIG_SOURCE_V6 },
  },
  '6.9': {
    id: '6.9',
    releases: 'v6.9.3–v6.9.8 and main',
    models: 'v6.9.3',
    routePermissions: NO_ROUTE_PERMISSIONS,
    eventFields: SNAKE_EVENTS,
    startingStatus: {
      status: 'waiting',
      source: 'region:worker/appm/types/v1/status.go@v6.5.0-release',
    },
    errorBodies: {
      detail: 'traced-except-validation',
      source: 'console:console/views/base.py@v6.9.3-release (custom_exception_handler)',
    },
    envNote: {
      blankAllowed: true,
      source:
        'console:openapi/serializer/app_serializer.py@v6.9.3-release (ComponentEnvsBaseSerializers); ' +
        'console:console/services/app_config/env_service.py@v6.9.3-release (update_or_create_envs)',
    },
    teamNotInitialized: {
      answer: 'conflict-2001',
      source:
        'console:openapi/views/base.py@v6.9.2-release (TeamAPIView.initial); console:openapi/views/exceptions.py@v6.9.2-release',
    },
    helmAppServiceFilter: {
      applies: true,
      source: 'console:console/services/backup_service.py@v6.7.0-release (get_group_app_metadata)',
    },
    packageBuildCopy: {
      refused: true,
      source: 'console:console/services/groupcopy_service.py@v6.9.2-release (validate_services_support_copy)',
    },
    preflightImageless: IMAGELESS_LEFT_OUT,
    configInfo: { releaseDesc: 'v6.9.3-release-26cf5f1-2026-07-01-23', title: '', source: CONFIG_SOURCE_V6 },
  },
};

export function isConsoleReleaseId(text: string): text is ConsoleReleaseId {
  return (CONSOLE_RELEASE_IDS as readonly string[]).includes(text);
}

/** The profile of a release group; throws a RangeError naming the valid ids for anything else. */
export function releaseProfile(id: string): ReleaseProfile {
  if (!isConsoleReleaseId(id)) {
    throw new RangeError(
      `unknown console release ${JSON.stringify(id)}: expected one of ${CONSOLE_RELEASE_IDS.join(', ')}`,
    );
  }
  return RELEASE_PROFILES[id];
}
