import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from './process-alive.ts';

/** Recognisable prefix of every control plane's temporary directory. */
export const runDirPrefix = 'appcopy-control-plane-';
const ownerFile = 'owner.pid';

/**
 * Creates the temporary directory of one control plane (certificates, tokens, etcd data, logs,
 * kubeconfig) and records the owning pid in it, so a later start can tell it is abandoned.
 */
export function createRunDir(tmpDir: string, ownerPid: number): string {
  const dir = mkdtempSync(join(tmpDir, runDirPrefix));
  writeFileSync(join(dir, ownerFile), `${ownerPid}\n`);
  return dir;
}

/**
 * Removes run directories whose owner is dead. The watchdogs already remove them when an owner
 * dies after its processes started; this catches an owner killed in the moments before that.
 * Returns the removed paths.
 */
export function removeAbandonedRunDirs(tmpDir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(tmpDir).filter((name) => name.startsWith(runDirPrefix));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = join(tmpDir, name);
    let owner: number;
    try {
      owner = Number.parseInt(readFileSync(join(dir, ownerFile), 'utf8'), 10);
    } catch {
      continue; // not ours to judge: no owner recorded (yet)
    }
    if (Number.isInteger(owner) && owner > 0 && !isProcessAlive(owner)) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}
