// Where the copies can be reached: which copies a poll reads, how the console's access_infos
// are sorted, what the status becomes and which Event announces it. Pure functions, one table each.
import { describe, expect, it } from 'vitest';
import type { AppCopyStatus, CopiedService, ServiceAddresses } from '../../../src/api/appcopy.ts';
import {
  AddressReason,
  addressesAnnouncement,
  addressesDue,
  firstUrl,
  MAX_ADDRESSES_PER_KIND,
  toAddresses,
  withAddresses,
} from '../../../src/controller/addresses.ts';

const SITE = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const CACHE = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';
const SITE_URL = 'http://gra1a1a1-80-t7k2m9qa.apps.example.com';
const CACHE_TCP = '203.0.113.10:30000';

const copy = (serviceId: string, status?: string, addresses?: ServiceAddresses): CopiedService => ({
  serviceId,
  serviceCname: serviceId === SITE ? 'site-copy' : 'cache-copy',
  ...(status === undefined ? {} : { status }),
  ...(addresses === undefined ? {} : { addresses }),
});
const live = (site: string | null, cache: string | null) =>
  new Map<string, string | null>([
    [SITE, site],
    [CACHE, cache],
  ]);

describe('addressesDue: which copies a poll reads', () => {
  it.each<{ name: string; previous: CopiedService[]; live: Map<string, string | null>; due: string[] }>([
    {
      name: 'copies seen running for the first time are read',
      previous: [copy(SITE, 'waiting'), copy(CACHE, 'undeploy')],
      live: live('running', 'running'),
      due: [SITE, CACHE],
    },
    {
      name: 'copies not running yet are not read',
      previous: [copy(SITE, 'undeploy'), copy(CACHE, '')],
      live: live('waiting', 'undeploy'),
      due: [],
    },
    {
      name: 'a copy that keeps running and was read is not read again, however many polls follow',
      previous: [copy(SITE, 'running', { urls: [SITE_URL] }), copy(CACHE, 'waiting')],
      live: live('running', 'waiting'),
      due: [],
    },
    {
      name: 'a copy read as having no address at all is not read again either',
      previous: [copy(SITE, 'running', {}), copy(CACHE, 'waiting')],
      live: live('running', 'waiting'),
      due: [],
    },
    {
      name: 'a copy recorded running but never read (adopted, or its read failed) is read',
      previous: [copy(SITE, 'running'), copy(CACHE, 'running', {})],
      live: live('running', 'running'),
      due: [SITE],
    },
    {
      name: 'a copy that runs anew after a poll saw it stopped is read again (a restart may bring other rules)',
      previous: [copy(SITE, 'closed', { urls: [SITE_URL] }), copy(CACHE, 'running', {})],
      live: live('running', 'running'),
      due: [SITE],
    },
    {
      name: 'a job that succeeded is not read: it serves nothing',
      previous: [copy(SITE, 'waiting')],
      live: new Map([[SITE, 'succeeded']]),
      due: [],
    },
    {
      name: 'a copy the region says nothing about, or that is gone, is not read',
      previous: [copy(SITE, 'waiting'), copy(CACHE, 'waiting')],
      live: new Map([[SITE, null]]),
      due: [],
    },
  ])('$name', ({ previous, live, due }) => {
    expect(addressesDue(previous, live)).toEqual(due);
  });
});

describe("toAddresses: the console's access_infos sorted", () => {
  it.each<{ name: string; accessInfos: string[]; addresses: ServiceAddresses; ignored?: string[] }>([
    {
      name: 'HTTP and HTTPS URLs with their paths, then TCP endpoints, in the console’s order',
      accessInfos: [SITE_URL, 'https://shop.example.com/api/v1', CACHE_TCP],
      addresses: { urls: [SITE_URL, 'https://shop.example.com/api/v1'], tcpEndpoints: [CACHE_TCP] },
    },
    { name: 'none is an empty record: read, nothing to reach', accessInfos: [], addresses: {} },
    {
      name: 'a TCP endpoint on a host name or an IPv6 address',
      accessInfos: ['tcp.apps.example.com:30001', '[2001:db8::1]:30002'],
      addresses: { tcpEndpoints: ['tcp.apps.example.com:30001', '[2001:db8::1]:30002'] },
    },
    {
      name: 'repeats are kept once',
      accessInfos: [SITE_URL, SITE_URL, CACHE_TCP, CACHE_TCP],
      addresses: { urls: [SITE_URL], tcpEndpoints: [CACHE_TCP] },
    },
    {
      name: 'what is neither a URL nor host:port is ignored and said',
      accessInfos: ['ftp://files.example.com', 'just words', 'host:99999', 'http://', CACHE_TCP],
      addresses: { tcpEndpoints: [CACHE_TCP] },
      ignored: ['ftp://files.example.com', 'just words', 'host:99999', 'http://'],
    },
  ])('$name', ({ accessInfos, addresses, ignored = [] }) => {
    expect(toAddresses(accessInfos)).toEqual({ addresses, ignored });
  });

  it(`keeps at most ${MAX_ADDRESSES_PER_KIND} of each kind`, () => {
    const many = Array.from({ length: 40 }, (_, i) => `http://d${i}.example.com`);
    expect(toAddresses(many).addresses.urls).toHaveLength(MAX_ADDRESSES_PER_KIND);
  });
});

