// `npm run chaos -- --appcopies 1000 --kills 10 --seed N`: the chaos run of
// test/integration/chaos at any size, by hand. Starts a control plane and the simulator of its
// own, prints the seed first and the report last, exits 1 if any invariant failed.
// `--json FILE` also writes the report as JSON (docs/reliability.md quotes it).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatReport, runChaos } from '../test/integration/chaos/chaos-run.ts';

const USAGE = `Usage: npm run chaos -- [--appcopies N] [--kills K] [--seed S] [--converge-timeout SECONDS] [--concurrency C] [--json FILE]
  --appcopies         AppCopies to copy (default 1000)
  --kills             SIGKILLs of the operator at random moments (default 10)
  --seed              the random seed (default: random; printed, so a run can be replayed)
  --converge-timeout  how long the AppCopies may take to settle after the last disturbance (default 600)
  --concurrency       the operator's CONCURRENCY (default: its own default)
  --json              also write the report to this file as JSON`;

function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        appcopies: { type: 'string', default: '1000' },
        kills: { type: 'string', default: '10' },
        seed: { type: 'string' },
        'converge-timeout': { type: 'string', default: '600' },
        concurrency: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return Promise.resolve(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return Promise.resolve(0);
  }
  const int = (name: string, min: number): number => {
    const n = Number(values[name]);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int('seed', 0);
  const options = {
    appCopies: int('appcopies', 1),
    kills: int('kills', 1),
    seed,
    convergeTimeoutMs: int('converge-timeout', 1) * 1000,
    log: (line: string) => process.stdout.write(`[chaos] ${line}\n`),
    ...(values.concurrency === undefined
      ? {}
      : { operatorEnv: { CONCURRENCY: String(int('concurrency', 1)) } }),
  };
  process.stdout.write(
    `[chaos] seed ${seed}; replay: npm run chaos -- --appcopies ${options.appCopies} --kills ${options.kills} --seed ${seed}\n`,
  );
  return runChaos(options).then((report) => {
    process.stdout.write(`\n${formatReport(report)}\n`);
    if (typeof values.json === 'string') writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    return report.violations.length === 0 ? 0 : 1;
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
