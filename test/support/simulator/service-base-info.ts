// ServiceBaseInfo: a component as the console serializes it
// (goodrain/rainbond-console:openapi/serializer/app_serializer.py@ae3f1618), with the field names spelled the
// way the console really spells them (rainbond-openapi.md, "ServiceBaseInfo"; `creater` and
// `is_upgrate` are the console's spelling). The list below is both the type and the order of
// keys in every body the simulator sends.
import type { LiveStatus } from './component-status.ts';

export interface ServiceBaseFields {
  service_id: string;
  tenant_id: string;
  service_key: string;
  service_alias: string;
  service_cname: string;
  service_region: string;
  desc: string | null;
  category: string;
  version: string;
  update_version: number;
  image: string;
  cmd: string | null;
  min_node: number;
  min_cpu: number;
  container_gpu: number;
  min_memory: number;
  extend_method: string;
  code_from: string | null;
  git_url: string | null;
  git_project_id: number;
  code_version: string | null;
  service_type: string | null;
  creater: number;
  language: string | null;
  total_memory: number;
  is_service: boolean;
  service_origin: string;
  tenant_service_group_id: number;
  open_webhooks: boolean;
  service_source: string;
  create_status: string;
  check_uuid: string | null;
  check_event_id: string | null;
  docker_cmd: string | null;
  server_type: string;
  is_upgrate: boolean;
  build_upgrade: boolean;
  oauth_service_id: number | null;
  k8s_component_name: string;
}

export interface ServiceBaseInfo extends ServiceBaseFields {
  status: LiveStatus | '';
  access_infos: string[];
}

export const SERVICE_BASE_FIELDS = [
  'service_id',
  'tenant_id',
  'service_key',
  'service_alias',
  'service_cname',
  'service_region',
  'desc',
  'category',
  'version',
  'update_version',
  'image',
  'cmd',
  'min_node',
  'min_cpu',
  'container_gpu',
  'min_memory',
  'extend_method',
  'code_from',
  'git_url',
  'git_project_id',
  'code_version',
  'service_type',
  'creater',
  'language',
  'total_memory',
  'is_service',
  'service_origin',
  'tenant_service_group_id',
  'open_webhooks',
  'service_source',
  'create_status',
  'check_uuid',
  'check_event_id',
  'docker_cmd',
  'server_type',
  'is_upgrate',
  'build_upgrade',
  'oauth_service_id',
  'k8s_component_name',
] as const satisfies readonly (keyof ServiceBaseFields)[];

/** The console's serializer output: `status` and `access_infos` first, then the model fields. */
export function toServiceBaseInfo(
  fields: ServiceBaseFields,
  status: LiveStatus | '',
  accessInfos: readonly string[],
): ServiceBaseInfo {
  const out: Record<string, unknown> = { status, access_infos: [...accessInfos] };
  for (const key of SERVICE_BASE_FIELDS) out[key] = fields[key];
  return out as unknown as ServiceBaseInfo;
}

/** `"gr"` + the last 6 characters of the id: how the console derives an alias. */
export function aliasForServiceId(serviceId: string): string {
  return `gr${serviceId.slice(-6)}`;
}

/** The tag of an image reference (`nginx:1.25` -> `1.25`); `latest` when it has none. */
export function imageTag(image: string): string {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon === -1 ? 'latest' : lastSegment.slice(colon + 1);
}

/**
 * The image reference with its tag properly replaced; a registry port (`host:5000/x`) is left
 * alone. Not what the console does (see consoleImageWithVersion): used to tell when the
 * console's rewrite broke a reference.
 */
export function withImageTag(image: string, tag: string): string {
  const slash = image.lastIndexOf('/');
  const lastSegment = image.slice(slash + 1);
  const colon = lastSegment.lastIndexOf(':');
  const repo = colon === -1 ? image : image.slice(0, slash + 1 + colon);
  return `${repo}:${tag}`;
}

/**
 * The image the console gives a copy whose `change.build_source.version` is set: everything
 * before the first `:`, then `:` and the version (goodrain/rainbond-console:console/services/groupcopy_service.py@ae3f1618,
 * change_services_metadata_info). `registry:5000/app:1` becomes `registry:v2`; a digest breaks.
 */
export function consoleImageWithVersion(image: string, version: string): string {
  return `${image.split(':')[0]}:${version}`;
}
