// The two console apps an AppCopy names, as the Rainbond client addresses them.
import type { AppCopySpec } from '../api/appcopy.ts';
import type { AppRef } from '../rainbond/types.ts';

/** The source app: the copy's URL path (team by tenant id or name). */
export function sourceApp(spec: AppCopySpec): AppRef {
  return { teamId: spec.source.teamId, regionName: spec.source.regionName, appId: spec.source.appId };
}

/** The target app, addressed through the target team's tenant_name. */
export function targetApp(spec: AppCopySpec): AppRef {
  return { teamId: spec.target.teamName, regionName: spec.target.regionName, appId: spec.target.appId };
}
