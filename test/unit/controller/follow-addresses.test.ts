// Following the copies, as far as their addresses go: one poll per case, from the AppCopy as the
// previous poll left it and the console's answers, to the status, the Argo CD link annotation,
// the Events and the console calls. Which copies a poll reads, and how the console's access_infos
// are sorted, are the pure tables of addresses.test.ts; the annotation's rules external-link.test.ts.
import { KubeApiError } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AppCopy, AppCopySpec, CopiedService, ServiceAddresses } from '../../../src/api/appcopy.ts';
import { withAddresses } from '../../../src/controller/addresses.ts';
import { EXTERNAL_LINK_ANNOTATION } from '../../../src/controller/external-link.ts';
import { createFollower, type FollowSettings } from '../../../src/controller/follow.ts';
import { outcomeOf } from '../../../src/controller/outcome.ts';
import { type AppCopyStore, FIELD_MANAGER } from '../../../src/k8s/appcopy-store.ts';
import type { Component, ComponentDetail } from '../../../src/rainbond/types.ts';
import { aSession } from '../../fakes/console-access.ts';
import { notSent } from '../../fakes/console-errors.ts';
import { answer, type ConsoleScript, compute, fail } from '../../fakes/rainbond-client.ts';
import { aCopyableComponent, aCopyOf, anAppCopy } from '../../support/builders.ts';
import { aWorld, copiedAtT0, silent, TOKEN, type World } from './support/world.ts';

const SETTINGS: FollowSettings = {
  followTimeoutMs: 30 * 60_000,
  followIntervalMs: 5_000,
  followMaxIntervalMs: 60_000,
};
const A_MINUTE = 60_000;

const site = aCopyOf(aCopyableComponent({ serviceCname: 'site' }));
const cache = aCopyOf(aCopyableComponent({ serviceCname: 'cache' }));
const SITE_URL = `http://${site.serviceAlias}-80-t7k2m9qa.apps.example.com`;
const SITE_HTTPS = `https://${site.serviceAlias}-80-t7k2m9qa.apps.example.com`;
const CACHE_TCP = '203.0.113.10:30000';
const THEIRS = 'https://preview.example.com/pr-42';

const is = (component: Component, status: string): Component => ({ ...component, status });

/** The follower of a case's world (its store unless another is given), asking the world's console. */
const followerOf = (w: World, store: AppCopyStore = w.store) => {
  const follower = createFollower({ store, events: w.events, settings: SETTINGS, now: w.now });
  return (object: AppCopy, spec: AppCopySpec, log: Logger) =>
    follower(object, spec, aSession(w.console, TOKEN), log);
};

/** The AppCopy after a poll that recorded these statuses and addresses (and, maybe, a link). */
function previousPoll(
  recorded: [string, ServiceAddresses?][],
  link?: { value: string; by: string },
): AppCopy {
  const object = anAppCopy(copiedAtT0([site, cache], true), (d) => {
    const services = d.status?.services ?? [];
    d.status = withAddresses({
      ...d.status,
      services: services.map((s, i): CopiedService => {
        const [status, addresses] = recorded[i] ?? ['undeploy'];
        return { ...s, status, ...(addresses ? { addresses } : {}) };
      }),
    });
    if (link) {
      d.metadata.annotations = { [EXTERNAL_LINK_ANNOTATION]: link.value };
      d.metadata.managedFields = [
        {
          manager: link.by,
          operation: 'Update',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:annotations': { [`f:${EXTERNAL_LINK_ANNOTATION}`]: {} } } },
        },
      ];
    }
  });
  return object;
}

/** The copies' own views: `accessInfos` by serviceId. */
const views = (accessInfos: Record<string, string[]>) =>
  compute<'getComponent'>(
    (_token, _app, serviceId): ComponentDetail => ({
      ...(serviceId === site.serviceId ? site : cache),
      status: 'running',
      accessInfos: accessInfos[serviceId] ?? [],
    }),
  );

interface Case {
  name: string;
  given: AppCopy;
  console: ConsoleScript;
  expected: {
    calls: string[];
    writes: string[];
    events: string[];
    addresses: (ServiceAddresses | undefined)[];
    url: string | undefined;
    link: string | undefined;
  };
}

