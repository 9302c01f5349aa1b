// `npm run bench`: builds the operator, starts a local control plane (kube-apiserver + etcd)
// and the Rainbond simulator, runs the scenarios against `node dist/main.js` (the bundle the
// container image runs) as its own process, prints the figures with the targets, and writes
// them as JSON (bench/results/).
// See docs/performance.md for what each figure means and how to profile.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureImage, imageReference } from '../scripts/image/build.ts';
import { startControlPlane } from '../test/support/control-plane/control-plane.ts';
import { runBench } from './bench.ts';
import { ensureOperatorBuilt } from './build-operator.ts';
import { parseBenchArgs, usage } from './cli-args.ts';
import { resolvePodLimits } from './pod-limits.ts';
import { renderTable } from './report.ts';

async function main(): Promise<number> {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`bench: ${parsed.message}\n\n${usage()}\n`);
    return 2;
  }
  const { settings, out, profileDir, logDir, operatorRoot, kubeconfigPath, build } = parsed.options;
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

  // The container builds its own bundle inside the image (scripts/image/build.ts).
  const image =
    settings.operator === 'container'
      ? await ensureImage({ root: operatorRoot, reference: imageReference(operatorRoot), log })
      : undefined;
  if (image)
    log(
      `the operator runs as the image ${image.reference} (${(image.sizeBytes / 1e6).toFixed(1)} MB), in deploy/base's pod spec, with podman`,
    );
  else ensureOperatorBuilt({ root: operatorRoot, build, log });
  const limits = settings.podLimits === 'deploy' ? resolvePodLimits(operatorRoot) : undefined;
  // The container's NODE_OPTIONS come with the pod (--node-options replaces them).
  settings.operatorNodeOptions ??= limits?.nodeOptions ?? '';
  if (limits?.applied === false) log(`WARNING: ${limits.reason}; the operator runs without limits`);
  else if (limits?.applied)
    log(
      `the operator runs in a cgroup with its pod's limits: memory ${limits.limits.memory}, cpu ${limits.limits.cpu}`,
    );
  for (const dir of [profileDir, logDir]) if (dir) mkdirSync(dir, { recursive: true });

  const startedAt = new Date();
  const plane = kubeconfigPath
    ? undefined
    : await startControlPlane({ log: (line) => log(`control plane: ${line}`) });
  try {
    const outcome = await runBench({
      operatorRoot,
      kubeconfigPath: kubeconfigPath ?? plane!.kubeconfigPath,
      settings,
      ...(profileDir ? { profileDir } : {}),
      ...(logDir ? { logDir } : {}),
      ...(limits?.applied ? { podLimits: limits.limits } : {}),
      ...(image ? { image: image.reference } : {}),
      ...(plane
        ? {
            controlPlanePids: () => {
              const pids = plane.processIds();
              return { apiServer: pids.apiServer, etcd: pids.etcd };
            },
          }
        : {}),
      log,
    });
    const finishedAt = new Date();
    const results = {
      schema: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      git: gitState(operatorRoot),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        controlPlane: plane ? { versions: plane.versions } : 'given (--kubeconfig)',
        calibration: outcome.calibration,
        operatorLimits: limits?.applied
          ? { memory: limits.limits.memory, cpu: limits.limits.cpu, from: limits.from }
          : (limits?.reason ?? 'none (--pod-limits none)'),
        operator: image
          ? { kind: 'container', image: image.reference, imageId: image.id, imageBytes: image.sizeBytes }
          : { kind: 'process' },
      },
      settings,
      figures: outcome.figures,
      runs: outcome.runs,
    };
    const text = `${JSON.stringify(results, null, 2)}\n`;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    const stamped = join(
      dirname(out),
      `${startedAt
        .toISOString()
        .replaceAll(':', '-')
        .replace(/\.\d+Z$/, 'Z')}.json`,
    );
    writeFileSync(stamped, text);

    process.stdout.write(`\n${renderTable(outcome.figures, settings.repeat)}\n\n`);
    process.stdout.write(
      `machine at the start: ${outcome.calibration.cpuMs} ms for the CPU workload, ${outcome.calibration.apiRoundTripMs} ms per API round trip (compare runs only at similar values)\n`,
    );
    process.stdout.write(
      `operator NODE_OPTIONS: ${!settings.operatorNodeOptions ? '(none)' : settings.operatorNodeOptions}; limits: ${limits?.applied ? `memory ${limits.limits.memory}, cpu ${limits.limits.cpu} (a cgroup, as ${limits.from})` : `none (${limits?.reason ?? '--pod-limits none'})`}\n`,
    );
    process.stdout.write(`results: ${out} (and ${stamped})\n`);
    const failed = outcome.figures.filter((f) => f.pass === false);
    if (failed.length > 0) {
      process.stdout.write(`targets missed: ${failed.map((f) => `${f.scenario} ${f.name}`).join('; ')}\n`);
    }
    return 0;
  } finally {
    await plane?.stop();
  }
}

/** The commit of the measured operator, and whether its src/ had uncommitted changes. */
function gitState(root: string): { root: string; commit: string; dirtySrc: boolean } {
  const run = (args: string[]) =>
    spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  return {
    root,
    commit: run(['rev-parse', 'HEAD']),
    dirtySrc: run(['status', '--porcelain', '--', 'src']) !== '',
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
