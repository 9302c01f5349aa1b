// `npm run demo`: the whole product on one machine in about a minute (plus a one-time build of
// the control plane). Starts kube-apiserver + etcd and the Rainbond simulator, installs the CRD,
// runs the operator as its own process, applies an AppCopy, shows its status as the copies
// build and run, prints where the preview answers, deletes it (deletionPolicy: Delete removes the
// copies), and tears everything down. `--keep` stops before the deletion and leaves everything running for kubectl.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../test/support/control-plane/control-plane.ts';
import { runProcess } from '../test/support/run-process.ts';
import { APPS, COMPONENTS, REGION, TEAMS, USERS } from '../test/support/simulator/fixtures/default.ts';
import { startSimulator } from '../test/support/simulator/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
if (process.argv.includes('--help')) {
  process.stdout.write(
    'Usage: npm run demo [-- --keep]\n  --keep  leave the control plane, simulator and operator running for kubectl (Ctrl-C stops)\n',
  );
  process.exit(0);
}

const say = (text: string) => process.stdout.write(`\n\x1b[1m==> ${text}\x1b[0m\n`);

/**
 * Runs kubectl without blocking: the simulator lives in this process, so a synchronous child
 * (spawnSync) would freeze the console the operator is talking to.
 */
async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const result = await runProcess('kubectl', args, {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    timeoutMs: 120_000,
    ...(input === undefined ? {} : { input }),
  }).catch((error: Error) => {
    throw new Error(`kubectl is needed for the demo: ${error.message}`);
  });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

const MANIFEST = `apiVersion: openapi.rainbond.io/v1alpha1
kind: AppCopy
metadata:
  name: shop-to-staging
  namespace: demo
spec:
  source: {teamId: ${TEAMS.shop.tenantName}, regionName: ${REGION}, appId: ${APPS.previewSite}}
  target: {teamName: ${TEAMS.staging.tenantName}, regionName: ${REGION}, appId: ${APPS.shopStaging}}
  services:
    - serviceId: ${COMPONENTS.site.serviceId}
      change:
        buildSource: {version: "1.28"}
    - serviceId: ${COMPONENTS.cache.serviceId}
  deletionPolicy: Delete
`;

