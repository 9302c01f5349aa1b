// `npm run control-plane`: a local kube-apiserver + etcd for people. Builds or reuses the
// binaries, starts them, prints how to point kubectl at them and stays up until Ctrl-C or
// SIGTERM, then stops them and removes every file it made.
import { parseArgs } from 'node:util';
import { ControlPlaneError, defaultCacheDir, defaultVersions, startControlPlane } from './control-plane.ts';

const usage = `Usage: npm run control-plane [-- OPTIONS]

Starts a local Kubernetes control plane (kube-apiserver + etcd, no nodes, no controllers) and
keeps it running until Ctrl-C. The first run builds both from the Go module proxy (needs Go,
5-20 minutes); later runs reuse the build from ${defaultCacheDir()}
(override with APPCOPY_TESTBED_CACHE).

Options:
  --port N                   kube-apiserver port on 127.0.0.1 (default: a free one)
  --kubernetes-version V     default ${defaultVersions.kubernetes}
  --etcd-version V           default ${defaultVersions.etcd}
  -h, --help                 this text
`;

async function main(argv: string[]): Promise<number> {
  let values: { port?: string; 'kubernetes-version'?: string; 'etcd-version'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'kubernetes-version': { type: 'string' },
        'etcd-version': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    process.stderr.write(`error: --port must be a port number, got "${values.port}"\n`);
    return 2;
  }

  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  const controlPlane = await startControlPlane({
    log,
    versions: {
      kubernetes: values['kubernetes-version'] ?? defaultVersions.kubernetes,
      etcd: values['etcd-version'] ?? defaultVersions.etcd,
    },
    ...(port === undefined ? {} : { apiServerPort: port }),
  });

  process.stdout.write(
    [
      '',
      `Kubernetes ${controlPlane.versions.kubernetes} control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${controlPlane.server}`,
      '',
      'Point kubectl at it (in another shell):',
      `  export KUBECONFIG=${controlPlane.kubeconfigPath}`,
      '  kubectl get namespaces',
      '  kubectl apply -f crds/',
      '',
      'There are no nodes and no controllers: objects are stored and validated, Pods never run,',
      'and deleted namespaces stay Terminating.',
      `Everything lives in ${controlPlane.runDir} and is removed on exit. Ctrl-C stops it.`,
      '',
    ].join('\n'),
  );

  const outcome = await new Promise<number>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve(0));
    controlPlane.failure.then((error) => {
      process.stderr.write(`error: ${error.message}\n`);
      resolve(1);
    });
  });
  process.stderr.write('stopping the control plane...\n');
  await controlPlane.stop();
  process.stderr.write('stopped; nothing left behind.\n');
  return outcome;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      error instanceof ControlPlaneError
        ? `error: ${error.message}\n`
        : `error: ${(error as Error)?.stack ?? error}\n`,
    );
    process.exit(1);
  },
);
