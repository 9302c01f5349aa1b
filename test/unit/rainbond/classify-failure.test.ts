// The classification table: what each failure means for the caller. The one rule that protects
// exactly-once is checked as a property: nothing that may have reached the console is NotSent.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFailure, type Failure, type Stage } from '../../../src/rainbond/classify-failure.ts';
import {
  type RainbondError,
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
  RainbondUnavailableError,
} from '../../../src/rainbond/errors.ts';
import type { RouteName } from '../../../src/rainbond/routes.ts';

type ErrorClass = abstract new (...args: never[]) => RainbondError;

interface Case {
  name: string;
  route?: RouteName;
  failure: Failure;
  expected: ErrorClass;
  code: RainbondError['code'];
  message: string;
  httpStatus?: number;
}

const host = 'rainbond-console:7070';
const transport = (code: string, stage: Stage, detail = 'boom', timeoutMs?: number): Failure => ({
  type: 'transport',
  code,
  stage,
  host,
  detail,
  ...(timeoutMs === undefined ? {} : { timeoutMs }),
});

const cases: Case[] = [
  {
    name: 'a 401 without a body is unauthorized',
    failure: { type: 'status', status: 401, bodyText: '' },
    expected: RainbondUnauthorizedError,
    code: 'RAINBOND_UNAUTHORIZED',
    message: 'the console did not accept the token for the copy (HTTP 401)',
    httpStatus: 401,
  },
  {
    name: 'a 403 is unauthorized, not a rejection of the copy itself',
    failure: {
      type: 'status',
      status: 403,
      bodyText: '{"detail":"Authentication credentials were not provided."}',
    },
    expected: RainbondUnauthorizedError,
    code: 'RAINBOND_UNAUTHORIZED',
    message:
      'the console did not accept the token for the copy (HTTP 403): Authentication credentials were not provided.',
    httpStatus: 403,
  },
  {
    name: 'a 404 envelope is a definite rejection',
    failure: {
      type: 'status',
      status: 404,
      bodyText: '{"code":404,"msg":"no found team","msg_show":"团队不存在"}',
    },
    expected: RainbondRejectedError,
    code: 'RAINBOND_REJECTED',
    message: 'the console rejected the copy (HTTP 404): 团队不存在 (no found team)',
    httpStatus: 404,
  },
  {
    name: 'a 409 back-pressure answer is "not now": nothing was done, try again later',
    failure: {
      type: 'status',
      status: 409,
      bodyText: '{"code":409,"msg":"wait a moment please","msg_show":"操作过于频繁，请稍后再试"}',
    },
    expected: RainbondUnavailableError,
    code: 'RAINBOND_UNAVAILABLE',
    message:
      'the console is busy (the cluster asked it to wait a moment) (HTTP 409, code 409): 操作过于频繁，请稍后再试 (wait a moment please); the console did nothing of the copy',
    httpStatus: 409,
  },
  {
    name: 'another 409 (a team not opened in the region) stays a definite rejection',
    failure: {
      type: 'status',
      status: 409,
      bodyText:
        '{"code":2001,"msg":"the team is not initialized in the region","msg_show":"团队未开通该数据中心"}',
    },
    expected: RainbondRejectedError,
    code: 'RAINBOND_REJECTED',
    message:
      'the console rejected the copy (HTTP 409): 团队未开通该数据中心 (the team is not initialized in the region); the console gives this answer when the team was never opened in that region, and also when the region is offline',
    httpStatus: 409,
  },
  {
    name: 'a 412 with code 10406 (not enough cluster resources) is "not now"',
    failure: {
      type: 'status',
      status: 412,
      bodyText: '{"code":10406,"msg":"resource is not enough","msg_show":"集群资源不足"}',
    },
    expected: RainbondUnavailableError,
    code: 'RAINBOND_UNAVAILABLE',
    message:
      'the cluster has not enough resources for it now (HTTP 412, code 10406): 集群资源不足 (resource is not enough); the console did nothing of the copy',
    httpStatus: 412,
  },
  {
    name: 'a 412 for a depended-on component stays a definite rejection',
    route: 'deleteComponent',
    failure: {
      type: 'status',
      status: 412,
      bodyText: '{"code":412,"msg":"delete error","msg_show":"组件被依赖"}',
    },
    expected: RainbondRejectedError,
    code: 'RAINBOND_REJECTED',
    message: 'the console rejected deleting the component (HTTP 412): 组件被依赖 (delete error)',
    httpStatus: 412,
  },
  {
    name: "a 401 with code 10400 is the console's licence, not the token",
    failure: {
      type: 'status',
      status: 401,
      bodyText: '{"code":10400,"msg":"invalid license","msg_show":"license不正确或已过期"}',
    },
    expected: RainbondUnavailableError,
    code: 'RAINBOND_UNAVAILABLE',
    message:
      "the console's licence is invalid or expired, which its administrator must renew (HTTP 401, code 10400): license不正确或已过期 (invalid license); the console did nothing of the copy",
    httpStatus: 401,
  },
  {
    name: "a 403 with code 10402 is a permission the token's user lacks, not the token",
    route: 'operateComponents',
    failure: {
      type: 'status',
      status: 403,
      bodyText: '{"code":10402,"msg":"no permissions ","msg_show":"没有操作权限"}',
    },
    expected: RainbondUnauthorizedError,
    code: 'RAINBOND_UNAUTHORIZED',
    message:
      "the console refused the component operation to the token's user (HTTP 403, code 10402): 没有操作权限 (no permissions); the token is valid, but its user lacks the team permission for it",
    httpStatus: 403,
  },
  {
    name: 'a 403 with code 10402 on a copy names the permission consoles before v6.0 check for it',
    route: 'copy',
    failure: {
      type: 'status',
      status: 403,
      bodyText:
        '{"code":10402,"msg":"no permissions ","msg_show":"没有操作权限","data":{"bean":{},"list":[]}}',
    },
    expected: RainbondUnauthorizedError,
    code: 'RAINBOND_UNAUTHORIZED',
    message:
      "the console refused the copy to the token's user (HTTP 403, code 10402): 没有操作权限 (no permissions); the token is valid, but its user lacks the team permission for it (consoles before v6.0 check it per call: the copy needs permission 300014 (app: copy, 复制) in the team of the URL)",
    httpStatus: 403,
  },
  {
    name: 'a 429 from a proxy is a definite rejection',
    failure: { type: 'status', status: 429, bodyText: 'Too Many Requests' },
    expected: RainbondRejectedError,
    code: 'RAINBOND_REJECTED',
    message: 'the console rejected the copy (HTTP 429): Too Many Requests',
    httpStatus: 429,
  },
  {
    name: 'a 4xx whose body could not be read is still a definite rejection',
    failure: { type: 'status', status: 400, bodyText: undefined },
    expected: RainbondRejectedError,
    code: 'RAINBOND_REJECTED',
    message: 'the console rejected the copy (HTTP 400)',
    httpStatus: 400,
  },
  {
    name: 'a redirect to an absolute URL names only its origin',
    failure: {
      type: 'status',
      status: 302,
      bodyText: '',
      location: 'https://sso.example.com/login?next=/openapi',
    },
    expected: RainbondRejectedError,
    code: 'RAINBOND_REJECTED',
    message:
      'the console URL redirected the copy (HTTP 302) to https://sso.example.com; set the console URL to the address that answers directly',
    httpStatus: 302,
  },
  {
    name: 'a redirect to a relative location names no target',
    failure: { type: 'status', status: 308, bodyText: '', location: '/openapi/v1/teams/' },
    expected: RainbondRejectedError,
    code: 'RAINBOND_REJECTED',
    message:
      'the console URL redirected the copy (HTTP 308); set the console URL to the address that answers directly',
    httpStatus: 308,
  },
  {
    name: 'a 500 on the copy may have taken effect, and shows msg, not the traceback in msg_show',
    failure: {
      type: 'status',
      status: 500,
      bodyText: JSON.stringify({
        code: 10401,
        msg: "'5f1c'",
        msg_show:
          'Traceback (most recent call last):\n  File "/app/console/views/base.py", line 1\nKeyError: \'5f1c\'\n',
        error_type: 'KeyError',
      }),
    },
    expected: RainbondOutcomeUnknownError,
    code: 'RAINBOND_OUTCOME_UNKNOWN',
    message: "the console failed on the copy (HTTP 500): '5f1c'; it may have taken effect",
    httpStatus: 500,
  },
  {
    name: 'a 504 on listing the components is an unknown outcome without the effect note',
    route: 'listComponents',
    failure: {
      type: 'status',
      status: 504,
      bodyText: '<html><head><title>504 Gateway Time-out</title></head></html>',
    },
    expected: RainbondOutcomeUnknownError,
    code: 'RAINBOND_OUTCOME_UNKNOWN',
    message: 'the console failed on listing the components (HTTP 504): 504 Gateway Time-out',
    httpStatus: 504,
  },
  {
    name: 'a status outside 2xx-5xx is an unknown outcome',
    failure: { type: 'status', status: 600, bodyText: '' },
    expected: RainbondOutcomeUnknownError,
    code: 'RAINBOND_OUTCOME_UNKNOWN',
    message: 'the console answered the copy with an unexpected HTTP 600; it may have taken effect',
    httpStatus: 600,
  },
  {
    name: 'a 200 copy answer that cannot be read took effect but what it made is unknown',
    failure: { type: 'unreadable', status: 200, problem: 'the body is not JSON' },
    expected: RainbondOutcomeUnknownError,
    code: 'RAINBOND_OUTCOME_UNKNOWN',
    message:
      'the console answered the copy with HTTP 200 but the answer could not be read: the body is not JSON; it took effect',
    httpStatus: 200,
  },
  {
    name: 'an unreadable component list is an unknown outcome without the effect note',
    route: 'listComponents',
    failure: { type: 'unreadable', status: 200, problem: '0.service_id: expected string' },
    expected: RainbondOutcomeUnknownError,
    code: 'RAINBOND_OUTCOME_UNKNOWN',
    message:
      'the console answered listing the components with HTTP 200 but the answer could not be read: 0.service_id: expected string',
    httpStatus: 200,
  },
  {
    name: 'a refused connection is not sent',
    failure: transport('ECONNREFUSED', 'before-connection', 'connect ECONNREFUSED 10.0.0.1:7070'),
    expected: RainbondNotSentError,
    code: 'RAINBOND_NOT_SENT',
    message: `could not connect to the console at ${host} for the copy: connection refused (ECONNREFUSED); nothing was sent`,
  },
  {
    name: 'an unreachable host is not sent',
    failure: transport('EHOSTUNREACH', 'before-connection'),
    expected: RainbondNotSentError,
    code: 'RAINBOND_NOT_SENT',
    message: `could not connect to the console at ${host} for the copy: host or network unreachable (EHOSTUNREACH); nothing was sent`,
  },
  {
    name: 'an unknown host name is not sent',
    failure: transport('ENOTFOUND', 'before-connection'),
    expected: RainbondNotSentError,
    code: 'RAINBOND_NOT_SENT',
    message: 'could not resolve the console host rainbond-console for the copy (ENOTFOUND); nothing was sent',
  },
  {
    name: 'a DNS server that did not answer is not sent',
    failure: transport('EAI_AGAIN', 'before-connection'),
    expected: RainbondNotSentError,
    code: 'RAINBOND_NOT_SENT',
    message: 'could not resolve the console host rainbond-console for the copy (EAI_AGAIN); nothing was sent',
  },
  {
    name: 'an untrusted issuer is not sent and points at the CA file setting',
    failure: transport(
      'SELF_SIGNED_CERT_IN_CHAIN',
      'before-connection',
      'self-signed certificate in certificate chain; if the root CA is installed locally, try running Node.js with --use-system-ca',
    ),
    expected: RainbondNotSentError,
    code: 'RAINBOND_NOT_SENT',
    message: `certificate verification failed for ${host}: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN); set the CA file setting (RAINBOND_CA_FILE) to the PEM of the CA that signed the console's certificate; nothing was sent`,
  },
  {
    name: 'an expired certificate is not sent, without the CA advice',
    failure: transport('CERT_HAS_EXPIRED', 'before-connection', 'certificate has expired'),
    expected: RainbondNotSentError,
    code: 'RAINBOND_NOT_SENT',
    message: `certificate verification failed for ${host}: certificate has expired (CERT_HAS_EXPIRED); nothing was sent`,
  },
  {
    name: 'a timeout while connecting is not sent',
    failure: transport('ETIMEDOUT', 'before-connection', "Timeout awaiting 'request' for 30000ms", 30_000),
    expected: RainbondNotSentError,
    code: 'RAINBOND_NOT_SENT',
    message: `timed out within 30000 ms connecting to the console at ${host} for the copy; nothing was sent`,
  },
  {
    name: 'a reset during the TLS handshake is not sent',
    failure: transport(
      'ECONNRESET',
      'before-connection',
      'Client network socket disconnected before secure TLS connection was established',
    ),
    expected: RainbondNotSentError,
    code: 'RAINBOND_NOT_SENT',
    message: `could not connect to the console at ${host} for the copy: Client network socket disconnected before secure TLS connection was established (ECONNRESET); nothing was sent`,
  },
  {
    name: 'a cancellation before connecting is not sent',
    failure: transport('ERR_ABORTED', 'before-connection'),
    expected: RainbondNotSentError,
    code: 'RAINBOND_NOT_SENT',
    message: 'the copy was cancelled before it reached the console; nothing was sent',
  },
  {
    name: 'a timeout after the copy was sent may have taken effect',
    failure: transport('ETIMEDOUT', 'sent', "Timeout awaiting 'request' for 600000ms", 600_000),
    expected: RainbondOutcomeUnknownError,
    code: 'RAINBOND_OUTCOME_UNKNOWN',
    message: `no answer from the console at ${host} to the copy within 600000 ms after sending it; it may have taken effect`,
  },
  {
    name: 'a timeout from a caller signal states no length',
    failure: transport('ETIMEDOUT', 'sent'),
    expected: RainbondOutcomeUnknownError,
    code: 'RAINBOND_OUTCOME_UNKNOWN',
    message: `no answer from the console at ${host} to the copy after sending it; it may have taken effect`,
  },
  {
    name: 'a reset while the copy was being written may have taken effect',
    failure: transport('ECONNRESET', 'connected', 'socket hang up'),
    expected: RainbondOutcomeUnknownError,
    code: 'RAINBOND_OUTCOME_UNKNOWN',
    message: `the connection to the console at ${host} failed while sending it for the copy, before an answer: socket hang up (ECONNRESET); it may have taken effect`,
  },
  {
    name: 'a malformed HTTP answer after sending is an unknown outcome',
    route: 'deleteComponent',
    failure: transport('HPE_INVALID_CONSTANT', 'sent', 'Parse Error: Expected HTTP/'),
    expected: RainbondOutcomeUnknownError,
    code: 'RAINBOND_OUTCOME_UNKNOWN',
    message: `the connection to the console at ${host} failed after sending it for deleting the component, before an answer: Parse Error: Expected HTTP/ (HPE_INVALID_CONSTANT); it may have taken effect`,
  },
  {
    name: 'a cancellation after sending is an unknown outcome',
    route: 'operateComponents',
    failure: transport('ERR_ABORTED', 'sent'),
    expected: RainbondOutcomeUnknownError,
    code: 'RAINBOND_OUTCOME_UNKNOWN',
    message:
      'the component operation was cancelled after sending it to the console; it may have taken effect',
  },
  {
    name: 'a token that cannot be sent is unauthorized without an HTTP status',
    failure: { type: 'unusable-token', problem: 'it is empty' },
    expected: RainbondUnauthorizedError,
    code: 'RAINBOND_UNAUTHORIZED',
    message: 'the token cannot be used for the copy: it is empty; nothing was sent',
  },
];