async function main(): Promise<void> {
  say('Starting a local Kubernetes control plane (kube-apiserver + etcd)');
  const plane = await startControlPlane({ log: (line) => process.stdout.write(`    ${line}\n`) });
  const cleanups: (() => Promise<unknown>)[] = [() => plane.stop()];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    const kc = plane.kubeconfigPath;
    await kubectl(kc, ['apply', '-f', `${ROOT}crds/`]);
    await kubectl(kc, [
      'wait',
      '--for=condition=Established',
      'crd/appcopies.openapi.rainbond.io',
      '--timeout=30s',
    ]);
    await kubectl(kc, ['create', 'namespace', 'demo']);
    process.stdout.write(`    API server ${plane.server}; CRD appcopies.openapi.rainbond.io installed\n`);

    say(
      'Starting the Rainbond console simulator (team "shop" has app 19, preview-site: site on HTTP port 80, cache on TCP port 6379, queue)',
    );
    const sim = await startSimulator({ statusTimings: { buildMs: 2000, startMs: 4000 } });
    cleanups.push(() => sim.stop());
    process.stdout.write(`    console at ${sim.url}\n`);

    say('Starting the operator (node src/main.ts)');
    const operator = spawn(process.execPath, ['src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        KUBECONFIG: kc,
        RAINBOND_URL: sim.url,
        RAINBOND_TOKEN: USERS.alice.token,
        HEALTH_PORT: '0',
        HEALTH_ADDRESS: '127.0.0.1',
        FOLLOW_INTERVAL: '1s',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      if (operator.exitCode === null) {
        operator.kill('SIGTERM');
        await once(operator, 'exit');
      }
    });
    operator.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        try {
          const { msg, appcopy } = JSON.parse(line) as { msg: string; appcopy?: string };
          process.stdout.write(`    \x1b[2m[operator] ${msg}${appcopy ? ` (${appcopy})` : ''}\x1b[0m\n`);
        } catch {
          process.stdout.write(`    [operator] ${line}\n`);
        }
      }
    });

    say('Applying an AppCopy');
    process.stdout.write(MANIFEST.replace(/^/gm, '    '));
    await kubectl(kc, ['apply', '-f', '-'], MANIFEST);

    say('kubectl wait --for=condition=Ready appcopy/shop-to-staging');
    await kubectl(kc, [
      'wait',
      '-n',
      'demo',
      '--for=condition=Ready',
      'appcopy/shop-to-staging',
      '--timeout=60s',
    ]);
    process.stdout.write(
      `${(await kubectl(kc, ['get', 'appcopies', '-n', 'demo'])).trimEnd().replace(/^/gm, '    ')}\n`,
    );

    say('Following the copies as the console builds and deploys them');
    let last = '';
    const deadline = Date.now() + 60_000;
    for (;;) {
      const object = JSON.parse(
        await kubectl(kc, ['get', '-n', 'demo', 'appcopy/shop-to-staging', '-o', 'json']),
      ) as {
        status?: {
          services?: {
            serviceCname: string;
            status?: string;
            addresses?: { urls?: string[]; tcpEndpoints?: string[] };
          }[];
          url?: string;
          conditions?: { type: string; status: string; reason: string }[];
        };
      };
      const services = (object.status?.services ?? [])
        .map((s) => `${s.serviceCname}=${s.status ?? '?'}`)
        .join(' ');
      const ready = object.status?.conditions?.find((c) => c.type === 'ComponentsReady');
      const line = `${services}   ComponentsReady=${ready?.status ?? '-'} (${ready?.reason ?? 'not yet'})`;
      if (line !== last) process.stdout.write(`    ${line}\n`);
      last = line;
      if (ready?.status === 'True') {
        say('Where the preview answers (status.services[].addresses, status.url)');
        for (const s of object.status?.services ?? []) {
          const where = [...(s.addresses?.urls ?? []), ...(s.addresses?.tcpEndpoints ?? [])];
          process.stdout.write(
            `    ${s.serviceCname}: ${where.length > 0 ? where.join(', ') : '(no outer port)'}\n`,
          );
        }
        process.stdout.write(`    the preview answers at ${object.status?.url ?? '(no HTTP address)'}\n`);
        break;
      }
      if (Date.now() > deadline) throw new Error('the copies did not reach running within 60 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    process.stdout.write(
      (await kubectl(kc, ['get', 'appcopies', '-n', 'demo', '-o', 'wide'])).trimEnd().replace(/^/gm, '    ') +
        '\n',
    );
    const copies = sim.ledger.copiesInto(APPS.shopStaging);
    process.stdout.write(
      `    simulator ledger: ${copies.length} copy call(s) took effect, ${copies[0]?.createdServiceIds.length ?? 0} component(s) created\n`,
    );

    if (keep) {
      say('Running. Try kubectl against it; Ctrl-C stops everything');
      process.stdout.write(
        `    export KUBECONFIG=${kc}\n    kubectl get appcopies -A\n    kubectl describe appcopy -n demo shop-to-staging\n`,
      );
      await new Promise(() => {});
    }

    say('Deleting the AppCopy (deletionPolicy: Delete deletes the copies from Rainbond first)');
    await kubectl(kc, ['delete', '-n', 'demo', 'appcopy/shop-to-staging', '--timeout=60s']);
    const left = sim.state.componentsOf(APPS.shopStaging).length;
    process.stdout.write(`    components left in the target app: ${left}\n`);
    if (left !== 0) throw new Error('the copies were not deleted');
    say('Done: copied once, followed to running, deleted with the AppCopy. Cleaning up.');
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
