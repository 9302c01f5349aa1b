// The fixed names of the console calls the client makes. Metrics label by these (never by a URL,
// which carries ids), and error messages describe the call with `describeRoute`.

export type RouteName =
  | 'copy'
  | 'copyPreflight'
  | 'listComponents'
  | 'getComponent'
  | 'componentEvents'
  | 'componentEnvs'
  | 'operateComponents'
  | 'deleteComponent'
  | 'listTeams'
  | 'consoleRelease';

const descriptions: Record<RouteName, string> = {
  copy: 'the copy',
  copyPreflight: 'the copy pre-flight',
  listComponents: 'listing the components',
  getComponent: 'reading the component',
  componentEvents: "reading the component's events",
  componentEnvs: "the component's environment variables",
  operateComponents: 'the component operation',
  deleteComponent: 'deleting the component',
  listTeams: "listing the token's teams",
  consoleRelease: "reading the console's release",
};

/** The call in words, for error messages: "the console rejected <description> (HTTP 404)". */
export function describeRoute(route: RouteName): string {
  return descriptions[route];
}