const cases: Case[] = [
  {
    name: 'copies seen running for the first time: each view read once, the URL in status and in the link, announced',
    given: previousPoll([['waiting'], ['waiting']]),
    console: {
      listComponents: [answer([is(site, 'running'), is(cache, 'running')])],
      getComponent: [views({ [site.serviceId]: [SITE_URL], [cache.serviceId]: [CACHE_TCP] })],
    },
    expected: {
      calls: ['listComponents', 'getComponent', 'getComponent'],
      writes: ['annotation', 'status'],
      events: ['Normal/ComponentsRunning', 'Normal/AddressesKnown'],
      addresses: [{ urls: [SITE_URL] }, { tcpEndpoints: [CACHE_TCP] }],
      url: SITE_URL,
      link: SITE_URL,
    },
  },
  {
    name: 'a copy running while the other builds: only it is read; the status shows its URL at once',
    given: previousPoll([['waiting'], ['undeploy']]),
    console: {
      listComponents: [answer([is(site, 'running'), is(cache, 'waiting')])],
      getComponent: [views({ [site.serviceId]: [SITE_URL] })],
    },
    expected: {
      calls: ['listComponents', 'getComponent'],
      writes: ['annotation', 'status'],
      events: ['Normal/AddressesKnown'],
      addresses: [{ urls: [SITE_URL] }, undefined],
      url: SITE_URL,
      link: SITE_URL,
    },
  },
  {
    name: 'a copy already read that keeps running is not read again: the poll costs the list alone',
    given: previousPoll([['running', { urls: [SITE_URL] }], ['waiting']], {
      value: SITE_URL,
      by: FIELD_MANAGER,
    }),
    console: { listComponents: [answer([is(site, 'running'), is(cache, 'waiting')])] },
    expected: {
      calls: ['listComponents'],
      writes: ['status'],
      events: [],
      addresses: [{ urls: [SITE_URL] }, undefined],
      url: SITE_URL,
      link: SITE_URL,
    },
  },
  {
    name: 'a copy that runs anew after a stop is read again: a certificate bound meanwhile turns the URL to https',
    given: previousPoll([['closed', { urls: [SITE_URL] }], ['waiting']], {
      value: SITE_URL,
      by: FIELD_MANAGER,
    }),
    console: {
      listComponents: [answer([is(site, 'running'), is(cache, 'waiting')])],
      getComponent: [views({ [site.serviceId]: [SITE_HTTPS] })],
    },
    expected: {
      calls: ['listComponents', 'getComponent'],
      writes: ['annotation', 'status'],
      events: ['Normal/AddressesChanged'],
      addresses: [{ urls: [SITE_HTTPS] }, undefined],
      url: SITE_HTTPS,
      link: SITE_HTTPS,
    },
  },
  {
    name: 'a component view the console does not answer leaves the addresses empty; following ends all the same',
    given: previousPoll([['waiting'], ['waiting']]),
    console: {
      listComponents: [answer([is(site, 'running'), is(cache, 'running')])],
      getComponent: [fail(notSent('getComponent'))],
    },
    expected: {
      calls: ['listComponents', 'getComponent', 'getComponent'],
      writes: ['status'],
      events: ['Normal/ComponentsRunning'],
      addresses: [undefined, undefined],
      url: undefined,
      link: undefined,
    },
  },
  {
    name: 'copies with no outer port are read as having none: no URL, no link, nothing announced',
    given: previousPoll([['waiting'], ['waiting']]),
    console: {
      listComponents: [answer([is(site, 'running'), is(cache, 'running')])],
      getComponent: [views({})],
    },
    expected: {
      calls: ['listComponents', 'getComponent', 'getComponent'],
      writes: ['status'],
      events: ['Normal/ComponentsRunning'],
      addresses: [{}, {}],
      url: undefined,
      link: undefined,
    },
  },
  {
    name: 'a link the user set in Git is kept; the status still shows the URL',
    given: previousPoll([['waiting'], ['waiting']], { value: THEIRS, by: 'argocd-controller' }),
    console: {
      listComponents: [answer([is(site, 'running'), is(cache, 'running')])],
      getComponent: [views({ [site.serviceId]: [SITE_URL] })],
    },
    expected: {
      calls: ['listComponents', 'getComponent', 'getComponent'],
      writes: ['status'],
      events: ['Normal/ComponentsRunning', 'Normal/AddressesKnown'],
      addresses: [{ urls: [SITE_URL] }, {}],
      url: SITE_URL,
      link: THEIRS,
    },
  },
];

