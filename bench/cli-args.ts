// The benchmark's command line. Pure: argv in, settings or a message out.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchSettings, SCENARIOS, type ScenarioName } from './context.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where results go unless --out says otherwise (gitignored); a timestamped copy sits beside it. */
export const DEFAULT_RESULTS_PATH = 'bench/results/latest.json';

export const DEFAULT_SETTINGS: BenchSettings = {
  scenarios: [...SCENARIOS],
  burstSize: 1000,
  latencyRuns: 50,
  latencyWarmup: 3,
  followSize: 100,
  followInterval: '250ms',
  scaleSize: 10_000,
  settleSeconds: 10,
  concurrency: 16,
  copyLatencyMs: 100,
  listLatencyMs: 10,
  repeat: 1,
  clientParallelism: 32,
  operatorNodeOptions: undefined,
  podLimits: 'deploy',
  operator: 'process',
  console: 'operator',
};

export interface BenchOptions {
  settings: BenchSettings;
  /** Absolute path of the results JSON. */
  out: string;
  profileDir: string | undefined;
  logDir: string | undefined;
  /** The checkout whose operator is built and measured (default: this one). */
  operatorRoot: string;
  /** Use this control plane instead of starting one. */
  kubeconfigPath: string | undefined;
  build: boolean;
}

export type ParsedArgs =
  | { kind: 'run'; options: BenchOptions }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

export function usage(): string {
  const d = DEFAULT_SETTINGS;
  return [
    'Usage: npm run bench -- [options]',
    '',
    `  --scenarios LIST      comma-separated: ${SCENARIOS.join(',')} (default: all; efficiency comes from burst)`,
    `  --burst N             AppCopies created at once in burst (default ${d.burstSize})`,
    `  --latency-runs N      measured copies in latency (default ${d.latencyRuns}, after ${d.latencyWarmup} warm-up runs)`,
    `  --follow N            AppCopies of preview-site followed until their copies run in follow (default ${d.followSize})`,
    `  --follow-interval D   the operator's FOLLOW_INTERVAL in follow (default ${d.followInterval})`,
    `  --scale N             finished AppCopies present at start in scale (default ${d.scaleSize})`,
    `  --settle S            seconds scale leaves the operator idle after ready before reading RSS (default ${d.settleSeconds})`,
    `  --concurrency C       the operator's CONCURRENCY (default ${d.concurrency})`,
    `  --copy-latency MS     simulator latency of each copy call (default ${d.copyLatencyMs})`,
    `  --list-latency MS     simulator latency of each list call: pre-flight and component list (default ${d.listLatencyMs})`,
    `  --repeat N            run each scenario N times and report medians (default ${d.repeat})`,
    `  --parallel N          requests the benchmark keeps in flight when creating/seeding (default ${d.clientParallelism})`,
    '  --pod-limits MODE     deploy: run the operator as its pod does, in a cgroup with the resources.limits',
    '                        of deploy/base/deployment.yaml (V8 sizes its heap from the memory limit) and',
    "                        with that container's NODE_OPTIONS; none: no limits, no NODE_OPTIONS (V8 sizes",
    '                        its heap for this machine) (default deploy)',
    "  --node-options STR    NODE_OPTIONS of the operator process instead of the Deployment's ('' for none)",
    '  --operator KIND       process: `node dist/main.js` (default); container: the image (npm run image),',
    "                        run with podman as deploy/base's pod runs it (its user, read-only root, limits),",
    '                        memory read from its cgroup too (root; not with --profile or --pod-limits none)',
    "  --console KIND        operator: AppCopies copy through the operator's own console (RAINBOND_URL,",
    '                        default); cluster: through a ClusterRainbondConsole, their default console',
    '                        (its rules checked on every copy, its token from a Secret, its status written)',
    `  --out PATH            results JSON (default ${DEFAULT_RESULTS_PATH}, plus a timestamped copy beside it)`,
    '  --profile DIR         run the operator under --cpu-prof (one .cpuprofile per operator start) and take',
    '                        a heap snapshot in scale once settled; files go to DIR (keep it outside the repo)',
    "  --operator-logs DIR   keep each operator start's log, at debug level, in DIR/<scenario>-<run>.log",
    '  --operator-root DIR   measure the operator of another checkout, e.g. a git worktree of the commit',
    "                        to compare with (its node_modules may be a symlink to this one's)",
    '  --kubeconfig PATH     use this control plane instead of starting a local one',
    '  --no-build            use dist/ as it is (refused if older than src/)',
  ].join('\n');
}

