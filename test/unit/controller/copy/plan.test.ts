import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consoleCopyImage, intendedCopyImage, planCopy } from '../../../../src/controller/copy/plan.ts';
import type { CopyableComponent } from '../../../../src/rainbond/types.ts';
import { aCopyableComponent, aServiceId, aSpec, copying, intoTarget } from '../../../support/builders.ts';

const web = aCopyableComponent({ serviceCname: 'web' });
const api = aCopyableComponent({ serviceCname: 'api' });
const db = aCopyableComponent({ serviceCname: 'db' });
const uploaded = aCopyableComponent({ serviceCname: 'legacy', serviceSource: 'package_build' });
const building = aCopyableComponent({ serviceCname: 'worker', createStatus: 'creating' });
const neverCreated = aCopyableComponent({ serviceCname: 'cron', createStatus: null });
const stranger = aServiceId();
const registryPort = aCopyableComponent({
  serviceCname: 'report',
  image: 'registry.example.com:5000/shop/report:1.4',
});
const pinned = aCopyableComponent({
  serviceCname: 'pinned',
  image: 'nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31',
});

describe('planCopy: what is sent', () => {
  it.each([
    {
      name: 'listed components are requested in the order of the spec, each expected back as <cname>-copy',
      spec: aSpec(copying(db.serviceId, web.serviceId)),
      copyable: [web, api, db],
      services: [{ serviceId: db.serviceId }, { serviceId: web.serviceId }],
      expectedCopies: ['db-copy', 'web-copy'],
    },
    {
      name: 'omitted services select every source component, named explicitly in the request',
      spec: aSpec(),
      copyable: [web, api, db],
      services: [{ serviceId: web.serviceId }, { serviceId: api.serviceId }, { serviceId: db.serviceId }],
      expectedCopies: ['web-copy', 'api-copy', 'db-copy'],
    },
    {
      name: 'an empty services list selects every source component, named explicitly in the request',
      spec: aSpec(copying()),
      copyable: [web, api],
      services: [{ serviceId: web.serviceId }, { serviceId: api.serviceId }],
      expectedCopies: ['web-copy', 'api-copy'],
    },
    {
      name: 'two source components with the same name are both expected back under that name',
      spec: aSpec(),
      copyable: [web, { ...api, serviceCname: 'web' }],
      services: [{ serviceId: web.serviceId }, { serviceId: api.serviceId }],
      expectedCopies: ['web-copy', 'web-copy'],
    },
  ])('$name', ({ spec, copyable, services, expectedCopies }) => {
    const plan = planCopy(spec, copyable);
    expect(plan).toEqual({ ok: true, request: expect.objectContaining({ services }), expectedCopies });
  });

  it('a change is passed through untouched and only for the component it belongs to', () => {
    const change = { buildSource: { version: 'v2' }, envs: { OLD_NAME: 'NEW_NAME' } };
    const plan = planCopy(aSpec(copying({ serviceId: web.serviceId, change }, api.serviceId)), [web, api]);
    expect(plan.ok && plan.request.services).toEqual([
      { serviceId: web.serviceId, change },
      { serviceId: api.serviceId },
    ]);
    expect(plan.ok && plan.request.services[1]).not.toHaveProperty('change');
  });

  it('the target of the spec becomes the target fields of the request', () => {
    const spec = aSpec(
      copying(web.serviceId),
      intoTarget({ teamName: 'staging-team', regionName: 'region-b', appId: 77 }),
    );
    const plan = planCopy(spec, [web]);
    expect(plan.ok && plan.request).toMatchObject({
      targetTeamName: 'staging-team',
      targetRegionName: 'region-b',
      targetAppId: 77,
    });
  });
});

describe('planCopy: what stops the copy before anything is sent', () => {
  it.each([
    {
      name: 'an id that is not a component of the source app is named',
      spec: aSpec(copying(web.serviceId, stranger)),
      copyable: [web, api],
      mentions: [`not components of the source app: ${stranger}`],
    },
    {
      name: 'a component built from an uploaded package is named with its id',
      spec: aSpec(copying(web.serviceId, uploaded.serviceId)),
      copyable: [web, uploaded],
      mentions: [`built from uploaded packages`, `legacy (${uploaded.serviceId})`],
    },
    {
      name: 'a component that is not completely created is named with its id',
      spec: aSpec(copying(building.serviceId)),
      copyable: [web, building],
      mentions: ['not completely created yet', `worker (${building.serviceId})`],
    },
    {
      name: 'a component without a create status counts as not completely created',
      spec: aSpec(copying(neverCreated.serviceId)),
      copyable: [neverCreated],
      mentions: ['not completely created yet', `cron (${neverCreated.serviceId})`],
    },
    {
      name: 'every problem is reported at once, not only the first',
      spec: aSpec(copying(stranger, uploaded.serviceId, building.serviceId)),
      copyable: [uploaded, building],
      mentions: [stranger, uploaded.serviceId, building.serviceId],
    },
    {
      name: 'copying everything from an app with a package-built component names it and says to list the others',
      spec: aSpec(),
      copyable: [web, uploaded],
      mentions: [uploaded.serviceId, 'spec.services is empty, so every component was selected'],
    },
    {
      name: "an empty pre-flight (unknown app, another team's app, or an empty one) says so and points at spec.source",
      spec: aSpec(),
      copyable: [],
      mentions: [
        'the console lists no components for source app',
        'belongs to another team',
        'check spec.source',
      ],
    },
    {
      name: 'naming components of an app the console lists nothing for points at spec.source too',
      spec: aSpec(copying(stranger)),
      copyable: [],
      mentions: ['the console lists no components for source app', 'check spec.source'],
    },
    {
      name: 'a version change on an image with a registry port is refused: the console would cut the image at the port',
      spec: aSpec(copying({ serviceId: registryPort.serviceId, change: { buildSource: { version: 'v2' } } })),
      copyable: [registryPort],
      mentions: [
        'change.buildSource.version cannot be used for report',
        'registry.example.com:5000/shop/report:1.4',
        'would get registry.example.com:v2 instead of registry.example.com:5000/shop/report:v2',
      ],
    },
    {
      name: 'a version change on an image pinned by digest is refused',
      spec: aSpec(copying({ serviceId: pinned.serviceId, change: { buildSource: { version: 'v2' } } })),
      copyable: [pinned],
      mentions: ['change.buildSource.version cannot be used for pinned', 'instead of nginx:v2'],
    },
  ])('$name', ({ spec, copyable, mentions }) => {
    const plan = planCopy(spec, copyable);
    expect(plan.ok).toBe(false);
    const message = plan.ok ? '' : plan.message;
    for (const text of mentions) expect(message).toContain(text);
  });

  it('the hint about an empty services list is not given when the components were listed', () => {
    const plan = planCopy(aSpec(copying(uploaded.serviceId)), [uploaded]);
    expect(plan.ok ? '' : plan.message).not.toContain('spec.services is empty');
  });
});

