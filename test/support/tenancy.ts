// A world of two tenants and two consoles, for the tenancy tests: two fresh namespaces (a and b)
// on the shared control plane, two Rainbond simulators (one and two) standing for two consoles,
// a token Secret for each console, and an operator process watching both namespaces with no
// console of its own unless a test gives it one. Everything is torn down when the test ends.
import { readFileSync } from 'node:fs';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { inject, onTestFinished } from 'vitest';
import { type AppCopySpecInput, appCopies } from './appcopies.ts';
import { type ConsoleSpecInput, consoles } from './consoles.ts';
import { createTestNamespace, testKubeConfig } from './kube.ts';
import { type OperatorProcess, startOperatorProcess } from './operator-process.ts';
import { APPS, COMPONENTS, REGION, TEAMS, USERS } from './simulator/fixtures/default.ts';
import { type Simulator, startSimulator } from './simulator/index.ts';

let nextTargetAppId = 9500;

export interface TenancyWorld {
  kc: KubeConfig;
  a: string;
  b: string;
  one: Simulator;
  two: Simulator;
  appcopies: ReturnType<typeof appCopies>;
  consoles: ReturnType<typeof consoles>;
  /** A name no other test uses, for cluster-scoped objects. */
  unique(name: string): string;
  /** A new empty target app in team staging of `sim`. */
  targetApp(sim: Simulator): number;
  /** web+api of shop-online into `targetAppId` of team staging. */
  spec(targetAppId: number, overrides?: Partial<AppCopySpecInput>): AppCopySpecInput;
  /** A console spec for `sim` whose token is the Secret `name` (key token) in `secretNamespace`. */
  consoleSpec(
    url: string,
    allow: ConsoleSpecInput['allow'],
    secret: { namespace?: string; name: string },
  ): ConsoleSpecInput;
  /** Puts `token` into the Secret `name` (key `token`) of `namespace`. */
  putSecret(namespace: string, name: string, token: string): Promise<void>;
  putConfigMap(namespace: string, name: string, data: Record<string, string>): Promise<void>;
  /** Calls `sim` got for anything but the console checks (GET /openapi/v1/teams). */
  copyCalls(sim: Simulator): string[];
  operator(env?: Record<string, string>): Promise<OperatorProcess>;
}

export async function createTenancyWorld(): Promise<TenancyWorld> {
  const kc = testKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const [a, b] = await Promise.all([
    createTestNamespace(kc, 'tenant-a'),
    createTestNamespace(kc, 'tenant-b'),
  ]);
  const [one, two] = await Promise.all([startSimulator(), startSimulator()]);
  const processes: OperatorProcess[] = [];
  onTestFinished(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await Promise.all([one.stop(), two.stop()]);
  });
  const appcopies = appCopies(kc);

  return {
    kc,
    a,
    b,
    one,
    two,
    appcopies,
    consoles: consoles(kc),
    unique: (name) => `${name}-${a}`,
    targetApp(sim) {
      const id = nextTargetAppId++;
      sim.state.addApp({
        ID: id,
        team: TEAMS.staging.tenantName,
        region: REGION,
        group_name: `target-${id}`,
      });
      return id;
    },
    spec(targetAppId, overrides = {}) {
      return {
        source: { teamId: TEAMS.shop.tenantName, regionName: REGION, appId: APPS.shopOnline },
        target: { teamName: TEAMS.staging.tenantName, regionName: REGION, appId: targetAppId },
        services: [{ serviceId: COMPONENTS.web.serviceId }, { serviceId: COMPONENTS.api.serviceId }],
        ...overrides,
      };
    },
    consoleSpec(url, allow, secret) {
      return {
        url,
        credentialsSecretRef: { ...secret },
        // Short copy timeout keeps verification waits brief, as the other operator tests do.
        limits: { copyTimeout: '5s' },
        allow,
      };
    },
    putSecret: (namespace, name, token) => appcopies.putTokenSecret(namespace, name, token),
    async putConfigMap(namespace, name, data) {
      const body = { metadata: { name, namespace }, data };
      try {
        await core.createNamespacedConfigMap({ namespace, body });
      } catch (error) {
        if ((error as { code?: number }).code !== 409) throw error;
        await core.replaceNamespacedConfigMap({ namespace, name, body });
      }
    },
    // The console's own check (the team list) and its release read are about the console, not an AppCopy.
    copyCalls: (sim) =>
      sim.ledger.calls
        .filter((c) => c.route !== 'listTeams' && c.route !== 'consoleConfig')
        .map((c) => c.route ?? c.path),
    async operator(env = {}) {
      const p = startOperatorProcess({
        kubeconfigPath: inject('kubeconfigPath'),
        rainbondUrl: undefined,
        env: {
          WATCH_NAMESPACES: `${a},${b}`,
          DEFAULT_CONSOLE: 'none',
          CONSOLE_CHECK_INTERVAL: '1s',
          RAINBOND_COPY_TIMEOUT: '5s',
          VERIFY_SETTLE_PERIOD: '6s',
          ...env,
        },
      });
      processes.push(p);
      await p.started;
      return p;
    },
  };
}

/** The PEM text of a file (a CA for a ConfigMap). */
export const pem = (path: string) => readFileSync(path, 'utf8');

export { USERS };
