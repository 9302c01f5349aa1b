// Team permissions per route, for the releases that check them (releases.ts, profile 5.16):
// the caller's role in the URL's team gives a set of permission codes, and a route that needs
// a code outside the set is refused (console:openapi/views/base.py@v5.17.3-release,
// TeamNoRegionAPIView.get_perms and check_perms). Pure.
import type { ReleaseProfile, TeamRole } from './releases.ts';
import type { RouteName } from './routes.ts';
import type { TeamRecord, UserRecord } from './state.ts';

/**
 * The user's role in the team: viewer or developer when the fixture says so, admin for every
 * other member (the role a team's creator and its administrators hold); null for a non-member,
 * who holds no team permission (an enterprise admin included).
 */
export function teamRole(team: TeamRecord, user: UserRecord): TeamRole | null {
  if (!team.members.includes(user.nick_name)) return null;
  if (team.viewers.includes(user.nick_name)) return 'viewer';
  if (team.developers.includes(user.nick_name)) return 'developer';
  return 'admin';
}

/** The permission code the route needs and the user lacks in the team; null when the call may go on. */
export function missingRoutePermission(
  release: ReleaseProfile,
  route: RouteName | null,
  team: TeamRecord,
  user: UserRecord,
): number | null {
  const { routePermissions } = release;
  if (routePermissions.required === null || route === null) return null;
  const needed = routePermissions.required[route];
  if (needed === undefined) return null;
  const role = teamRole(team, user);
  const held = role === null ? [] : routePermissions.roles[role];
  return held.includes(needed) ? null : needed;
}
