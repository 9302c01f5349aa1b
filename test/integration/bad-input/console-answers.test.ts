// The bad-input catalogue, console part: the console (or a proxy in front of it) answers with
// something that is not its answer: an HTML error page, truncated JSON, JSON of the wrong types,
// an empty body, a huge body, a body that drips out too slowly. For each, on the copy call and on
// the reads around it, the operator says what happened in a condition and an Event, does not
// crash, and never copies twice: a garbled answer to the copy is verified from the target app
// (and the copies adopted), a garbled read is retried.
import { describe, expect, it } from 'vitest';
import type { AppCopy } from '../../../src/api/appcopy.ts';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld } from '../../support/harness.ts';
import type { FaultSpec } from '../../support/simulator/index.ts';

const posts = (calls: { method: string }[]) => calls.filter((c) => c.method === 'POST');

interface Case {
  name: string;
  fault: FaultSpec;
  /** Words the Event/condition about the trouble must contain. */
  says: string;
  /** How the AppCopy ends: the copies adopted from the target app, or copied by a later call. */
  ends: 'Adopted' | 'Copied';
  /** Copy calls sent in all (2 when the first provably did nothing and was sent again). */
  copyCalls: number;
}

const MIB = 1024 * 1024;

const ON_THE_COPY: Case[] = [
  {
    name: 'an nginx 502 HTML page after the copy took effect',
    fault: { route: 'copy', kind: 'non-json', status: 502, effect: 'after', times: 1 },
    says: 'HTTP 502',
    ends: 'Adopted',
    copyCalls: 1,
  },
  {
    name: 'an nginx 502 HTML page before the console saw the call',
    fault: { route: 'copy', kind: 'non-json', status: 502, effect: 'before', times: 1 },
    says: 'HTTP 502',
    ends: 'Copied',
    copyCalls: 2,
  },
  {
    name: "the console's web UI (HTML with 200) instead of the JSON answer",
    fault: { route: 'copy', kind: 'non-json', status: 200, effect: 'after', times: 1 },
    says: 'the body is not JSON',
    ends: 'Adopted',
    copyCalls: 1,
  },
  {
    name: 'truncated JSON',
    fault: { route: 'copy', kind: 'truncated', mode: 'clean', times: 1 },
    says: 'the body is not JSON',
    ends: 'Adopted',
    copyCalls: 1,
  },
  {
    name: 'a connection dropped half-way through the body',
    fault: { route: 'copy', kind: 'truncated', mode: 'abort', times: 1 },
    says: 'could not be read',
    ends: 'Adopted',
    copyCalls: 1,
  },
  {
    name: 'JSON with every value of the wrong type',
    fault: { route: 'copy', kind: 'wrong-types', times: 1 },
    says: 'services',
    ends: 'Adopted',
    copyCalls: 1,
  },
  {
    name: 'an empty body with 200',
    fault: { route: 'copy', kind: 'empty-body', status: 200, effect: 'after', times: 1 },
    says: 'the body is empty',
    ends: 'Adopted',
    copyCalls: 1,
  },
  {
    name: 'an empty body with 503 before the console saw the call',
    fault: { route: 'copy', kind: 'empty-body', status: 503, effect: 'before', times: 1 },
    says: 'HTTP 503',
    ends: 'Copied',
    copyCalls: 2,
  },
  {
    name: 'a 20 MiB body (over the 16 MiB limit)',
    fault: { route: 'copy', kind: 'huge-body', bytes: 20 * MIB, times: 1 },
    says: 'larger than the limit',
    ends: 'Adopted',
    copyCalls: 1,
  },
  {
    name: 'a body dripping out slower than the copy timeout',
    fault: { route: 'copy', kind: 'slow-drip', chunkBytes: 8, intervalMs: 200, times: 1 },
    says: 'could not be read',
    ends: 'Adopted',
    copyCalls: 1,
  },
];

