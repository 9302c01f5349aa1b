import { readdirSync, readFileSync } from 'node:fs';
import { isProcessAlive } from './process-alive.ts';

/**
 * Pids of live processes whose command line contains `text`, e.g. a run directory: every process
 * of a control plane (etcd, kube-apiserver and their watchdogs) names it in its arguments. Tests
 * use it to prove nothing was left running. Linux only (reads /proc).
 */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (commandLine.includes(text) && isProcessAlive(pid)) pids.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
