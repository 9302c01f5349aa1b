// The console's gateway rules: a component's ports, its HTTP rules (the service_domain table) and
// TCP rules (service_tcp_domain), what the component view makes of them (access_infos), and the
// rules a copy gets. Pure functions over records; state.ts keeps the records.
//
// - access_infos: each HTTP rule as `http://<domain_name><domain_path>`, `https://` when a
//   certificate is bound (certificate_id != 0), then each TCP rule's end_point with a `0.0.0.0`
//   host replaced by the region's TCP domain
//   (goodrain/rainbond-console:console/services/app_config/domain_service.py@ae3f1618,
//   get_component_access_infos and get_tcp_rules_by_service_ids). Only the component view fills
//   them (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618, AppServicesView.get);
//   the list leaves the serializer's default `[]` (ListAppServicesView.get,
//   goodrain/rainbond-console:openapi/serializer/app_serializer.py@ae3f1618).
// - A copy's rules: for each outer port of the source (its ports are copied), an HTTP port gets
//   the default domain `<new alias>-<port>-<target tenant_name>.<region http domain>` with no
//   path and no certificate; any other protocol gets a TCP rule `0.0.0.0:<port>` on a port the
//   region picks. The source's own rules are not copied
//   (goodrain/rainbond-console:console/services/groupapp_recovery/groupapps_migrate.py@ae3f1618,
//   __save_port, which looks the rules up by the new service_id and finds none).
// - The region picks the lowest free port from 30000 (MIN_LB_PORT) among the TCP rules' ports
//   (goodrain/rainbond:api/handler/gateway_action.go@385642ba, GetAvailablePort and
//   selectAvailablePort).

export interface PortRecord {
  container_port: number;
  /** `http`, `tcp`, `udp`, `mysql`, `grpc`, ... */
  protocol: string;
  /** Open to the outside: the gateway has a rule for it. */
  is_outer_service: boolean;
}

export interface HttpRuleRecord {
  domain_name: string;
  /** Appended as it is (`/api`); empty for a default domain. */
  domain_path: string;
  /** 0 = no certificate (http); any other id = a bound certificate (https). */
  certificate_id: number;
  container_port: number;
}

export interface TcpRuleRecord {
  /** `0.0.0.0:<port>` (the region's gateway) or `<ip>:<port>`. */
  end_point: string;
  container_port: number;
  protocol: string;
}

/** A region's gateway domains (the console's region_info.httpdomain and tcpdomain). */
export interface RegionGateway {
  http_domain: string;
  tcp_domain: string;
}

/** The lowest port the region hands out for TCP rules when MIN_LB_PORT is not set. */
export const MIN_LB_PORT = 30_000;
const MAX_LB_PORT = 65_535;

/** What the component view answers in access_infos. */
export function accessInfosOf(
  rules: { http_rules: readonly HttpRuleRecord[]; tcp_rules: readonly TcpRuleRecord[] },
  gateway: RegionGateway,
): string[] {
  const http = rules.http_rules.map(
    (r) => `${r.certificate_id === 0 ? 'http' : 'https'}://${r.domain_name}${r.domain_path}`,
  );
  const tcp = rules.tcp_rules.map((r) => {
    const parts = r.end_point.split(':');
    return parts.length === 2 && parts[0] === '0.0.0.0' ? `${gateway.tcp_domain}:${parts[1]}` : r.end_point;
  });
  return [...http, ...tcp];
}

/** The port of an end_point (`host:port`), or undefined. */
export function endPointPort(endPoint: string): number | undefined {
  const port = Number(endPoint.slice(endPoint.lastIndexOf(':') + 1));
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** The lowest free port from MIN_LB_PORT, given the ports in use; undefined when none is left. */
export function availableLbPort(used: ReadonlySet<number>): number | undefined {
  for (let port = MIN_LB_PORT; port <= MAX_LB_PORT; port++) if (!used.has(port)) return port;
  return undefined;
}

/**
 * The gateway rules a copy gets for the source's `ports`. `takePort` hands out a region port for
 * a TCP rule (and marks it used); a copy whose region has none left gets no rule for that port,
 * as the console skips the port when the region does not answer.
 */
export function copyGatewayRules(
  ports: readonly PortRecord[],
  copy: { alias: string; tenantName: string; gateway: RegionGateway },
  takePort: () => number | undefined,
): { http_rules: HttpRuleRecord[]; tcp_rules: TcpRuleRecord[] } {
  const http_rules: HttpRuleRecord[] = [];
  const tcp_rules: TcpRuleRecord[] = [];
  for (const port of ports) {
    if (!port.is_outer_service) continue;
    if (port.protocol === 'http') {
      http_rules.push({
        domain_name: `${copy.alias}-${port.container_port}-${copy.tenantName}.${copy.gateway.http_domain}`,
        domain_path: '',
        certificate_id: 0,
        container_port: port.container_port,
      });
    } else {
      const lbPort = takePort();
      if (lbPort === undefined) continue;
      tcp_rules.push({
        end_point: `0.0.0.0:${lbPort}`,
        container_port: port.container_port,
        protocol: port.protocol,
      });
    }
  }
  return { http_rules, tcp_rules };
}
