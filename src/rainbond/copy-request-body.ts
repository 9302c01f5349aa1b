// The copy call's JSON body: the camelCase CopyRequest in the console's snake_case spelling.

import type { CopyRequest, ServiceChange } from './types.ts';

export interface ServiceChangeBody {
  build_source?: { version: string };
  envs?: Record<string, string>;
}

export interface CopyRequestBody {
  /** Empty means every component of the source app. */
  services: { service_id: string; change?: ServiceChangeBody }[];
  target_team_name: string;
  target_region_name: string;
  target_app_id: number;
}

/** Translates a copy request into the body the console reads; services keep their order, nothing is added. */
export function toCopyRequestBody(request: CopyRequest): CopyRequestBody {
  return {
    services: request.services.map((service) =>
      service.change === undefined
        ? { service_id: service.serviceId }
        : { service_id: service.serviceId, change: toChangeBody(service.change) },
    ),
    target_team_name: request.targetTeamName,
    target_region_name: request.targetRegionName,
    target_app_id: request.targetAppId,
  };
}

function toChangeBody(change: ServiceChange): ServiceChangeBody {
  const body: ServiceChangeBody = {};
  if (change.buildSource !== undefined) body.build_source = { version: change.buildSource.version };
  if (change.envs !== undefined) body.envs = Object.fromEntries(Object.entries(change.envs));
  return body;
}