export function parseBenchArgs(argv: readonly string[]): ParsedArgs {
  const settings: BenchSettings = { ...DEFAULT_SETTINGS, scenarios: [...DEFAULT_SETTINGS.scenarios] };
  let out = resolve(ROOT, DEFAULT_RESULTS_PATH);
  let profileDir: string | undefined;
  let logDir: string | undefined;
  let operatorRoot = ROOT;
  let kubeconfigPath: string | undefined;
  let build = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--no-build') {
      build = false;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) return { kind: 'error', message: `${flag} needs a value` };
    const int = (min: number): number | string => {
      const n = Number(value);
      return Number.isInteger(n) && n >= min ? n : `${flag} must be a whole number >= ${min} (got ${value})`;
    };
    const set = (key: keyof BenchSettings, min: number): string | undefined => {
      const n = int(min);
      if (typeof n === 'string') return n;
      (settings as unknown as Record<string, number>)[key] = n;
      return undefined;
    };
    let problem: string | undefined;
    switch (flag) {
      case '--scenarios': {
        const names = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = names.filter((n) => !SCENARIOS.includes(n as ScenarioName));
        if (unknown.length > 0 || names.length === 0)
          problem = `--scenarios takes ${SCENARIOS.join(', ')} (got ${value})`;
        else settings.scenarios = names as ScenarioName[];
        break;
      }
      case '--burst':
        problem = set('burstSize', 1);
        break;
      case '--latency-runs':
        problem = set('latencyRuns', 1);
        break;
      case '--follow':
        problem = set('followSize', 1);
        break;
      case '--follow-interval':
        if (/^\d+(ms|s)$/.test(value)) settings.followInterval = value;
        else problem = `--follow-interval takes a duration like 250ms or 1s (got ${value})`;
        break;
      case '--scale':
        problem = set('scaleSize', 1);
        break;
      case '--settle':
        problem = set('settleSeconds', 5);
        break;
      case '--concurrency':
        problem = set('concurrency', 1);
        break;
      case '--copy-latency':
        problem = set('copyLatencyMs', 1);
        break;
      case '--list-latency':
        problem = set('listLatencyMs', 0);
        break;
      case '--repeat':
        problem = set('repeat', 1);
        break;
      case '--parallel':
        problem = set('clientParallelism', 1);
        break;
      case '--node-options':
        settings.operatorNodeOptions = value;
        break;
      case '--operator':
        if (value === 'process' || value === 'container') settings.operator = value;
        else problem = `--operator takes process or container (got ${value})`;
        break;
      case '--console':
        if (value === 'operator' || value === 'cluster') settings.console = value;
        else problem = `--console takes operator or cluster (got ${value})`;
        break;
      case '--pod-limits':
        if (value === 'deploy' || value === 'none') settings.podLimits = value;
        else problem = `--pod-limits takes deploy or none (got ${value})`;
        break;
      case '--out':
        out = value;
        break;
      case '--profile':
        profileDir = value;
        break;
      case '--operator-root':
        operatorRoot = value;
        break;
      case '--operator-logs':
        logDir = value;
        break;
      case '--kubeconfig':
        kubeconfigPath = value;
        break;
      default:
        problem = `unknown option ${flag}`;
    }
    if (problem) return { kind: 'error', message: problem };
  }
  if (settings.operator === 'container' && profileDir !== undefined)
    return { kind: 'error', message: '--profile profiles the process; it cannot with --operator container' };
  if (settings.operator === 'container' && settings.podLimits === 'none')
    return { kind: 'error', message: "--operator container runs deploy/base's pod, with its limits" };
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(process.cwd(), path));
  return {
    kind: 'run',
    options: {
      settings,
      out: absolute(out),
      profileDir: profileDir === undefined ? undefined : absolute(profileDir),
      logDir: logDir === undefined ? undefined : absolute(logDir),
      operatorRoot: absolute(operatorRoot),
      kubeconfigPath,
      build,
    },
  };
}
