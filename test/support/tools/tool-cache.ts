// The test bed's command-line tools (helm, promtool, our promql-metric-names, syft), built from
// the Go module proxy by build.sh on first use and cached beside the control plane's binaries
// (test/support/control-plane/binary-cache.ts), in <cache>/tools/<tool>-<version>/. Later
// uses find them there at once. Nothing is committed or fetched into the repository.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir } from '../control-plane/binary-cache.ts';
import { findOnPath, isExecutable } from '../executables.ts';

export type Tool = 'helm' | 'promtool' | 'promql-metric-names' | 'syft';

/** The versions the tests use. promtool's is the Go module version of Prometheus 3.16.0. */
export const TOOL_VERSIONS: Record<Tool, string> = {
  helm: 'v4.3.2',
  promtool: 'v0.316.0',
  'promql-metric-names': 'v0.316.0',
  // The image's SBOM (scripts/release.ts).
  syft: 'v1.57.2',
};

/**
 * A first build on 2 cores: helm about 4 minutes, promtool about 6, promql-metric-names under
 * one once promtool's packages are in Go's build cache. A hook that calls ensureTool() needs
 * a timeout this long.
 */
export const TOOL_BUILD_TIMEOUT_MS = 25 * 60_000;

const BUILD_SCRIPT = fileURLToPath(new URL('./build.sh', import.meta.url));
const METRIC_NAMES_SOURCE = fileURLToPath(new URL('./promql-metric-names.go', import.meta.url));

/** The cache entry of a tool; our own program's entry also names a hash of its source. */
export function toolDir(tool: Tool, env: NodeJS.ProcessEnv = process.env): string {
  const version = TOOL_VERSIONS[tool];
  const source =
    tool === 'promql-metric-names'
      ? `-${createHash('sha256').update(readFileSync(METRIC_NAMES_SOURCE)).digest('hex').slice(0, 12)}`
      : '';
  return join(defaultCacheDir(env), 'tools', `${tool}-${version}${source}`);
}

const inFlight = new Map<Tool, Promise<string>>();

/**
 * The path of `tool`, built first if the cache lacks it. Safe to call from parallel test
 * workers: build.sh holds a lock per entry, so a second caller waits for the first build.
 * Throws with the build's own one-line diagnosis and the path of its full log.
 */
export function ensureTool(
  tool: Tool,
  options: { log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  let pending = inFlight.get(tool);
  if (!pending) {
    pending = build(
      tool,
      options.env ?? process.env,
      options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    );
    inFlight.set(tool, pending);
    pending.catch(() => inFlight.delete(tool));
  }
  return pending;
}

async function build(tool: Tool, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const outDir = toolDir(tool, env);
  const binary = join(outDir, tool);
  if (isExecutable(binary)) return binary;
  if (!findOnPath('go', env.PATH ?? '')) {
    throw new Error(
      `${tool} ${TOOL_VERSIONS[tool]} is not built yet and Go is not on PATH, so it cannot be. ` +
        `Install Go 1.26 or newer and run again; the first build takes minutes and is cached in ${outDir}.`,
    );
  }
  mkdirSync(join(outDir, '..'), { recursive: true });
  const logFile = `${outDir}.build.log`;
  const output = createWriteStream(logFile);
  const started = Date.now();
  const child = spawn('bash', [BUILD_SCRIPT, tool, TOOL_VERSIONS[tool], outDir], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lastError: string | undefined;
  const onLine = (line: string) => {
    output.write(`${line}\n`);
    // build.sh's own lines are the progress; Go's "downloading" lines go to the log file only.
    if (line.startsWith('[tools build]')) log(line);
    const error = /^\[tools build\] error: (.*)$/.exec(line);
    if (error) lastError = error[1];
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const heartbeat = setInterval(() => {
    log(
      `[tools build] ${tool}: still working after ${Math.round((Date.now() - started) / 1000)}s (${logFile})`,
    );
  }, 60_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0 || !isExecutable(binary)) {
      throw new Error(
        `Building ${tool} ${TOOL_VERSIONS[tool]} failed: ${lastError ?? `build.sh exited with ${code}`}. ` +
          `Full output: ${logFile}. Check that the Go module proxy is reachable (go env GOPROXY), then run again.`,
      );
    }
    return binary;
  } finally {
    clearInterval(heartbeat);
    await new Promise((resolve) => output.end(resolve));
  }
}