describe('withAddresses: the status with what was read', () => {
  const status = (services: CopiedService[], url?: string): AppCopyStatus => ({
    phase: 'Succeeded',
    services,
    ...(url === undefined ? {} : { url }),
  });

  it.each<{ name: string; before: AppCopyStatus; read: Map<string, ServiceAddresses>; after: AppCopyStatus }>(
    [
      {
        name: 'the addresses go on their copies and the first URL becomes the summary',
        before: status([copy(SITE, 'running'), copy(CACHE, 'running')]),
        read: new Map([
          [SITE, { urls: [SITE_URL] }],
          [CACHE, { tcpEndpoints: [CACHE_TCP] }],
        ]),
        after: status(
          [
            copy(SITE, 'running', { urls: [SITE_URL] }),
            copy(CACHE, 'running', { tcpEndpoints: [CACHE_TCP] }),
          ],
          SITE_URL,
        ),
      },
      {
        name: 'copies not read keep what they had; the summary still comes from them',
        before: status([copy(SITE, 'running', { urls: [SITE_URL] }), copy(CACHE, 'waiting')], SITE_URL),
        read: new Map(),
        after: status([copy(SITE, 'running', { urls: [SITE_URL] }), copy(CACHE, 'waiting')], SITE_URL),
      },
      {
        name: 'only TCP endpoints make no summary: it is an HTTP address',
        before: status([copy(CACHE, 'running')]),
        read: new Map([[CACHE, { tcpEndpoints: [CACHE_TCP] }]]),
        after: status([copy(CACHE, 'running', { tcpEndpoints: [CACHE_TCP] })]),
      },
      {
        name: 'a copy read again without its URL takes the summary with it',
        before: status([copy(SITE, 'running', { urls: [SITE_URL] })], SITE_URL),
        read: new Map([[SITE, {}]]),
        after: status([copy(SITE, 'running', {})]),
      },
    ],
  )('$name', ({ before, read, after }) => {
    expect(withAddresses(before, read)).toEqual(after);
  });

  it('the summary is the first URL in status order, whichever copy was read first', () => {
    expect(
      firstUrl([
        copy(CACHE, 'running', { tcpEndpoints: [CACHE_TCP] }),
        copy(SITE, 'running', { urls: [SITE_URL, 'https://other.example.com'] }),
      ]),
    ).toBe(SITE_URL);
  });
});

describe('addressesAnnouncement: the Event', () => {
  const withServices = (services: CopiedService[]): AppCopyStatus => ({ services });

  it.each<{ name: string; before: CopiedService[]; after: CopiedService[]; event?: [string, string] }>([
    {
      name: 'the first addresses known are announced as AddressesKnown, naming them',
      before: [copy(SITE, 'waiting'), copy(CACHE, 'waiting')],
      after: [
        copy(SITE, 'running', { urls: [SITE_URL] }),
        copy(CACHE, 'running', { tcpEndpoints: [CACHE_TCP] }),
      ],
      event: [AddressReason.AddressesKnown, `the copies answer at ${SITE_URL}, ${CACHE_TCP}`],
    },
    {
      name: 'the same addresses again announce nothing',
      before: [copy(SITE, 'running', { urls: [SITE_URL] })],
      after: [copy(SITE, 'running', { urls: [SITE_URL] })],
    },
    {
      name: 'copies read as having no address announce nothing',
      before: [copy(SITE, 'waiting')],
      after: [copy(SITE, 'running', {})],
    },
    {
      name: 'other addresses later are announced as AddressesChanged',
      before: [copy(SITE, 'running', { urls: [SITE_URL] })],
      after: [copy(SITE, 'running', { urls: ['https://gra1a1a1-80-t7k2m9qa.apps.example.com'] })],
      event: [
        AddressReason.AddressesChanged,
        'the copies now answer at https://gra1a1a1-80-t7k2m9qa.apps.example.com',
      ],
    },
    {
      name: 'addresses that went away are announced too',
      before: [copy(SITE, 'running', { urls: [SITE_URL] })],
      after: [copy(SITE, 'running', {})],
      event: [AddressReason.AddressesChanged, 'the copies no longer have an address'],
    },
  ])('$name', ({ before, after, event }) => {
    const announced = addressesAnnouncement(withServices(before), withServices(after));
    expect(announced && [announced.reason, announced.message]).toEqual(event);
    if (announced) expect(announced.type).toBe('Normal');
  });

  it('names five addresses and counts the rest', () => {
    const urls = Array.from({ length: 7 }, (_, i) => `http://d${i}.example.com`);
    const announced = addressesAnnouncement(
      withServices([]),
      withServices([copy(SITE, 'running', { urls })]),
    );
    expect(announced?.message).toBe(`the copies answer at ${urls.slice(0, 5).join(', ')} and 2 more`);
  });
});