describe('a version change on an image component', () => {
  it.each([
    ['nginx:1.25', 'v2', 'nginx:v2', 'nginx:v2'],
    ['nginx', 'v2', 'nginx:v2', 'nginx:v2'],
    [
      'registry.example.com/shop/web:2.3.1',
      '2.4',
      'registry.example.com/shop/web:2.4',
      'registry.example.com/shop/web:2.4',
    ],
    ['registry.example.com:5000/app:1', 'v2', 'registry.example.com:v2', 'registry.example.com:5000/app:v2'],
    ['localhost:5000/app', 'v2', 'localhost:v2', 'localhost:5000/app:v2'],
    ['nginx@sha256:abc', 'v2', 'nginx@sha256:v2', 'nginx:v2'],
  ])('%s at %s: the console makes %s, the user means %s', (image, version, console, intended) => {
    expect(consoleCopyImage(image, version)).toBe(console);
    expect(intendedCopyImage(image, version)).toBe(intended);
  });

  it('is sent where the console keeps the image right', () => {
    const plain = aCopyableComponent({ serviceCname: 'web', image: 'registry.example.com/shop/web:2.3.1' });
    const plan = planCopy(
      aSpec(copying({ serviceId: plain.serviceId, change: { buildSource: { version: '2.4' } } })),
      [plain],
    );
    expect(plan.ok).toBe(true);
  });

  it('is not checked for source-code components, whose version is a branch', () => {
    const code = aCopyableComponent({
      serviceCname: 'api',
      serviceSource: 'source_code',
      image: 'registry:5000/x:1',
    });
    const plan = planCopy(
      aSpec(copying({ serviceId: code.serviceId, change: { buildSource: { version: 'dev' } } })),
      [code],
    );
    expect(plan.ok).toBe(true);
  });

  it('does not stop a copy that leaves the version alone', () => {
    const plan = planCopy(aSpec(copying(registryPort.serviceId)), [registryPort]);
    expect(plan.ok).toBe(true);
  });
});

describe('planCopy: properties', () => {
  /** Source apps of 1-12 copyable components with distinct ids, names drawn from a small set (so names repeat). */
  const sourceApp = fc
    .uniqueArray(fc.stringMatching(/^[0-9a-f]{32}$/), { minLength: 1, maxLength: 12 })
    .chain((ids) =>
      fc.tuple(
        fc.constant(ids),
        fc.array(fc.constantFrom('web', 'api', 'db', 'cache', 'worker-1'), {
          minLength: ids.length,
          maxLength: ids.length,
        }),
      ),
    )
    .map(([ids, names]): CopyableComponent[] =>
      ids.map((serviceId, i) => aCopyableComponent({ serviceId, serviceCname: names[i] as string })),
    );

  it('for any selection of existing complete components, the request names exactly those ids in order, with one expected copy each', () => {
    fc.assert(
      fc.property(
        sourceApp.chain((copyable) =>
          fc.tuple(fc.constant(copyable), fc.shuffledSubarray(copyable, { minLength: 1 })),
        ),
        ([copyable, selected]) => {
          const plan = planCopy(aSpec(copying(...selected.map((c) => c.serviceId))), copyable);
          expect(plan.ok).toBe(true);
          if (!plan.ok) return;
          expect(plan.request.services.map((s) => s.serviceId)).toEqual(selected.map((c) => c.serviceId));
          expect(plan.expectedCopies).toEqual(selected.map((c) => `${c.serviceCname}-copy`));
        },
      ),
    );
  });

  it('for any source app, copying everything requests every component once, in the order listed', () => {
    fc.assert(
      fc.property(sourceApp, (copyable) => {
        const plan = planCopy(aSpec(), copyable);
        expect(plan.ok && plan.request.services.map((s) => s.serviceId)).toEqual(
          copyable.map((c) => c.serviceId),
        );
        expect(plan.ok && plan.expectedCopies).toHaveLength(copyable.length);
      }),
    );
  });
});
