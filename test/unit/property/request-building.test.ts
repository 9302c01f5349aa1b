// Request building as a property, end to end: any spec the CRD admits, against any source app the
// pre-flight may list, either becomes a copy request that the console reads as meant (checked
// with the simulator's reading of the body, written from the console's serializer) or is refused
// before anything is sent with a message naming every culprit. Never a body the console would
// answer with a 500, never a component copied that the spec did not ask for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AppCopySpec, appCopySpecSchema } from '../../../src/api/appcopy.ts';
import { planCopy } from '../../../src/controller/copy/plan.ts';
import { toCopyRequestBody } from '../../../src/rainbond/copy-request-body.ts';
import type { CopyableComponent } from '../../../src/rainbond/types.ts';
import { readCopyRequest } from '../../support/simulator/copy-request.ts';

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
/** The CRD's pattern for team and region names, at its length limits. */
const crdName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/).filter((s) => s.length <= 64);
const envName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,40}$/);
/**
 * build_source.version: the simulator (after the console's serializer) refuses more than 32
 * characters with a 400, while the CRD admits 255; that gap is covered by the bad-input
 * catalogue. Within 32, any printable text the CRD admits.
 */
const version = fc
  .string({ minLength: 1, maxLength: 32, unit: 'grapheme-ascii', size: 'max' })
  .filter((v) => v.trim() !== '');

const change = fc.record(
  {
    buildSource: fc.record({ version }),
    envs: fc.dictionary(envName, envName, { maxKeys: 5 }),
  },
  { requiredKeys: [] },
);

/** A spec as `kubectl apply` would admit it (the CRD's structural schema), before zod. */
const admittedSpec = fc.record(
  {
    source: fc.record({ teamId: crdName, regionName: crdName, appId: fc.integer({ min: 1, max: 2 ** 31 }) }),
    target: fc.record({
      teamName: crdName,
      regionName: crdName,
      appId: fc.integer({ min: 1, max: 2 ** 31 }),
    }),
    services: fc.uniqueArray(fc.record({ serviceId: hex32, change }, { requiredKeys: ['serviceId'] }), {
      maxLength: 6,
      selector: (s) => s.serviceId,
    }),
    deletionPolicy: fc.constantFrom('Orphan', 'Delete'),
  },
  { requiredKeys: ['source', 'target'] },
);

function copyable(serviceId: string): fc.Arbitrary<CopyableComponent> {
  return fc.record({
    serviceId: fc.constant(serviceId),
    serviceCname: fc.constantFrom('web', 'api', 'db', 'web'),
    serviceAlias: fc.constant(`gr${serviceId.slice(-6)}`),
    createStatus: fc.oneof(
      { weight: 12, arbitrary: fc.constant<string | null>('complete') },
      { weight: 1, arbitrary: fc.constantFrom<string | null>('creating', null) },
    ),
    serviceSource: fc.oneof(
      {
        weight: 12,
        arbitrary: fc.constantFrom<string | null>('docker_image', 'source_code', 'market', null),
      },
      { weight: 1, arbitrary: fc.constant<string | null>('package_build') },
    ),
    buildVersion: fc.constantFrom<string | null>('latest', null),
    image: fc.constantFrom<string | null>('nginx:1.25', 'registry.example.com/shop/web:2', null),
    minMemory: fc.constantFrom<number | null>(128, null),
  });
}

/** A spec and the source app's pre-flight list: mostly the listed ids, sometimes missing, plus others. */
const specAndSource = admittedSpec.chain((raw) => {
  const listed = (raw.services ?? []).map((s) => s.serviceId);
  return fc
    .tuple(
      fc.subarray(listed, { maxLength: Math.min(1, listed.length) }),
      fc.uniqueArray(hex32, { maxLength: 3 }),
      fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    )
    .chain(([missing, extra, dropMissing]) => {
      const ids = [...new Set([...listed.filter((id) => !(dropMissing && missing.includes(id))), ...extra])];
      return fc.tuple(fc.constant(raw), ids.length === 0 ? fc.constant([]) : fc.tuple(...ids.map(copyable)));
    });
});

const isCopyable = (c: CopyableComponent) =>
  c.createStatus === 'complete' && c.serviceSource !== 'package_build';

describe('request building over random specs and pre-flight answers', () => {
  it('the operator’s zod schema admits every spec the CRD admits', () => {
    fc.assert(
      fc.property(admittedSpec, (raw) => {
        const parsed = appCopySpecSchema.safeParse(raw);
        expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('builds a request the console reads as meant, or refuses before sending and names every culprit', () => {
    fc.assert(
      fc.property(specAndSource, ([raw, source]) => {
        const spec: AppCopySpec = appCopySpecSchema.parse(raw);
        const plan = planCopy(spec, source);
        const byId = new Map(source.map((c) => [c.serviceId, c]));
        const asked = spec.services?.length
          ? spec.services.map((s) => s.serviceId)
          : source.map((c) => c.serviceId);
        const culprits = asked.filter((id) => !byId.has(id) || !isCopyable(byId.get(id)!));

        if (asked.length === 0 || culprits.length > 0) {
          expect(plan.ok).toBe(false);
          if (!plan.ok) for (const id of culprits) expect(plan.message).toContain(id);
          return;
        }
        expect(plan.ok, plan.ok ? '' : plan.message).toBe(true);
        if (!plan.ok) return;

        // Always explicit: exactly the components asked for (all of them for an empty list), in order.
        expect(plan.request.services.map((s) => s.serviceId)).toEqual(asked);
        expect(plan.expectedCopies).toEqual(asked.map((id) => `${byId.get(id)!.serviceCname}-copy`));

        const wire: unknown = JSON.parse(JSON.stringify(toCopyRequestBody(plan.request)));
        const read = readCopyRequest(wire);
        expect(read.ok, read.ok ? '' : JSON.stringify(read.response)).toBe(true);
        if (!read.ok) return;
        expect(read.request.targetTeamName).toBe(spec.target.teamName);
        expect(read.request.targetRegionName).toBe(spec.target.regionName);
        expect(read.request.targetAppId).toBe(spec.target.appId);
        const changes = new Map((spec.services ?? []).map((s) => [s.serviceId, s.change]));
        expect(read.request.services.map((s) => s.service_id)).toEqual(asked);
        for (const service of read.request.services) {
          const wanted = changes.get(service.service_id);
          expect(service.change.version).toBe(wanted?.buildSource?.version ?? null);
          expect(service.change.envs).toEqual(wanted?.envs ?? {});
        }
      }),
      { numRuns: 1000 },
    );
  });
});
