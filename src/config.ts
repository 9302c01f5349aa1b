// Settings: every one is an environment variable and a flag (the flag wins), validated at
// start. A wrong value stops the program with one message naming the setting and what it
// accepts. This module is pure: main.ts hands it the environment, argv and a file reader.
import { z } from 'zod';
import { parseDuration } from './duration.ts';

/** DEFAULT_CONSOLE (see controller/console-access.ts). */
export type DefaultConsoleSetting = { kind: 'env' } | { kind: 'none' } | { kind: 'cluster'; name: string };

export interface Config {
  /** The operator's own console; undefined when RAINBOND_URL is not set. */
  rainbondUrl: URL | undefined;
  /** The console of AppCopies without spec.consoleRef. */
  defaultConsole: DefaultConsoleSetting;
  /** Whether ClusterRainbondConsoles (and Namespaces, for their selectors) are watched. */
  clusterConsoles: boolean;
  consoleCheckIntervalMs: number;
  /** The default token; never logged. Undefined when neither RAINBOND_TOKEN nor RAINBOND_TOKEN_FILE is set. */
  defaultToken: string | undefined;
  refuseDefaultToken: boolean;
  rainbondCaFile: string | undefined;
  copyTimeoutMs: number;
  requestTimeoutMs: number;
  verifySettleMs: number;
  /** Empty: all namespaces. */
  watchNamespaces: string[];
  labelSelector: string | undefined;
  concurrency: number;
  followTimeoutMs: number;
  followIntervalMs: number;
  healthAddress: string;
  healthPort: number;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  shutdownGracePeriodMs: number;
  resyncPeriodMs: number;
  watchSilenceTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

const duration = (min: number) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < min) {
      ctx.addIssue({
        code: 'custom',
        message: `a duration like 500ms, 30s, 10m or 1h${min > 0 ? `, at least ${min}ms` : ''}`,
      });
      return z.NEVER;
    }
    return ms;
  });
const bool = z
  .enum(['true', 'false', '1', '0'], 'true, false, 1 or 0')
  .transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `a whole number from ${min} to ${max}`)
        .max(max, `a whole number from ${min} to ${max}`),
    );
const dns1123 = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes name (lowercase letters, digits, -)');

interface Setting {
  env: string;
  flag: string;
  description: string;
  default?: string;
  schema: z.ZodType;
  secret?: boolean;
}

