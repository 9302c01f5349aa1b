// The simulator CLI: flags validated with clear messages; started by hand it prints its URL
// and tokens, serves the console, and stops cleanly on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.ts';
import { type CliParse, parseCliArgs } from '../../support/simulator/cli-args.ts';
import { USERS } from '../../support/simulator/fixtures/default.ts';

describe('CLI flags', () => {
  const cases: { name: string; argv: string[]; expected: CliParse | { kind: 'error'; contains: string } }[] =
    [
      {
        name: 'No flags means port 7070 on 127.0.0.1 with the bundled fixture and a real clock.',
        argv: [],
        expected: {
          kind: 'run',
          options: {
            host: '127.0.0.1',
            port: 7070,
            fixturePath: undefined,
            statusTimings: undefined,
            manualClock: false,
            faultSeed: undefined,
            release: undefined,
            releaseDesc: undefined,
          },
        },
      },
      {
        name: 'Every flag is read.',
        argv: [
          '--port',
          '0',
          '--host',
          '0.0.0.0',
          '--fixture',
          'f.json',
          '--status-timings',
          '10, 20',
          '--manual-clock',
          '--fault-seed',
          '9',
          '--release',
          '5.16',
          '--release-desc',
          '',
        ],
        expected: {
          kind: 'run',
          options: {
            host: '0.0.0.0',
            port: 0,
            fixturePath: 'f.json',
            statusTimings: { buildMs: 10, startMs: 20 },
            manualClock: true,
            faultSeed: 9,
            release: '5.16',
            releaseDesc: '',
          },
        },
      },
      {
        name: 'A non-numeric port is refused.',
        argv: ['--port', 'http'],
        expected: { kind: 'error', contains: '--port must be an integer from 0 to 65535 (got "http")' },
      },
      {
        name: 'A port above 65535 is refused.',
        argv: ['--port', '70000'],
        expected: { kind: 'error', contains: '--port must be an integer' },
      },
      {
        name: 'Status timings need two integers.',
        argv: ['--status-timings', '2000'],
        expected: {
          kind: 'error',
          contains: '--status-timings must be two non-negative integers "buildMs,startMs"',
        },
      },
      {
        name: 'Negative status timings are refused.',
        argv: ['--status-timings', '-1,5'],
        expected: { kind: 'error', contains: '--status-timings' },
      },
      {
        name: 'An unknown console release is refused, naming the ones there are.',
        argv: ['--release', '5.17'],
        expected: {
          kind: 'error',
          contains: '--release must be one of 5.16, 6.0, 6.1, 6.5, 6.9 (got "5.17")',
        },
      },
      {
        name: 'An unknown flag is refused with the usage.',
        argv: ['--prot', '1'],
        expected: { kind: 'error', contains: "Unknown option '--prot'" },
      },
      {
        name: 'A flag without its value is refused.',
        argv: ['--fixture'],
        expected: { kind: 'error', contains: "Option '--fixture <value>' argument missing" },
      },
    ];

  for (const c of cases) {
    it(c.name, () => {
      const parsed = parseCliArgs(c.argv);
      if ('contains' in c.expected) {
        expect(parsed.kind).toBe('error');
        expect((parsed as { message: string }).message).toContain(c.expected.contains);
      } else {
        expect(parsed).toEqual(c.expected);
      }
    });
  }

  it('--help prints the usage.', () => {
    const parsed = parseCliArgs(['--help']);
    expect(parsed.kind).toBe('help');
    expect((parsed as { text: string }).text).toContain('--status-timings <b,s>');
  });
});

const CLI = fileURLToPath(new URL('../../support/simulator/cli.ts', import.meta.url));

function runCli(args: string[]): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('CLI process', () => {
  it('prints the URL and the tokens, serves the console, and exits 0 on SIGTERM.', {
    timeout: 20_000,
  }, async () => {
    const run = runCli(['--port', '0', '--status-timings', '0,0', '--release', '6.0']);
    try {
      await eventually(() => run.output().includes('Press Ctrl-C'), {
        what: 'the condition',
        timeoutMs: 15_000,
        intervalMs: 25,
      });
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())![1]!;
      expect(run.output()).toContain(`alice      ${USERS.alice.token}  teams: o19p6wen, t7k2m9qa, q4zz01ab`);
      expect(run.output()).toContain(`carol      ${USERS.carol.token}  teams: o19p6wen, t7k2m9qa (EXPIRED)`);
      const res = await fetch(`${url}/openapi/v1/teams/o19p6wen/regions/rainbond/apps`, {
        headers: { authorization: USERS.alice.token },
      });
      expect(res.status).toBe(200);
      expect(run.output()).toContain('console release: 6.0 (v6.0.0–v6.1.0; plays v6.0.0)');
      const config = await fetch(`${url}/console/config/info`);
      expect(((await config.json()) as { data: { bean: { version: unknown } } }).data.bean.version).toEqual({
        enable: true,
        value: 'v6.0.0-release-726ae5d-2024-11-21-16',
      });
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.output()).toContain('simulator stopped');
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });

  it('exits 2 with the message for a bad flag, and 1 for a bad fixture.', { timeout: 20_000 }, async () => {
    const badFlag = runCli(['--port', 'x']);
    expect(await badFlag.exited).toBe(2);
    expect(badFlag.output()).toContain('simulator: --port must be an integer');
    const badFixture = runCli(['--port', '0', '--fixture', '/nonexistent/fixture.json']);
    expect(await badFixture.exited).toBe(1);
    expect(badFixture.output()).toContain('simulator: Invalid simulator fixture (/nonexistent/fixture.json)');
  });
});
