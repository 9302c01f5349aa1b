// Where the copies can be reached, decided from data. Pure.
//
// The console knows each component's addresses: its HTTP gateway rules as `http://` URLs, or
// `https://` when a certificate is bound to the domain, with the rule's path, then its TCP rules
// as `host:port` (goodrain/rainbond-console:console/services/app_config/domain_service.py@ae3f1618,
// get_component_access_infos). Only the single-component view answers them; the component list
// always says `access_infos: []` (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618,
// AppServicesView.get and ListAppServicesView.get). A copy gets gateway rules of its own while the
// copy runs: a default domain `<alias>-<port>-<tenant_name>.<region http domain>` for each outer
// HTTP port and a TCP rule on a port the region picks for each other outer port
// (goodrain/rainbond-console:console/services/groupapp_recovery/groupapps_migrate.py@ae3f1618,
// __save_port).
//
// So following reads a copy's view once, when the copy is first seen running, and again only
// when it runs anew after a poll saw it not running (a restart or a redeploy may come with other
// rules): never while it keeps running, never for the other copies, and never once following
// has ended.
import type { AppCopyStatus, CopiedService, ServiceAddresses } from '../api/appcopy.ts';
import type { Announcement } from './report.ts';

/** The live status in which a copy serves. */
const SERVING = 'running';

/** At most this many URLs, and as many TCP endpoints, are kept per copy (the status stays small). */
export const MAX_ADDRESSES_PER_KIND = 16;

/** Event reasons (Normal): the copies' addresses became known, or changed later. */
export const AddressReason = {
  AddressesKnown: 'AddressesKnown',
  AddressesChanged: 'AddressesChanged',
} as const;

/**
 * The copies whose addresses this poll should read: those `live` shows running that were never
 * read (no `addresses`) or that the previous poll did not see running. `previous` is
 * status.services as the previous poll wrote it.
 */
export function addressesDue(
  previous: readonly CopiedService[],
  live: ReadonlyMap<string, string | null | undefined>,
): string[] {
  return previous
    .filter((s) => live.get(s.serviceId) === SERVING)
    .filter((s) => s.addresses === undefined || s.status !== SERVING)
    .map((s) => s.serviceId);
}

const TCP_ENDPOINT = /^(\[[0-9A-Fa-f:.]+\]|[^\s/:[\]]+):\d{1,5}$/;

/**
 * Sorts the console's access_infos into URLs (http and https, path kept) and TCP endpoints
 * (`host:port`), in the console's order, without repeats. Anything else is `ignored`.
 */
export function toAddresses(accessInfos: readonly string[]): {
  addresses: ServiceAddresses;
  ignored: string[];
} {
  const urls: string[] = [];
  const tcpEndpoints: string[] = [];
  const ignored: string[] = [];
  for (const raw of accessInfos) {
    const text = raw.trim();
    if (isHttpUrl(text)) {
      if (!urls.includes(text) && urls.length < MAX_ADDRESSES_PER_KIND) urls.push(text);
    } else if (TCP_ENDPOINT.test(text) && validPort(text)) {
      if (!tcpEndpoints.includes(text) && tcpEndpoints.length < MAX_ADDRESSES_PER_KIND)
        tcpEndpoints.push(text);
    } else {
      ignored.push(raw);
    }
  }
  return {
    addresses: {
      ...(urls.length > 0 ? { urls } : {}),
      ...(tcpEndpoints.length > 0 ? { tcpEndpoints } : {}),
    },
    ignored,
  };
}

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text) || !URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

function validPort(endpoint: string): boolean {
  const port = Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
  return port >= 1 && port <= 65_535;
}

/**
 * The status with the addresses just `read` (by serviceId) put on their copies, the others
 * keeping what they had, and `url` set to the first URL over the copies in status order (removed
 * when there is none).
 */
export function withAddresses(
  status: AppCopyStatus,
  read: ReadonlyMap<string, ServiceAddresses> = new Map(),
): AppCopyStatus {
  const services = status.services?.map((s) => {
    const addresses = read.get(s.serviceId);
    return addresses === undefined ? s : { ...s, addresses };
  });
  const { url: _previous, ...rest } = status;
  const url = firstUrl(services ?? []);
  return {
    ...rest,
    ...(services === undefined ? {} : { services }),
    ...(url === undefined ? {} : { url }),
  };
}

/** The first HTTP(S) URL of the copies, in status order. */
export function firstUrl(services: readonly CopiedService[]): string | undefined {
  for (const s of services) {
    const url = s.addresses?.urls?.[0];
    if (url) return url;
  }
  return undefined;
}

/** Every address of the copies, URLs first, in status order. */
export function allAddresses(services: readonly CopiedService[] | undefined): string[] {
  const list = services ?? [];
  return [
    ...list.flatMap((s) => s.addresses?.urls ?? []),
    ...list.flatMap((s) => s.addresses?.tcpEndpoints ?? []),
  ];
}

/** How many addresses an Event names before it says "and N more". */
const NAMED_IN_EVENT = 5;

/**
 * The Event announcing the copies' addresses: AddressesKnown when the AppCopy had none and now
 * has some, AddressesChanged when it had some and they changed; nothing otherwise.
 */
export function addressesAnnouncement(
  before: AppCopyStatus | undefined,
  after: AppCopyStatus | undefined,
): Announcement | undefined {
  const was = allAddresses(before?.services);
  const is = allAddresses(after?.services);
  if (was.join('\n') === is.join('\n')) return undefined;
  const named = is.slice(0, NAMED_IN_EVENT).join(', ');
  const more = is.length > NAMED_IN_EVENT ? ` and ${is.length - NAMED_IN_EVENT} more` : '';
  if (was.length === 0) {
    return {
      type: 'Normal',
      reason: AddressReason.AddressesKnown,
      message: `the copies answer at ${named}${more}`,
    };
  }
  return {
    type: 'Normal',
    reason: AddressReason.AddressesChanged,
    message:
      is.length === 0 ? 'the copies no longer have an address' : `the copies now answer at ${named}${more}`,
  };
}
