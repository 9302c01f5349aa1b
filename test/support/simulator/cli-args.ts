// The simulator CLI's flags, parsed and validated without touching the process, so the
// messages a user sees for bad flags are tested like any other function.
import { parseArgs } from 'node:util';
import type { StatusTimings } from './component-status.ts';
import { CONSOLE_RELEASE_IDS, type ConsoleReleaseId, isConsoleReleaseId } from './releases.ts';

export interface CliOptions {
  host: string;
  port: number;
  /** undefined: the bundled default fixture. */
  fixturePath: string | undefined;
  statusTimings: StatusTimings | undefined;
  manualClock: boolean;
  faultSeed: number | undefined;
  /** undefined: the default release (6.9). */
  release: ConsoleReleaseId | undefined;
  /** undefined: the release's official RELEASE_DESC; "" a console built without one. */
  releaseDesc: string | undefined;
}

export type CliParse =
  | { kind: 'run'; options: CliOptions }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

export const CLI_USAGE = `Usage: npm run simulator -- [options]

Starts the Rainbond console simulator and prints its URL and the fixture's tokens.

Options:
  --port <n>                    port to listen on (default 7070; 0 = any free port)
  --host <addr>                 address to bind (default 127.0.0.1)
  --fixture <path.json>         fixture file (default: the bundled default fixture)
  --status-timings <b,s>        ms a copy spends building (undeploy), then starting (default 2000,3000)
  --manual-clock                freeze the clock; move it with POST /__sim/clock/advance
  --fault-seed <n>              seed for probabilistic faults (default 1)
  --release <id>                console release group to play: ${CONSOLE_RELEASE_IDS.join(', ')} (default 6.9)
  --release-desc <text>         version GET /console/config/info reports (default: the release's
                                official RELEASE_DESC; "" for a console built without one)
  -h, --help                    show this help
`;

function integer(text: string): number | null {
  return /^\d+$/.test(text) ? Number(text) : null;
}

export function parseCliArgs(argv: readonly string[]): CliParse {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        fixture: { type: 'string' },
        'status-timings': { type: 'string' },
        'manual-clock': { type: 'boolean' },
        'fault-seed': { type: 'string' },
        release: { type: 'string' },
        'release-desc': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { kind: 'error', message: `${(err as Error).message}\n\n${CLI_USAGE}` };
  }
  if (values.help) return { kind: 'help', text: CLI_USAGE };

  const portText = (values.port as string | undefined) ?? '7070';
  const port = integer(portText);
  if (port === null || port > 65535) {
    return { kind: 'error', message: `--port must be an integer from 0 to 65535 (got "${portText}")` };
  }

  let statusTimings: StatusTimings | undefined;
  const timingsText = values['status-timings'] as string | undefined;
  if (timingsText !== undefined) {
    const parts = timingsText.split(',').map((p) => integer(p.trim()));
    const [buildMs, startMs] = parts;
    if (parts.length !== 2 || buildMs == null || startMs == null) {
      return {
        kind: 'error',
        message: `--status-timings must be two non-negative integers "buildMs,startMs", like 2000,3000 (got "${timingsText}")`,
      };
    }
    statusTimings = { buildMs, startMs };
  }

  let faultSeed: number | undefined;
  const seedText = values['fault-seed'] as string | undefined;
  if (seedText !== undefined) {
    const seed = integer(seedText);
    if (seed === null)
      return { kind: 'error', message: `--fault-seed must be a non-negative integer (got "${seedText}")` };
    faultSeed = seed;
  }

  const releaseText = values.release as string | undefined;
  if (releaseText !== undefined && !isConsoleReleaseId(releaseText)) {
    return {
      kind: 'error',
      message: `--release must be one of ${CONSOLE_RELEASE_IDS.join(', ')} (got "${releaseText}")`,
    };
  }

  const host = (values.host as string | undefined) ?? '127.0.0.1';
  if (host.trim() === '') return { kind: 'error', message: '--host must not be empty' };
  const fixturePath = values.fixture as string | undefined;
  if (fixturePath !== undefined && fixturePath.trim() === '') {
    return { kind: 'error', message: '--fixture must be a path to a JSON file' };
  }

  return {
    kind: 'run',
    options: {
      host,
      port,
      fixturePath,
      statusTimings,
      manualClock: values['manual-clock'] === true,
      faultSeed,
      release: releaseText,
      releaseDesc: values['release-desc'] as string | undefined,
    },
  };
}
