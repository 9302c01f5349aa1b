// The benchmark measures the built operator (dist/main.js, what the container image runs), so
// it compiles first. With --no-build it uses dist as it is, but refuses a dist older than src/:
// a stale build is the easiest way to benchmark the wrong code.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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
    opts.log(`building the operator in ${root} (npm run build -> dist/)`);
    const result = spawnSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: root, encoding: 'utf8' },
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
