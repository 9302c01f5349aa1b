import { describe, expect, it } from 'vitest';
import { ConfigError, helpText, loadConfig, SETTINGS } from '../../../src/config.ts';
import { parseDuration } from '../../../src/duration.ts';

const TOKEN = '5f1c0d2e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
const URL_ENV = { RAINBOND_URL: 'http://rainbond-console:7070' };

/** A file system of the given files; reading anything else fails like Node does. */
function files(contents: Record<string, string> = {}) {
  return (path: string): string => {
    const content = contents[path];
    if (content === undefined)
      throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
    return content;
  };
}

function load(env: Record<string, string | undefined>, argv: string[] = [], readFile = files()) {
  return loadConfig(env, argv, readFile);
}

/** The message loadConfig stops with (fails the test if it does not stop with a ConfigError). */
function stopsWith(env: Record<string, string | undefined>, argv: string[] = [], readFile = files()): string {
  try {
    loadConfig(env, argv, readFile);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('loadConfig accepted the settings');
}

describe('loadConfig: defaults', () => {
  it('with only the console URL, every other setting takes its documented safe default', () => {
    expect(load(URL_ENV)).toEqual({
      rainbondUrl: new URL('http://rainbond-console:7070'),
      defaultConsole: { kind: 'env' },
      clusterConsoles: true,
      consoleCheckIntervalMs: 60_000,
      defaultToken: undefined,
      refuseDefaultToken: false,
      rainbondCaFile: undefined,
      copyTimeoutMs: 600_000,
      requestTimeoutMs: 30_000,
      verifySettleMs: 660_000,
      watchNamespaces: [],
      labelSelector: undefined,
      concurrency: 16,
      followTimeoutMs: 1_800_000,
      followIntervalMs: 5_000,
      healthAddress: '0.0.0.0',
      healthPort: 8080,
      leaderElect: false,
      leaderElectionNamespace: 'default',
      leaderElectionId: 'appcopy-operator',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      shutdownGracePeriodMs: 25_000,
      resyncPeriodMs: 600_000,
      watchSilenceTimeoutMs: 300_000,
      logLevel: 'info',
    });
  });

  it('without RAINBOND_URL there is no default console; each AppCopy names its console', () => {
    const config = load({});
    expect(config.rainbondUrl).toBeUndefined();
    expect(config.defaultConsole).toEqual({ kind: 'none' });
  });

  it('DEFAULT_CONSOLE picks the default console: none, env, or a ClusterRainbondConsole by name', () => {
    expect(load({ ...URL_ENV, DEFAULT_CONSOLE: 'none' }).defaultConsole).toEqual({ kind: 'none' });
    expect(load({ ...URL_ENV, DEFAULT_CONSOLE: 'env' }).defaultConsole).toEqual({ kind: 'env' });
    expect(load({ DEFAULT_CONSOLE: 'ClusterRainbondConsole/shared.prod' }).defaultConsole).toEqual({
      kind: 'cluster',
      name: 'shared.prod',
    });
  });

  it('after an unanswered copy, "nothing was copied" is trusted only a minute after the copy timeout, unless set', () => {
    expect(load({ ...URL_ENV, RAINBOND_COPY_TIMEOUT: '20m' }).verifySettleMs).toBe(21 * 60_000);
    expect(
      load({ ...URL_ENV, RAINBOND_COPY_TIMEOUT: '20m', VERIFY_SETTLE_PERIOD: '30m' }).verifySettleMs,
    ).toBe(30 * 60_000);
    expect(
      load({ ...URL_ENV, RAINBOND_COPY_TIMEOUT: '20m', VERIFY_SETTLE_PERIOD: '20m' }).verifySettleMs,
    ).toBe(20 * 60_000);
  });

  it('the Lease lives in the pod’s own namespace unless told otherwise', () => {
    expect(load({ ...URL_ENV, POD_NAMESPACE: 'rainbond-system' }).leaderElectionNamespace).toBe(
      'rainbond-system',
    );
    expect(
      load({ ...URL_ENV, POD_NAMESPACE: 'rainbond-system', LEADER_ELECTION_NAMESPACE: 'leases' })
        .leaderElectionNamespace,
    ).toBe('leases');
  });

  it('an empty environment variable counts as unset', () => {
    expect(load({ ...URL_ENV, CONCURRENCY: '', RAINBOND_TOKEN: '' })).toMatchObject({
      concurrency: 16,
      defaultToken: undefined,
    });
  });
});

describe('loadConfig: values that are read', () => {
  it.each([
    {
      name: 'a flag beats the environment variable',
      env: { CONCURRENCY: '4' },
      argv: ['--concurrency', '8'],
      field: 'concurrency',
      value: 8,
    },
    {
      name: 'a flag may be written --flag=value',
      env: {},
      argv: ['--concurrency=8'],
      field: 'concurrency',
      value: 8,
    },
    {
      name: 'the console URL may come from a flag alone',
      env: { RAINBOND_URL: undefined },
      argv: ['--rainbond-url=https://console.example:7070'],
      field: 'rainbondUrl',
      value: new URL('https://console.example:7070'),
    },
    {
      name: 'durations are read in their unit',
      env: { RAINBOND_COPY_TIMEOUT: '15m', FOLLOW_INTERVAL: '1.5s' },
      argv: [],
      field: 'copyTimeoutMs',
      value: 900_000,
    },
    {
      name: 'a zero follow timeout turns following off',
      env: { FOLLOW_TIMEOUT: '0s' },
      argv: [],
      field: 'followTimeoutMs',
      value: 0,
    },
    {
      name: 'namespaces to watch are a comma-separated list, spaces ignored',
      env: { WATCH_NAMESPACES: 'team-a, team-b,,' },
      argv: [],
      field: 'watchNamespaces',
      value: ['team-a', 'team-b'],
    },
    {
      name: 'booleans accept 1 as well as true',
      env: { LEADER_ELECT: '1', REFUSE_DEFAULT_TOKEN: 'true' },
      argv: [],
      field: 'leaderElect',
      value: true,
    },
    {
      name: 'booleans accept 0 as well as false',
      env: { LEADER_ELECT: '0' },
      argv: [],
      field: 'leaderElect',
      value: false,
    },
    {
      name: 'a flag set to an empty value overrides the environment',
      env: { WATCH_NAMESPACES: 'team-a' },
      argv: ['--watch-namespaces='],
      field: 'watchNamespaces',
      value: [],
    },
    {
      name: 'a label selector with set syntax is accepted',
      env: { LABEL_SELECTOR: 'tier in (a,b),shard!=x' },
      argv: [],
      field: 'labelSelector',
      value: 'tier in (a,b),shard!=x',
    },
    {
      name: 'port 0 asks for a free port',
      env: { HEALTH_PORT: '0' },
      argv: [],
      field: 'healthPort',
      value: 0,
    },
  ])('$name', ({ env, argv, field, value }) => {
    expect(load({ ...URL_ENV, ...env }, argv)[field as keyof ReturnType<typeof load>]).toEqual(value);
  });

  it('the default token comes from RAINBOND_TOKEN', () => {
    expect(load({ ...URL_ENV, RAINBOND_TOKEN: TOKEN }).defaultToken).toBe(TOKEN);
  });

  it('the default token comes from the file RAINBOND_TOKEN_FILE names, without its trailing newline', () => {
    const readFile = files({ '/var/run/secrets/rainbond/token': `${TOKEN}\n` });
    expect(
      load({ ...URL_ENV, RAINBOND_TOKEN_FILE: '/var/run/secrets/rainbond/token' }, [], readFile).defaultToken,
    ).toBe(TOKEN);
  });

  it('a CA file that can be read is accepted and its path kept', () => {
    const readFile = files({ '/etc/rainbond/ca.pem': '-----BEGIN CERTIFICATE-----' });
    expect(load({ ...URL_ENV, RAINBOND_CA_FILE: '/etc/rainbond/ca.pem' }, [], readFile).rainbondCaFile).toBe(
      '/etc/rainbond/ca.pem',
    );
  });
});

describe('loadConfig: what stops the program', () => {
  it.each([
    {
      name: 'a concurrency that is not a number',
      env: { CONCURRENCY: 'abc' },
      message: 'CONCURRENCY (--concurrency) is "abc": expected a whole number from 1 to 256',
    },
    {
      name: 'a concurrency of zero',
      env: { CONCURRENCY: '0' },
      message: 'CONCURRENCY (--concurrency) is "0": expected a whole number from 1 to 256',
    },
    {
      name: 'a port out of range',
      env: { HEALTH_PORT: '70000' },
      message: 'HEALTH_PORT (--health-port) is "70000": expected a whole number from 0 to 65535',
    },
    {
      name: 'a duration without a unit',
      env: { RAINBOND_COPY_TIMEOUT: '600' },
      message:
        'RAINBOND_COPY_TIMEOUT (--rainbond-copy-timeout) is "600": expected a duration like 500ms, 30s, 10m or 1h, at least 1000ms',
    },
    {
      name: 'a duration below its minimum',
      env: { RAINBOND_REQUEST_TIMEOUT: '50ms' },
      message:
        'RAINBOND_REQUEST_TIMEOUT (--rainbond-request-timeout) is "50ms": expected a duration like 500ms, 30s, 10m or 1h, at least 100ms',
    },
    {
      name: 'a negative duration',
      env: { FOLLOW_TIMEOUT: '-1s' },
      message: 'FOLLOW_TIMEOUT (--follow-timeout) is "-1s": expected a duration like 500ms, 30s, 10m or 1h',
    },
    {
      name: 'a boolean spelled yes',
      env: { LEADER_ELECT: 'yes' },
      message: 'LEADER_ELECT (--leader-elect) is "yes": expected true, false, 1 or 0',
    },
    {
      name: 'an unknown log level',
      env: { LOG_LEVEL: 'verbose' },
      message: 'LOG_LEVEL (--log-level) is "verbose": expected fatal, error, warn, info, debug or trace',
    },
    {
      name: 'a namespace that is not a Kubernetes name',
      env: { WATCH_NAMESPACES: 'team-a,Team_B' },
      message:
        'WATCH_NAMESPACES (--watch-namespaces) is "team-a,Team_B": expected a Kubernetes name (lowercase letters, digits, -)',
    },
    {
      name: 'a Lease name that is not a Kubernetes name',
      env: { LEADER_ELECTION_ID: 'AppCopy' },
      message:
        'LEADER_ELECTION_ID (--leader-election-id) is "AppCopy": expected a Kubernetes name (lowercase letters, digits, -)',
    },
    {
      name: 'a label selector with characters selectors never contain',
      env: { LABEL_SELECTOR: 'a;b' },
      message:
        'LABEL_SELECTOR (--label-selector) is "a;b": expected a label selector such as shard=a or tier in (x,y)',
    },
    {
      name: 'a console URL that is not http(s)',
      env: { RAINBOND_URL: 'ftp://console:21' },
      message:
        'RAINBOND_URL (--rainbond-url) is "ftp://console:21": expected an http(s) URL such as http://rainbond-console:7070',
    },
    {
      name: 'a console URL that is not a URL at all',
      env: { RAINBOND_URL: 'rainbond-console:7070x' },
      message:
        'RAINBOND_URL (--rainbond-url) is "rainbond-console:7070x": expected an http(s) URL such as http://rainbond-console:7070',
    },
    {
      name: 'a console URL without a host',
      env: { RAINBOND_URL: 'http://' },
      message:
        'RAINBOND_URL (--rainbond-url) is "http://": expected an http(s) URL such as http://rainbond-console:7070',
    },
    {
      name: "the operator's own console as the default without its URL",
      env: { RAINBOND_URL: undefined, DEFAULT_CONSOLE: 'env' },
      message:
        "RAINBOND_URL (--rainbond-url) is required with DEFAULT_CONSOLE=env: the operator's own Rainbond console, e.g. http://rainbond-console:7070",
    },
    {
      name: 'a default console of no known kind',
      env: { DEFAULT_CONSOLE: 'RainbondConsole/mine' },
      message:
        'DEFAULT_CONSOLE (--default-console) is "RainbondConsole/mine": expected env, none or ClusterRainbondConsole/NAME',
    },
    {
      name: 'a cluster console as the default while cluster consoles are not watched',
      env: { DEFAULT_CONSOLE: 'ClusterRainbondConsole/shared', CLUSTER_CONSOLES: 'false' },
      message:
        'DEFAULT_CONSOLE (--default-console) names a ClusterRainbondConsole, but CLUSTER_CONSOLES (--cluster-consoles) is false',
    },
    {
      name: 'a token and a token file both set',
      env: { RAINBOND_TOKEN: TOKEN, RAINBOND_TOKEN_FILE: '/token' },
      message: 'RAINBOND_TOKEN and RAINBOND_TOKEN_FILE are both set: set only one',
    },
    {
      name: 'a token file that cannot be read',
      env: { RAINBOND_TOKEN_FILE: '/nowhere/token' },
      message: 'RAINBOND_TOKEN_FILE (--rainbond-token-file) "/nowhere/token" cannot be read: ENOENT',
    },
    {
      name: 'a token file with only whitespace',
      env: { RAINBOND_TOKEN_FILE: '/blank' },
      message: 'RAINBOND_TOKEN_FILE (--rainbond-token-file) "/blank" is empty',
    },
    {
      name: 'a CA file that cannot be read',
      env: { RAINBOND_CA_FILE: '/nowhere/ca.pem' },
      message: 'RAINBOND_CA_FILE (--rainbond-ca-file) "/nowhere/ca.pem" cannot be read: ENOENT',
    },
    {
      name: 'a renew deadline as long as the lease',
      env: { LEASE_DURATION: '10s', RENEW_DEADLINE: '10s' },
      message:
        'RENEW_DEADLINE (--renew-deadline) must be shorter than LEASE_DURATION (--lease-duration), so a leader stops acting before its lease can expire',
    },
    {
      name: 'a renew deadline longer than the lease',
      env: { LEASE_DURATION: '15s', RENEW_DEADLINE: '20s' },
      message: 'RENEW_DEADLINE (--renew-deadline) must be shorter than LEASE_DURATION',
    },
    {
      name: 'a verify settle period shorter than the copy timeout',
      env: { RAINBOND_COPY_TIMEOUT: '10m', VERIFY_SETTLE_PERIOD: '5m' },
      message:
        'VERIFY_SETTLE_PERIOD (--verify-settle-period) must be at least RAINBOND_COPY_TIMEOUT (--rainbond-copy-timeout)',
    },
    {
      name: 'a copy timeout raised above an explicit verify settle period',
      env: { VERIFY_SETTLE_PERIOD: '11m' },
      argv: ['--rainbond-copy-timeout=20m'],
      message: 'VERIFY_SETTLE_PERIOD (--verify-settle-period) must be at least RAINBOND_COPY_TIMEOUT',
    },
    {
      name: 'a retry period as long as the renew deadline',
      env: { RENEW_DEADLINE: '2s', RETRY_PERIOD: '2s' },
      message: 'RETRY_PERIOD (--retry-period) must be shorter than RENEW_DEADLINE (--renew-deadline)',
    },
  ] as { name: string; env: Record<string, string | undefined>; argv?: string[]; message: string }[])(
    '$name stops with a message naming the setting',
    ({ env, argv, message }) => {
      expect(stopsWith({ ...URL_ENV, ...env }, argv, files({ '/token': TOKEN, '/blank': ' \n' }))).toContain(
        message,
      );
    },
  );

  it.each([
    {
      name: 'an unknown flag',
      argv: ['--concurency=4'],
      message: 'unknown argument --concurency; see --help for the settings',
    },
    { name: 'a stray word', argv: ['start'], message: 'unknown argument start; see --help for the settings' },
    {
      name: 'a flag without its value',
      argv: ['--concurrency'],
      message: '--concurrency needs a value; see --help',
    },
    {
      name: 'a bad value given by flag',
      argv: ['--concurrency', 'many'],
      message: 'CONCURRENCY (--concurrency) is "many": expected a whole number from 1 to 256',
    },
  ])('$name on the command line stops with a message saying what is wrong', ({ argv, message }) => {
    expect(stopsWith(URL_ENV, argv)).toBe(message);
  });

  it('the lease timing used by default is valid, and a consistent custom one is accepted', () => {
    expect(
      load({ ...URL_ENV, LEASE_DURATION: '60s', RENEW_DEADLINE: '40s', RETRY_PERIOD: '5s' }),
    ).toMatchObject({
      leaseDurationMs: 60_000,
      renewDeadlineMs: 40_000,
      retryPeriodMs: 5_000,
    });
  });
});

describe('loadConfig: the token never appears in a message', () => {
  it.each([
    { name: 'an empty token flag', env: {}, argv: ['--rainbond-token='] },
    {
      name: 'a token and a token file both set',
      env: { RAINBOND_TOKEN: TOKEN, RAINBOND_TOKEN_FILE: '/token' },
      argv: [],
    },
    {
      name: 'a token given by flag next to a token file',
      env: { RAINBOND_TOKEN_FILE: '/token' },
      argv: ['--rainbond-token', TOKEN],
    },
    {
      name: 'a token file next to another bad setting',
      env: { RAINBOND_TOKEN_FILE: '/token', CONCURRENCY: 'x' },
      argv: [],
    },
    {
      name: 'a token next to a bad console URL',
      env: { RAINBOND_TOKEN: TOKEN, RAINBOND_URL: 'nope' },
      argv: [],
    },
    {
      name: 'a token next to an unknown flag',
      env: { RAINBOND_TOKEN: TOKEN },
      argv: ['--rainbond-token', TOKEN, '--verbose'],
    },
    {
      name: 'a token next to inconsistent lease timing',
      env: { RAINBOND_TOKEN: TOKEN, RENEW_DEADLINE: '1m' },
      argv: [],
    },
  ])('$name', ({ env, argv }) => {
    const message = stopsWith({ ...URL_ENV, ...env }, argv, files({ '/token': TOKEN }));
    expect(message).not.toContain(TOKEN);
  });
});

describe('helpText', () => {
  const help = helpText();

  it.each(SETTINGS.map((s) => ({ ...s, name: `${s.flag} / ${s.env}` })))(
    'lists $name with its description',
    (s) => {
      expect(help).toContain(`${s.flag} / ${s.env}`);
      expect(help).toContain(s.description);
    },
  );

  it.each([
    ['--concurrency / CONCURRENCY (default: 16)'],
    ['--rainbond-copy-timeout / RAINBOND_COPY_TIMEOUT (default: 10m)'],
    ['--log-level / LOG_LEVEL (default: info)'],
    ['--watch-namespaces / WATCH_NAMESPACES (default: "")'],
    ['--leader-elect / LEADER_ELECT (default: false)'],
  ])('shows the default: %s', (line) => {
    expect(help).toContain(line);
  });

  it('shows every default loadConfig really uses', () => {
    for (const s of SETTINGS.filter((x) => x.default !== undefined)) {
      expect(help).toContain(`${s.flag} / ${s.env} (default: ${s.default === '' ? '""' : s.default})`);
      // The shown default is accepted as a value (it is what runs when nothing is set).
      expect(() => load({ ...URL_ENV, [s.env]: s.default })).not.toThrow();
    }
  });

  it('shows no default for settings that have none, like the console URL and the token', () => {
    expect(help).toMatch(/--rainbond-url \/ RAINBOND_URL\n/);
    expect(help).toMatch(/--rainbond-token \/ RAINBOND_TOKEN\n/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1.5s', 1_500],
    ['0s', 0],
    [' 30s ', 30_000],
    ['0.5ms', 1],
    ['30', undefined],
    ['30 s', undefined],
    ['1m30s', undefined],
    ['-5s', undefined],
    ['5d', undefined],
    ['s', undefined],
    ['', undefined],
    ['30S', undefined],
  ])('%j is %j milliseconds', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
