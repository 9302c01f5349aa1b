// The copy body: camelCase in, the console's snake_case out, nothing lost, reordered or added.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CopyRequestBody, toCopyRequestBody } from '../../../src/rainbond/copy-request-body.ts';
import type { CopyRequest, ServiceChange } from '../../../src/rainbond/types.ts';

const target = { targetTeamName: 'o19p6wen', targetRegionName: 'rainbond', targetAppId: 34 };
const targetBody = { target_team_name: 'o19p6wen', target_region_name: 'rainbond', target_app_id: 34 };

describe('toCopyRequestBody', () => {
  it.each<{ name: string; request: CopyRequest; expected: CopyRequestBody }>([
    {
      name: 'no services means every component, sent as an empty list',
      request: { services: [], ...target },
      expected: { services: [], ...targetBody },
    },
    {
      name: 'a service without a change is sent without a change key',
      request: { services: [{ serviceId: 'a1' }], ...target },
      expected: { services: [{ service_id: 'a1' }], ...targetBody },
    },
    {
      name: 'a new version is sent as build_source.version',
      request: { services: [{ serviceId: 'a1', change: { buildSource: { version: 'v2' } } }], ...target },
      expected: {
        services: [{ service_id: 'a1', change: { build_source: { version: 'v2' } } }],
        ...targetBody,
      },
    },
    {
      name: 'env renames are sent as they are, keys untouched',
      request: {
        services: [{ serviceId: 'a1', change: { envs: { OLD_NAME: 'NEW_NAME', db_url: 'DB_URL' } } }],
        ...target,
      },
      expected: {
        services: [{ service_id: 'a1', change: { envs: { OLD_NAME: 'NEW_NAME', db_url: 'DB_URL' } } }],
        ...targetBody,
      },
    },
    {
      name: 'both changes and several services keep their order',
      request: {
        services: [
          { serviceId: 'b2', change: { buildSource: { version: 'feature/x' }, envs: { A: 'B' } } },
          { serviceId: 'a1' },
        ],
        ...target,
      },
      expected: {
        services: [
          { service_id: 'b2', change: { build_source: { version: 'feature/x' }, envs: { A: 'B' } } },
          { service_id: 'a1' },
        ],
        ...targetBody,
      },
    },
    {
      name: 'an empty change is sent as an empty change',
      request: { services: [{ serviceId: 'a1', change: {} }], ...target },
      expected: { services: [{ service_id: 'a1', change: {} }], ...targetBody },
    },
  ])('$name', ({ request, expected }) => {
    expect(toCopyRequestBody(request)).toStrictEqual(expected);
  });

  const change: fc.Arbitrary<ServiceChange> = fc.record(
    {
      buildSource: fc.record({ version: fc.string({ minLength: 1 }) }),
      envs: fc.dictionary(fc.string({ minLength: 1 }), fc.string({ minLength: 1 })),
    },
    { requiredKeys: [] },
  );
  const request: fc.Arbitrary<CopyRequest> = fc.record({
    services: fc.array(
      fc.record({ serviceId: fc.string({ minLength: 1 }), change }, { requiredKeys: ['serviceId'] }),
      { maxLength: 20 },
    ),
    targetTeamName: fc.string({ minLength: 1 }),
    targetRegionName: fc.string({ minLength: 1 }),
    targetAppId: fc.integer({ min: 1 }),
  });

  /** An independent reading of the body back into a request, written from the console's spelling. */
  function fromBody(body: CopyRequestBody): CopyRequest {
    return {
      services: body.services.map((service) => {
        if (service.change === undefined) return { serviceId: service.service_id };
        const back: ServiceChange = {};
        if (service.change.build_source !== undefined)
          back.buildSource = { version: service.change.build_source.version };
        if (service.change.envs !== undefined) back.envs = service.change.envs;
        return { serviceId: service.service_id, change: back };
      }),
      targetTeamName: body.target_team_name,
      targetRegionName: body.target_region_name,
      targetAppId: body.target_app_id,
    };
  }

  it('round-trips: reading the body back gives the request, through JSON as it goes on the wire', () => {
    fc.assert(
      fc.property(request, (r) => {
        const wire = JSON.parse(JSON.stringify(toCopyRequestBody(r))) as CopyRequestBody;
        expect(fromBody(wire)).toStrictEqual(JSON.parse(JSON.stringify(r)));
      }),
    );
  });

  it('keeps every service, in order, and adds no key the console does not know', () => {
    fc.assert(
      fc.property(request, (r) => {
        const body = toCopyRequestBody(r);
        expect(Object.keys(body).sort()).toEqual([
          'services',
          'target_app_id',
          'target_region_name',
          'target_team_name',
        ]);
        expect(body.services.map((s) => s.service_id)).toEqual(r.services.map((s) => s.serviceId));
        for (const service of body.services) {
          for (const key of Object.keys(service)) expect(['service_id', 'change']).toContain(key);
          for (const key of Object.keys(service.change ?? {}))
            expect(['build_source', 'envs']).toContain(key);
          if (service.change?.build_source)
            expect(Object.keys(service.change.build_source)).toEqual(['version']);
        }
      }),
    );
  });

  it('does not share objects with the request, so later edits of one cannot change the other', () => {
    const envs = { A: 'B' };
    const body = toCopyRequestBody({ services: [{ serviceId: 'a1', change: { envs } }], ...target });
    envs.A = 'C';
    expect(body.services[0]?.change?.envs).toEqual({ A: 'B' });
  });
});
