// Domain types of the Rainbond client, in camelCase. The client translates them to and from the
// console's snake_case at the border (schemas.ts, copy-request-body.ts); nothing else sees snake_case.

/** An app in the console: the path prefix of every call. `teamId` is the team's tenant_id or tenant_name. */
export interface AppRef {
  teamId: string;
  regionName: string;
  appId: number;
}

/** What a copy may change in one component: the image tag / code branch, and env variable renames (old -> new). */
export interface ServiceChange {
  buildSource?: { version: string };
  envs?: Record<string, string>;
}

/** The copy call's body. `services: []` copies every component of the source app. */
export interface CopyRequest {
  services: { serviceId: string; change?: ServiceChange }[];
  targetTeamName: string;
  targetRegionName: string;
  targetAppId: number;
}

/** A component of the source app as the copy pre-flight (GET .../copy) lists it. */
export interface CopyableComponent {
  serviceId: string;
  serviceCname: string;
  serviceAlias: string;
  createStatus: string | null;
  /** `docker_image`, `source_code`, `package_build`, `third_party`, ... (from build_source). */
  serviceSource: string | null;
  buildVersion: string | null;
  /** The image of an image component (build_source.image), e.g. `nginx:1.25`. */
  image: string | null;
  /** Memory in MB; the pre-flight sends it as a string. */
  minMemory: number | null;
}

/** A component (the console's ServiceBaseInfo). Empty strings from the console are reported as null. */
export interface Component {
  serviceId: string;
  serviceAlias: string;
  serviceCname: string;
  k8sComponentName: string | null;
  /** Live status (`running`, `closed`, `undeploy`, ...), or null when the console did not report one. */
  status: string | null;
  createStatus: string | null;
  serviceSource: string | null;
}

/**
 * One component as its own view answers it (GET .../services/{service_id}): a Component and
 * where it can be reached. Only this view fills `access_infos`; the component list answers `[]`
 * (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618, AppServicesView.get and
 * ListAppServicesView.get).
 */
export interface ComponentDetail extends Component {
  /**
   * The console's access_infos as sent: `http://` or `https://` URLs of the component's HTTP
   * gateway rules (with their path), then the `host:port` endpoints of its TCP rules
   * (goodrain/rainbond-console:console/services/app_config/domain_service.py@ae3f1618,
   * get_component_access_infos). Entries that are not strings are dropped.
   */
  accessInfos: string[];
}

/** One entry of a component's event list (newest first). A build has optType `build-service`. */
export interface ComponentEvent {
  eventId: string | null;
  optType: string | null;
  /** `success`, `failure`, `timeout`, or null while the operation runs. */
  status: string | null;
  /** `complete` once the operation ended, null before. */
  finalStatus: string | null;
  message: string | null;
  createTime: string | null;
}

/** A component's environment variable as the envs endpoint reads and writes it. */
export interface ComponentEnv {
  name: string;
  value: string;
  /** The console's note on the variable (at most 100 characters). */
  note: string;
}

export type ComponentAction = 'stop' | 'start' | 'deploy' | 'upgrade';
