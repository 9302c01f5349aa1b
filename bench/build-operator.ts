// The benchmark measures the built operator, dist/main.js, which is what the container image
// runs: in this checkout the bundle of scripts/build-bundle.ts (the image's
// scripts/build-image-context.sh makes it with the same `npm run build`). So it builds first,
// with the `build` script of the measured checkout's own package.json: an older checkout given
// with --operator-root (whose build was still `tsc`) is built and measured the way its own
// image was. With --no-build it uses dist as it is, but refuses a dist older than src/: a stale
// build is the easiest way to benchmark the wrong code.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_MAIN } from './operator-under-test.ts';

/** `root`: the checkout whose operator is measured (this one, or another worktree with --operator-root). */
export function ensureOperatorBuilt(opts: {
  root: string;
  build: boolean;
  log: (line: string) => void;
}): void {
  const { root } = opts;
  if (opts.build) {
    const command = buildCommand(root);
    opts.log(`building the operator in ${root} (npm run build: ${command.join(' ')})`);
    const [program, ...args] = command;
    const result = spawnSync(
      program === 'node' ? process.execPath : join(root, 'node_modules/.bin', program!),
      args,
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) {
      throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
    }
    return;
  }
  const built = mtimeOf(join(root, BUILT_MAIN));
  if (built === undefined)
    throw new Error(`${BUILT_MAIN} does not exist: run npm run build, or drop --no-build`);
  const newest = newestMtime(join(root, 'src'));
  if (newest > built) {
    throw new Error(`${BUILT_MAIN} is older than src/: run npm run build, or drop --no-build`);
  }
}

/**
 * The `build` script of `root`'s package.json as argv: `node <script> ...` (run with this Node
 * 24) or a tool of its node_modules/.bin (`tsc -p tsconfig.build.json` before the bundle).
 */
export function buildCommand(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const script = pkg.scripts?.build;
  if (!script || /[|&;<>$`'"]/.test(script))
    throw new Error(`${root}/package.json: no build script the benchmark can run (${script ?? 'none'})`);
  return script.trim().split(/\s+/);
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
