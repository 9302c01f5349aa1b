// Console answers as the real console spells them (see docs/rainbond-openapi.md), with the extra
// keys newer consoles add and the nulls older ones send.

import type { AppRef } from '../../../src/rainbond/types.ts';

/** A 40-hex access token, as the console issues them. */
export const TOKEN = '6f1d2c3b4a5e6f708192a3b4c5d6e7f809abcdef';

export const SOURCE: AppRef = { teamId: 'o19p6wen', regionName: 'rainbond', appId: 12 };
export const TARGET: AppRef = { teamId: 'o19p6wen', regionName: 'rainbond', appId: 34 };
export const APP_PATH = '/openapi/v1/teams/o19p6wen/regions/rainbond/apps/12';

export const SERVICE_ID = '5f1c9b2e7d4a4c3b9e8f7a6b5c4d3e2f';
export const COPY_ID = 'b7e3a1d9c2f84e6a9d0c1b2a3f4e5d6c';

/** A ServiceBaseInfo with every documented key, some nulls, and keys this client does not know. */
export function serviceBaseInfo(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: 'running',
    access_infos: [],
    service_id: SERVICE_ID,
    tenant_id: '3b9f0c1d2e3f4a5b6c7d8e9f0a1b2c3d',
    service_key: 'application',
    service_alias: 'gr4d3e2f',
    service_cname: 'shop-api',
    service_region: 'rainbond',
    desc: null,
    category: 'application',
    version: '81701',
    update_version: 1,
    image: 'goodrain.me/shop-api:v1',
    cmd: null,
    min_node: 1,
    min_cpu: 250,
    container_gpu: 0,
    min_memory: 512,
    extend_method: 'stateless_multiple',
    code_from: 'image_manual',
    git_url: null,
    git_project_id: 0,
    code_version: null,
    service_type: 'application',
    creater: 1,
    language: null,
    total_memory: 512,
    is_service: false,
    service_origin: 'assistant',
    tenant_service_group_id: 0,
    open_webhooks: false,
    service_source: 'docker_image',
    create_status: 'complete',
    check_uuid: null,
    check_event_id: null,
    docker_cmd: 'goodrain.me/shop-api:v1',
    server_type: 'git',
    is_upgrate: false,
    build_upgrade: true,
    oauth_service_id: null,
    k8s_component_name: 'shop-api',
    // Added by newer consoles; must be ignored.
    build_strategy: 'dockerfile',
    job_strategy: '',
    arch: 'amd64',
    dockerfile: null,
    ...overrides,
  };
}

/** One entry of the copy pre-flight: min_memory is a string there. */
export function copyableEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    service_id: SERVICE_ID,
    service_cname: 'shop-api',
    service_alias: 'gr4d3e2f',
    create_status: 'complete',
    // As the real pre-flight: service_source only inside build_source, registry credentials in clear.
    build_source: {
      version: 'v1',
      service_source: 'docker_image',
      image: 'goodrain.me/shop-api:v1',
      user_name: 'robot',
      password: 'registry-secret-3f9a',
      arch: 'amd64',
    },
    min_memory: '512',
    app_name: 'shop',
    ...overrides,
  };
}

/** The console's error envelope. */
export function envelope(code: number, msg: string, msgShow: string): Record<string, unknown> {
  return { code, msg, msg_show: msgShow, data: { bean: {}, list: [] } };
}
