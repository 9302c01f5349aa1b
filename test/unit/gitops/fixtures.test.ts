// The health fixtures (deploy/argocd/testdata) and the objects the GitOps tests build
// (support/operator-states.ts) hold only what the operator and the console really write:
//   - a copy's live status is one of the region's (src/controller/component-health.ts knows them:
//     the console passes the region's status through), or absent as in the copy's answer;
//   - every condition message, and lastError, is a text src/ can produce (support/operator-messages.ts);
//   - a status a message names for a copy is the one status.services records for it (the follower
//     writes both from the same poll).
// The last block shows the check refusing what earlier fixtures held.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AppCopy } from '../../../src/api/appcopy.ts';
import { LIVE_STATUS_HEALTH } from '../../../src/controller/component-health.ts';
import { createMessageRecognizer, templatesUnder } from './support/operator-messages.ts';
import { operatorStates } from './support/operator-states.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TESTDATA = `${ROOT}deploy/argocd/testdata/`;
const REGION_STATUSES = Object.keys(LIVE_STATUS_HEALTH);
const messages = createMessageRecognizer(templatesUnder(`${ROOT}src`));
const fixtures = readdirSync(TESTDATA)
  .filter((f) => f.endsWith('.yaml'))
  .map((file) => ({ file, object: parse(readFileSync(`${TESTDATA}${file}`, 'utf8')) as AppCopy }));
const states = await operatorStates();

/** What in the object's status the operator could not have written; empty when all is true. */
function untrue(object: AppCopy): string[] {
  const status = object.status ?? {};
  const problems: string[] = [];
  const services = status.services ?? [];
  services.forEach((s, i) => {
    if (s.status !== undefined && !REGION_STATUSES.includes(s.status)) {
      problems.push(`status.services[${i}].status "${s.status}" is not a status the region reports`);
    }
  });
  const texts = [
    ...(status.lastError ? [{ where: 'status.lastError', text: status.lastError }] : []),
    ...(status.conditions ?? []).map((c) => ({ where: `the ${c.type} condition`, text: c.message })),
  ];
  for (const { where, text } of texts) {
    if (!messages.producible(text)) problems.push(`${where}: the operator never writes "${text}"`);
    for (const s of services) {
      const label = s.serviceCname ?? s.serviceId;
      for (const said of text.matchAll(
        new RegExp(`\\b${literally(label)} is ([a-z_]+(?: \\(building\\))?)`, 'g'),
      )) {
        const named = said[1] as string;
        const possible = ['unknown', s.status, ...(s.status === 'undeploy' ? ['undeploy (building)'] : [])];
        if (!possible.includes(named)) {
          problems.push(`${where} says ${label} is ${named}, status.services says ${s.status ?? 'nothing'}`);
        }
      }
    }
  }
  return problems;
}

function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('what the fixtures and the operator states hold is what the operator writes', () => {
  it('there are fixtures to check', () => {
    expect(fixtures.length).toBeGreaterThan(15);
  });

  it.each(fixtures)('deploy/argocd/testdata/$file', ({ object }) => {
    expect(untrue(object)).toEqual([]);
  });

  // Built by the real status code, follower and finalizer: the check accepts what they write.
  it.each(states)('operator state: $name', ({ object }) => {
    expect(untrue(object)).toEqual([]);
  });
});

describe('the check refuses what the operator cannot write', () => {
  const copyOf = (file: string) =>
    structuredClone(fixtures.find((f) => f.file === file)?.object) as AppCopy & {
      status: NonNullable<AppCopy['status']>;
    };
  const withMessage = (file: string, type: string, message: string) => {
    const object = copyOf(file);
    const condition = object.status.conditions?.find((c) => c.type === type);
    if (!condition) throw new Error(`${file} has no ${type} condition`);
    condition.message = message;
    return object;
  };
  const withStatus = (file: string, status: string) => {
    const object = copyOf(file);
    (object.status.services ?? [])[0]!.status = status;
    return object;
  };

  it.each([
    {
      name: 'a build status the region never reports ("build_failure")',
      object: withStatus('succeeded-components-failed.yaml', 'build_failure'),
      refused: 'status.services[0].status "build_failure" is not a status the region reports',
    },
    {
      name: 'a status the console never reports ("creating")',
      object: withStatus('succeeded-following-disabled.yaml', 'creating'),
      refused: 'status.services[0].status "creating" is not a status the region reports',
    },
    {
      name: 'a message the operator no longer writes (it does not stop the copies before deleting them)',
      object: withMessage(
        'deleting-copies.yaml',
        'Deleting',
        'stopping 2 copied component(s) before deleting them',
      ),
      refused: 'the Deleting condition: the operator never writes "stopping 2 copied component(s)',
    },
    {
      name: 'an error worded as no console client error is ("the console refused the token")',
      object: withMessage(
        'pending-unauthorized.yaml',
        'Reconciling',
        "the console refused the token (HTTP 401); check the token in the credentials Secret (or the operator's default token) and that its user is a member of the target team",
      ),
      refused: 'the Reconciling condition: the operator never writes',
    },
    {
      name: 'a transport error worded as the client never words one',
      object: withMessage(
        'copying-verification-console-unreachable.yaml',
        'Ready',
        'cannot verify the copy yet: the console did not answer (connect ECONNREFUSED); retrying with backoff',
      ),
      refused: 'the Ready condition: the operator never writes',
    },
    {
      name: 'console words that are no answer the console gives',
      object: withMessage(
        'failed-preflight.yaml',
        'Stalled',
        'the console rejected the copy pre-flight (HTTP 404): app 12 not found; fix spec.source (changing the spec retries)',
      ),
      refused: 'the Stalled condition: the operator never writes',
    },
    {
      name: 'a message naming a status other than the one recorded for that copy',
      object: withMessage(
        'succeeded-components-failed.yaml',
        'Stalled',
        'copied component(s) failed: web-copy is paused',
      ),
      refused: 'the Stalled condition says web-copy is paused, status.services says abnormal',
    },
  ])('$name', ({ object, refused }) => {
    expect(untrue(object)).toEqual(expect.arrayContaining([expect.stringContaining(refused)]));
  });
});