describe('following the copies: their addresses', () => {
  it.each(cases)('$name', async (c) => {
    const w = await aWorld({ given: c.given, console: c.console, atMs: A_MINUTE });
    const spec = w.spec;
    if (!spec) throw new Error('the case needs a valid spec');
    const follow = followerOf(w);

    await outcomeOf(() => follow(c.given, spec, silent));

    const stored = w.stored();
    expect({
      calls: w.console.methods(),
      writes: w.store.writes.map((write) => write.kind),
      events: w.events.summary(),
      addresses: stored?.status?.services?.map((s) => s.addresses),
      url: stored?.status?.url,
      link: stored?.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION],
    }).toEqual(c.expected);
    // The link is never stored after a status that shows its URL.
    const kinds = w.store.writes.map((write) => write.kind);
    if (kinds.includes('annotation'))
      expect(kinds.indexOf('annotation')).toBeLessThan(kinds.indexOf('status'));
  });

  it('the link the operator set is its own afterwards, so a later URL replaces it', async () => {
    const w = await aWorld({
      given: previousPoll([['waiting'], ['waiting']]),
      console: {
        listComponents: [answer([is(site, 'running'), is(cache, 'waiting')])],
        getComponent: [views({ [site.serviceId]: [SITE_URL] })],
      },
      atMs: A_MINUTE,
    });
    const follow = followerOf(w);
    const spec = w.spec;
    if (!spec) throw new Error('the case needs a valid spec');
    await follow(w.stored() as AppCopy, spec, silent);
    expect(w.stored()?.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION]).toBe(SITE_URL);

    // The site stops and runs again with a certificate bound to its domain.
    w.console.script('listComponents', answer([is(site, 'closed'), is(cache, 'waiting')]));
    await follow(w.stored() as AppCopy, spec, silent);
    w.console.script('listComponents', answer([is(site, 'running'), is(cache, 'waiting')]));
    w.console.script('getComponent', views({ [site.serviceId]: [SITE_HTTPS] }));
    await follow(w.stored() as AppCopy, spec, silent);

    expect(w.stored()?.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION]).toBe(SITE_HTTPS);
    expect(w.stored()?.status?.url).toBe(SITE_HTTPS);
    expect(w.console.callsTo('getComponent')).toHaveLength(2);
  });

  it('a link that cannot be written (the operator may not update AppCopies) does not hold up the status', async () => {
    const w = await aWorld({
      given: previousPoll([['waiting'], ['waiting']]),
      console: {
        listComponents: [answer([is(site, 'running'), is(cache, 'running')])],
        getComponent: [views({ [site.serviceId]: [SITE_URL] })],
      },
      atMs: A_MINUTE,
    });
    const forbidden = () =>
      Promise.reject(
        new KubeApiError(403, 'annotation of AppCopy team-a/shop-to-staging: forbidden', 'Forbidden'),
      );
    const follow = followerOf(w, { ...w.store, writeAnnotation: forbidden, removeAnnotation: forbidden });
    const spec = w.spec;
    if (!spec) throw new Error('the case needs a valid spec');
    await follow(w.stored() as AppCopy, spec, silent);
    expect(w.store.writes.map((write) => write.kind)).toEqual(['status']);
    expect(w.stored()?.status?.url).toBe(SITE_URL);
    expect(w.stored()?.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION]).toBeUndefined();
    expect(w.events.summary()).toEqual(['Normal/ComponentsRunning', 'Normal/AddressesKnown']);
  });
});