/** The settings table; --help and the README's settings section come from it. */
export const SETTINGS: readonly Setting[] = [
  {
    env: 'RAINBOND_URL',
    flag: '--rainbond-url',
    description:
      "The operator's own Rainbond console, e.g. http://rainbond-console:7070: the default console with DEFAULT_CONSOLE=env (no rules: every watched namespace may use it), and the console of AppCopies copied before consoles were resources",
    schema: z
      .string()
      .url('an http(s) URL such as http://rainbond-console:7070')
      // zod runs this refinement even after .url() failed: new URL() alone would throw a bare TypeError.
      .refine(
        (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
        'an http(s) URL such as http://rainbond-console:7070',
      ),
  },
  {
    env: 'RAINBOND_TOKEN',
    flag: '--rainbond-token',
    description:
      "The token for the operator's own console (RAINBOND_URL), for AppCopies without credentialsSecretRef (prefer RAINBOND_TOKEN_FILE)",
    schema: z.string().min(1, 'a non-empty token'),
    secret: true,
  },
  {
    env: 'RAINBOND_TOKEN_FILE',
    flag: '--rainbond-token-file',
    description:
      "A file holding the token for the operator's own console (e.g. a mounted Secret); read at start",
    schema: z.string().min(1, 'a file path'),
  },
  {
    env: 'REFUSE_DEFAULT_TOKEN',
    flag: '--refuse-default-token',
    description:
      "true: every AppCopy using the operator's own console must name its own credentialsSecretRef",
    default: 'false',
    schema: bool,
  },
  {
    env: 'DEFAULT_CONSOLE',
    flag: '--default-console',
    description:
      "The console of AppCopies without spec.consoleRef: env (the operator's own, RAINBOND_URL), none (every AppCopy names its console), or ClusterRainbondConsole/NAME (whose rules apply). Default: env when RAINBOND_URL is set, else none",
    schema: z
      .string()
      .regex(
        /^(env|none|ClusterRainbondConsole\/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/,
        'env, none or ClusterRainbondConsole/NAME',
      )
      .transform((value): DefaultConsoleSetting => {
        if (value === 'env' || value === 'none') return { kind: value };
        return { kind: 'cluster', name: value.slice(value.indexOf('/') + 1) };
      }),
  },
  {
    env: 'CLUSTER_CONSOLES',
    flag: '--cluster-consoles',
    description:
      'Watch ClusterRainbondConsoles and the Namespaces their rules select (false: only RainbondConsoles in the watched namespaces, for installations without cluster-wide permissions)',
    default: 'true',
    schema: bool,
  },
  {
    env: 'CONSOLE_CHECK_INTERVAL',
    flag: '--console-check-interval',
    description:
      'How often each console resource is checked (reachable, TLS trusted, token accepted); its token and CA are read again each time, and at once when the console refuses the token',
    default: '1m',
    schema: duration(1000),
  },
  {
    env: 'RAINBOND_CA_FILE',
    flag: '--rainbond-ca-file',
    description:
      "PEM CA bundle trusted for the operator's own console over HTTPS, in addition to the system CAs",
    schema: z.string().min(1, 'a file path'),
  },
  {
    env: 'RAINBOND_COPY_TIMEOUT',
    flag: '--rainbond-copy-timeout',
    description: 'How long to wait for the copy call (the console is slow on big copies)',
    default: '10m',
    schema: duration(1000),
  },
  {
    env: 'RAINBOND_REQUEST_TIMEOUT',
    flag: '--rainbond-request-timeout',
    description: 'How long to wait for other console calls',
    default: '30s',
    schema: duration(100),
  },
  {
    env: 'VERIFY_SETTLE_PERIOD',
    flag: '--verify-settle-period',
    description:
      'After a copy call ended without an answer (timeout, reset, crash), how long after sending it "nothing was copied" is trusted enough to send again; at least RAINBOND_COPY_TIMEOUT (default: the copy timeout + 1m)',
    schema: duration(0),
  },
  {
    env: 'WATCH_NAMESPACES',
    flag: '--watch-namespaces',
    description: 'Comma-separated namespaces to watch; empty watches all namespaces',
    default: '',
    schema: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(dns1123)),
  },
  {
    env: 'LABEL_SELECTOR',
    flag: '--label-selector',
    description: 'Only AppCopies matching this label selector (to shard between deployments)',
    schema: z.string().regex(/^[A-Za-z0-9_./=!,() -]+$/, 'a label selector such as shard=a or tier in (x,y)'),
  },
  {
    env: 'CONCURRENCY',
    flag: '--concurrency',
    description:
      'How many copy calls are in flight at once (the load on the console); twice as many AppCopies are reconciled at once, so the next copies are ready to go',
    default: '16',
    schema: int(1, 256),
  },
  {
    env: 'FOLLOW_TIMEOUT',
    flag: '--follow-timeout',
    description: 'How long to follow the copies until they run (0s: do not follow)',
    default: '30m',
    schema: duration(0),
  },
  {
    env: 'FOLLOW_INTERVAL',
    flag: '--follow-interval',
    description: 'First interval between polls of the copies; it grows up to 1m',
    default: '5s',
    schema: duration(100),
  },
  {
    env: 'HEALTH_ADDRESS',
    flag: '--health-address',
    description: 'Address for /healthz, /readyz and /metrics',
    default: '0.0.0.0',
    schema: z.string().min(1, 'an IP address'),
  },
  {
    env: 'HEALTH_PORT',
    flag: '--health-port',
    description: 'Port for /healthz, /readyz and /metrics (0 picks a free one)',
    default: '8080',
    schema: int(0, 65535),
  },
  {
    env: 'LEADER_ELECT',
    flag: '--leader-elect',
    description: 'Run leader election so that only one replica acts (on in deploy/)',
    default: 'false',
    schema: bool,
  },
  {
    env: 'LEADER_ELECTION_NAMESPACE',
    flag: '--leader-election-namespace',
    description: "Namespace of the Lease (default: the pod's namespace, else default)",
    schema: dns1123,
  },
  {
    env: 'LEADER_ELECTION_ID',
    flag: '--leader-election-id',
    description: 'Name of the Lease',
    default: 'appcopy-operator',
    schema: dns1123,
  },
  {
    env: 'LEASE_DURATION',
    flag: '--lease-duration',
    description: 'How long a Lease is valid without renewal',
    default: '15s',
    schema: duration(1000),
  },
  {
    env: 'RENEW_DEADLINE',
    flag: '--renew-deadline',
    description:
      'How long the leader keeps trying to renew before it stops acting (less than the lease duration)',
    default: '10s',
    schema: duration(500),
  },
  {
    env: 'RETRY_PERIOD',
    flag: '--retry-period',
    description: 'Interval between leader election attempts',
    default: '2s',
    schema: duration(100),
  },
  {
    env: 'SHUTDOWN_GRACE_PERIOD',
    flag: '--shutdown-grace-period',
    description: 'On SIGTERM, how long in-flight copies may take to finish and record their outcome',
    default: '25s',
    schema: duration(0),
  },
  {
    env: 'RESYNC_PERIOD',
    flag: '--resync-period',
    description: 'How often every AppCopy is reconciled again even without changes',
    default: '10m',
    schema: duration(1000),
  },
  {
    env: 'WATCH_SILENCE_TIMEOUT',
    flag: '--watch-silence-timeout',
    description: 'Relist when the watch has been silent this long (not even a bookmark)',
    default: '5m',
    schema: duration(1000),
  },
  {
    env: 'LOG_LEVEL',
    flag: '--log-level',
    description: 'fatal, error, warn, info, debug or trace',
    default: 'info',
    schema: z.enum(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace'],
      'fatal, error, warn, info, debug or trace',
    ),
  },
];

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function helpText(): string {
  const lines = ['Usage: npm start -- [flags]   (every flag is also an environment variable)', ''];
  for (const s of SETTINGS) {
    lines.push(
      `  ${s.flag} / ${s.env}${s.default !== undefined ? ` (default: ${s.default === '' ? '""' : s.default})` : ''}`,
    );
    lines.push(`      ${s.description}`);
  }
  lines.push('', 'Kubernetes access: KUBECONFIG or the in-cluster service account.');
  return lines.join('\n');
}

/** Splits argv into flag values; `--flag value` and `--flag=value`. Unknown flags are errors. */
function readFlags(argv: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  const byFlag = new Map(SETTINGS.map((s) => [s.flag, s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const setting = byFlag.get(flag);
    if (!setting) throw new ConfigError(`unknown argument ${flag}; see --help for the settings`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value; see --help`);
    values.set(setting.env, value);
  }
  return values;
}

export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
  readFile: (path: string) => string,
): Config {
  const flags = readFlags(argv);
  const raw = (name: string): string | undefined =>
    flags.get(name) ?? (env[name] === '' ? undefined : env[name]);
  const values: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const given = raw(s.env) ?? s.default;
    if (given === undefined) continue;
    const parsed = s.schema.safeParse(given);
    if (!parsed.success) {
      const shown = s.secret ? '(hidden)' : JSON.stringify(given);
      throw new ConfigError(
        `${s.env} (${s.flag}) is ${shown}: expected ${parsed.error.issues[0]?.message ?? 'a valid value'}`,
      );
    }
    values[s.env] = parsed.data;
  }
  const defaultConsole =
    (values.DEFAULT_CONSOLE as DefaultConsoleSetting | undefined) ??
    (values.RAINBOND_URL === undefined ? { kind: 'none' } : { kind: 'env' });
  if (defaultConsole.kind === 'env' && values.RAINBOND_URL === undefined) {
    throw new ConfigError(
      "RAINBOND_URL (--rainbond-url) is required with DEFAULT_CONSOLE=env: the operator's own Rainbond console, e.g. http://rainbond-console:7070",
    );
  }
  if (defaultConsole.kind === 'cluster' && values.CLUSTER_CONSOLES === false) {
    throw new ConfigError(
      'DEFAULT_CONSOLE (--default-console) names a ClusterRainbondConsole, but CLUSTER_CONSOLES (--cluster-consoles) is false: the operator would not watch it',
    );
  }
  if (values.RAINBOND_TOKEN !== undefined && values.RAINBOND_TOKEN_FILE !== undefined) {
    throw new ConfigError('RAINBOND_TOKEN and RAINBOND_TOKEN_FILE are both set: set only one');
  }
  let defaultToken = values.RAINBOND_TOKEN as string | undefined;
  if (values.RAINBOND_TOKEN_FILE !== undefined) {
    const path = values.RAINBOND_TOKEN_FILE as string;
    try {
      defaultToken = readFile(path).trim();
    } catch (error) {
      throw new ConfigError(
        `RAINBOND_TOKEN_FILE (--rainbond-token-file) ${JSON.stringify(path)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    if (!defaultToken)
      throw new ConfigError(`RAINBOND_TOKEN_FILE (--rainbond-token-file) ${JSON.stringify(path)} is empty`);
  }
  if (values.RAINBOND_CA_FILE !== undefined) {
    const path = values.RAINBOND_CA_FILE as string;
    try {
      readFile(path);
    } catch (error) {
      throw new ConfigError(
        `RAINBOND_CA_FILE (--rainbond-ca-file) ${JSON.stringify(path)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  const copyTimeoutMs = values.RAINBOND_COPY_TIMEOUT as number;
  const verifySettleMs = (values.VERIFY_SETTLE_PERIOD as number | undefined) ?? copyTimeoutMs + 60_000;
  if (verifySettleMs < copyTimeoutMs) {
    throw new ConfigError(
      'VERIFY_SETTLE_PERIOD (--verify-settle-period) must be at least RAINBOND_COPY_TIMEOUT (--rainbond-copy-timeout): a copy may still be running inside the console until then, and sending it again earlier could copy twice',
    );
  }
  const leaseDurationMs = values.LEASE_DURATION as number;
  const renewDeadlineMs = values.RENEW_DEADLINE as number;
  const retryPeriodMs = values.RETRY_PERIOD as number;
  if (renewDeadlineMs >= leaseDurationMs) {
    throw new ConfigError(
      `RENEW_DEADLINE (--renew-deadline) must be shorter than LEASE_DURATION (--lease-duration), so a leader stops acting before its lease can expire`,
    );
  }
  if (retryPeriodMs >= renewDeadlineMs) {
    throw new ConfigError(
      'RETRY_PERIOD (--retry-period) must be shorter than RENEW_DEADLINE (--renew-deadline)',
    );
  }
  return {
    rainbondUrl: values.RAINBOND_URL === undefined ? undefined : new URL(values.RAINBOND_URL as string),
    defaultConsole,
    clusterConsoles: values.CLUSTER_CONSOLES as boolean,
    consoleCheckIntervalMs: values.CONSOLE_CHECK_INTERVAL as number,
    defaultToken,
    refuseDefaultToken: values.REFUSE_DEFAULT_TOKEN as boolean,
    rainbondCaFile: values.RAINBOND_CA_FILE as string | undefined,
    copyTimeoutMs,
    requestTimeoutMs: values.RAINBOND_REQUEST_TIMEOUT as number,
    verifySettleMs,
    watchNamespaces: values.WATCH_NAMESPACES as string[],
    labelSelector: values.LABEL_SELECTOR as string | undefined,
    concurrency: values.CONCURRENCY as number,
    followTimeoutMs: values.FOLLOW_TIMEOUT as number,
    followIntervalMs: values.FOLLOW_INTERVAL as number,
    healthAddress: values.HEALTH_ADDRESS as string,
    healthPort: values.HEALTH_PORT as number,
    leaderElect: values.LEADER_ELECT as boolean,
    leaderElectionNamespace:
      (values.LEADER_ELECTION_NAMESPACE as string | undefined) ?? env.POD_NAMESPACE ?? 'default',
    leaderElectionId: values.LEADER_ELECTION_ID as string,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    shutdownGracePeriodMs: values.SHUTDOWN_GRACE_PERIOD as number,
    resyncPeriodMs: values.RESYNC_PERIOD as number,
    watchSilenceTimeoutMs: values.WATCH_SILENCE_TIMEOUT as number,
    logLevel: values.LOG_LEVEL as Config['logLevel'],
  };
}
