// `npm run simulator -- --port 7070 --fixture path.json`: runs the simulator as its own process
// (for benchmarks, demos, poking at it by hand) until Ctrl-C or SIGTERM. The only simulator
// file that touches the process: argv, stdout/stderr, signals, exit codes.

import { createFakeClock } from '../fake-clock.ts';
import { parseCliArgs } from './cli-args.ts';
import { FixtureError, loadFixture } from './load-fixture.ts';
import { startSimulator } from './simulator.ts';

async function main(): Promise<number> {
  const parsed = parseCliArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`simulator: ${parsed.message}\n`);
    return 2;
  }
  const { options } = parsed;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({
      host: options.host,
      port: options.port,
      ...(options.fixturePath === undefined ? {} : { fixture: loadFixture(options.fixturePath) }),
      ...(options.statusTimings === undefined ? {} : { statusTimings: options.statusTimings }),
      ...(options.manualClock ? { clock: createFakeClock() } : {}),
      ...(options.faultSeed === undefined ? {} : { faultSeed: options.faultSeed }),
      ...(options.release === undefined ? {} : { release: options.release }),
      ...(options.releaseDesc === undefined ? {} : { releaseDesc: options.releaseDesc }),
    });
  } catch (err) {
    const message = err instanceof FixtureError ? err.message : `cannot start: ${(err as Error).message}`;
    process.stderr.write(`simulator: ${message}\n`);
    return 1;
  }

  const lines = [
    `Rainbond console simulator listening on ${sim.url}`,
    `  RAINBOND_URL=${sim.url}`,
    `  control API: ${sim.url}/__sim/ledger, /__sim/faults, /__sim/clock, /__sim/state`,
    `  console release: ${sim.release.id} (${sim.release.releases}; plays ${sim.release.models})`,
    `  clock: ${options.manualClock ? 'manual (POST /__sim/clock/advance)' : 'real'}; status timings: build ${sim.state.timings.buildMs} ms, start ${sim.state.timings.startMs} ms`,
    'Tokens (send raw in the Authorization header, no "Bearer "):',
    ...sim.state.users().map((u) => {
      const teams = sim.state
        .teams()
        .filter((t) => t.members.includes(u.nick_name))
        .map((t) => t.tenant_name)
        .join(', ');
      const expired = u.expires_at !== null && u.expires_at <= sim.clock.now() ? ' (EXPIRED)' : '';
      return `  ${u.nick_name.padEnd(10)} ${u.token}  teams: ${teams || '-'}${expired}`;
    }),
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
  process.stdout.write('simulator stopped\n');
  return 0;
}

process.exitCode = await main();
