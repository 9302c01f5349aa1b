// The boundary between "provably not sent" and "may have arrived", read from got's timings.

import type { Timings } from 'got';
import { describe, expect, it } from 'vitest';
import type { Stage } from '../../../src/rainbond/classify-failure.ts';
import { stageOf } from '../../../src/rainbond/http-transport.ts';

function timings(
  events: Partial<Pick<Timings, 'socket' | 'lookup' | 'connect' | 'secureConnect' | 'upload'>>,
): Timings {
  return { start: 0, phases: {}, ...events };
}

describe('stageOf', () => {
  it.each<{ name: string; timings: Timings | undefined; https: boolean; expected: Stage }>([
    {
      name: 'a request that failed before got timed it never left',
      timings: undefined,
      https: false,
      expected: 'before-connection',
    },
    {
      name: 'a plain HTTP request with a socket but no connection never left',
      timings: timings({ socket: 1, lookup: 2 }),
      https: false,
      expected: 'before-connection',
    },
    {
      name: 'a plain HTTP request on a connected socket may be partly written',
      timings: timings({ socket: 1, lookup: 1, connect: 2 }),
      https: false,
      expected: 'connected',
    },
    {
      name: 'an HTTPS request whose TLS handshake did not complete never left',
      timings: timings({ socket: 1, lookup: 1, connect: 2 }),
      https: true,
      expected: 'before-connection',
    },
    {
      name: 'an HTTPS request after the handshake may be partly written',
      timings: timings({ socket: 1, lookup: 1, connect: 2, secureConnect: 3 }),
      https: true,
      expected: 'connected',
    },
    {
      name: 'a fully written request was sent',
      timings: timings({ socket: 1, lookup: 1, connect: 2, secureConnect: 3, upload: 4 }),
      https: true,
      expected: 'sent',
    },
    {
      name: 'a written request counts as sent even if the connection times are missing',
      timings: timings({ upload: 4 }),
      https: true,
      expected: 'sent',
    },
  ])('$name', ({ timings: t, https, expected }) => {
    expect(stageOf(t, https)).toBe(expected);
  });
});