describe('classifyFailure', () => {
  it.each(cases)('$name', (c) => {
    const route = c.route ?? 'copy';
    const error = classifyFailure(route, c.failure);
    expect(error).toBeInstanceOf(c.expected);
    expect(error.code).toBe(c.code);
    expect(error.message).toBe(c.message);
    expect(error.route).toBe(route);
    expect(error.httpStatus).toBe(c.httpStatus);
    expect(typeof error.cause).toBe('string');
  });

  const routes: RouteName[] = [
    'copy',
    'copyPreflight',
    'listComponents',
    'getComponent',
    'operateComponents',
    'deleteComponent',
  ];
  const anyRoute = fc.constantFrom(...routes);
  const anyCode = fc.oneof(
    fc.constantFrom(
      'ECONNREFUSED',
      'ENOTFOUND',
      'EAI_AGAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'ETIMEDOUT',
      'ERR_ABORTED',
    ),
    fc.string(),
  );

  it('never says "not sent" about a request that reached a connection, whatever the error code', () => {
    fc.assert(
      fc.property(
        anyRoute,
        anyCode,
        fc.constantFrom<Stage>('connected', 'sent'),
        fc.string(),
        (route, code, stage, detail) => {
          const error = classifyFailure(route, { type: 'transport', code, stage, host, detail });
          expect(error).toBeInstanceOf(RainbondOutcomeUnknownError);
        },
      ),
    );
  });

  it('says "not sent" about every failure before a connection', () => {
    fc.assert(
      fc.property(anyRoute, anyCode, fc.string(), (route, code, detail) => {
        const error = classifyFailure(route, {
          type: 'transport',
          code,
          stage: 'before-connection',
          host,
          detail,
        });
        expect(error).toBeInstanceOf(RainbondNotSentError);
      }),
    );
  });

  it('classifies every HTTP status by its class alone, whatever the body says', () => {
    fc.assert(
      fc.property(
        anyRoute,
        fc.integer({ min: 300, max: 599 }),
        fc.option(fc.string()),
        (route, status, body) => {
          const error = classifyFailure(route, { type: 'status', status, bodyText: body ?? undefined });
          const expected =
            status === 401 || status === 403
              ? RainbondUnauthorizedError
              : status < 500
                ? RainbondRejectedError
                : RainbondOutcomeUnknownError;
          expect(error).toBeInstanceOf(expected);
          expect(error.httpStatus).toBe(status);
        },
      ),
    );
  });
});