const ON_THE_READS: Case[] = [
  {
    name: 'an nginx 502 HTML page on the pre-flight',
    fault: { route: 'copyPreflight', kind: 'non-json', status: 502, times: 1 },
    says: 'HTTP 502',
    ends: 'Copied',
    copyCalls: 1,
  },
  {
    name: 'truncated JSON on the pre-flight',
    fault: { route: 'copyPreflight', kind: 'truncated', times: 1 },
    says: 'the body is not JSON',
    ends: 'Copied',
    copyCalls: 1,
  },
  {
    name: 'wrong types on the target listing',
    fault: { route: 'listComponents', kind: 'wrong-types', times: 1 },
    says: 'could not be read',
    ends: 'Copied',
    copyCalls: 1,
  },
  {
    name: 'an empty body on the target listing',
    fault: { route: 'listComponents', kind: 'empty-body', status: 200, times: 1 },
    says: 'the body is empty',
    ends: 'Copied',
    copyCalls: 1,
  },
  {
    name: 'a body dripping out slower than the request timeout on the pre-flight',
    fault: { route: 'copyPreflight', kind: 'slow-drip', chunkBytes: 8, intervalMs: 300, times: 1 },
    says: 'could not be read',
    ends: 'Copied',
    copyCalls: 1,
  },
];

async function runCase({ fault, says, ends, copyCalls }: Case) {
  const w = await createWorld();
  w.sim.faults.add(fault);
  const operator = await w.operator({
    RAINBOND_COPY_TIMEOUT: '2s',
    VERIFY_SETTLE_PERIOD: '3s',
    RAINBOND_REQUEST_TIMEOUT: '2s',
  });
  await w.appcopies.create(w.namespace, 'garbled', w.spec());
  const done: AppCopy = await w.appcopies.waitFor(w.namespace, 'garbled', isPhase('Succeeded'), 60_000);

  // Never a repeated copy: one set of components, the one the status names.
  const copies = w.sim.ledger.copiesInto(w.targetAppId);
  expect(copies).toHaveLength(1);
  expect(done.status?.services?.map((s) => s.serviceId).sort()).toEqual(
    [...copies[0]!.createdServiceIds].sort(),
  );
  expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(copyCalls);
  expect(condition(done, 'Ready')).toMatchObject({ status: 'True', reason: ends });

  // A clear condition on the way, shown as an Event too: what went wrong, in words.
  const trouble = (
    await w.appcopies.events(w.namespace, 'garbled', (events) =>
      events.some((e) => e.type === 'Warning' && (e.message ?? '').includes(says)),
    )
  ).filter((e) => e.type === 'Warning');
  expect(
    trouble.map((e) => `${e.reason}: ${e.message}`),
    'a Warning event names the trouble',
  ).toEqual(expect.arrayContaining([expect.stringContaining(says)]));
  expect(trouble.every((e) => (e.message ?? '').length < 1100)).toBe(true);
  expect(done.status?.lastError).toBe('');

  // No crash: the same process is still running, and it never logged a fatal error.
  expect(operator.child.exitCode).toBeNull();
  expect(operator.logs.filter((l) => l.level >= 60)).toEqual([]);
}

describe('malformed console answers give a clear condition, no crash and no repeated copy', () => {
  it.each(ON_THE_COPY)('to the copy: $name', runCase);
  it.each(ON_THE_READS)('to a read: $name', runCase);
});

describe('the longest build version the CRD admits', () => {
  it('is accepted by the console: the CRD caps versions where its serializer does (32)', async () => {
    const w = await createWorld();
    await w.operator();
    const version = `release-${'x'.repeat(24)}`;
    expect(version).toHaveLength(32);
    const [first, second] = w.spec().services!;
    await w.appcopies.create(
      w.namespace,
      'long-version',
      w.spec({ services: [{ ...first!, change: { buildSource: { version } } }, second!] }),
    );
    await w.appcopies.waitFor(w.namespace, 'long-version', isPhase('Succeeded'));
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
  });
});
