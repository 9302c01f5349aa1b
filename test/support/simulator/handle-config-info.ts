// GET /console/config/info: the console's platform configuration, which its web UI reads before
// login (console:console/views/logos.py@v5.16.0-release and @v6.9.8-release, ConfigRUDView, an
// AlowAnyApiView: no token is checked on any release). The answer is general_message's
// envelope (www/utils/return_message.py) with the configuration in `bean`: each key lower-cased,
// `{"enable", "value"}`, `version.value` being the image's RELEASE_DESC
// (console:console/services/config_service.py@v5.16.0-release and @v6.9.8-release,
// PlatformConfigService). Only the keys a fresh install without special environment shows,
// and no secret.
import { ok } from './console-responses.ts';
import type { ReleaseProfile } from './releases.ts';
import { noEffect, type RouteResult } from './route-context.ts';
import type { SimulatorState } from './state.ts';

export function handleConfigInfo(
  state: SimulatorState,
  release: ReleaseProfile,
  releaseDesc: string,
): RouteResult {
  const bean = {
    is_public: { enable: true, value: false },
    enterprise_center_oauth: { enable: true, value: null },
    version: { enable: true, value: releaseDesc },
    is_user_register: { enable: true, value: state.users().length > 0 },
    oauth_services: { enable: true, value: [] },
    title: { enable: true, value: release.configInfo.title },
    logo: { enable: true, value: null },
    favicon: { enable: true, value: null },
    is_regist: { enable: true, value: null },
    document: { enable: true, value: { platform_url: 'https://www.rainbond.com/' } },
    official_demo: { enable: true, value: null },
    enterprise_id: state.enterpriseId,
    is_disable_logout: false,
    is_offline: false,
  };
  return noEffect(
    ok({
      code: 200,
      msg: 'query success',
      msg_show: 'Logo获取成功',
      // initialize_info is the view's `status`: None on every release.
      data: { bean, list: [], initialize_info: null },
    }),
  );
}
