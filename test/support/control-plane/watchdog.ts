// A tiny supervisor that ties one child process to the life of its owner.
//
// Usage (spawned by guarded-process.ts, never by hand):
//   node watchdog.ts [--cleanup PATH]... -- COMMAND [ARG]...
//
// Contract:
// - stdin is a pipe from the owner. A line `signal SIGTERM` (or any signal name) forwards that
//   signal to the child. End of stdin means the owner is gone (it exited or was SIGKILLed, which
//   no handler can observe): the child is SIGKILLed and every --cleanup path is removed.
// - stdout carries JSON lines to the owner: {"event":"started","pid":N} once the child runs,
//   {"event":"error","message":...} if it could not be spawned, and
//   {"event":"exited","code":C,"signal":S} when it is gone. The watchdog then exits too.
// - stderr is the log file opened by the owner; the child's stdout and stderr go there as well.
// Why a process of its own: Linux offers no portable "die with the parent" for a Go binary
// started from Node (PR_SET_PDEATHSIG is out of reach), but a closed pipe is always observed.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

const separator = process.argv.indexOf('--');
const options = process.argv.slice(2, separator);
const [command, ...args] = process.argv.slice(separator + 1);
if (separator < 0 || command === undefined) {
  process.stderr.write('watchdog: usage: watchdog.ts [--cleanup PATH]... -- COMMAND [ARG]...\n');
  process.exit(2);
}
const cleanupPaths: string[] = [];
for (let i = 0; i < options.length; i += 2) {
  if (options[i] === '--cleanup' && options[i + 1] !== undefined) cleanupPaths.push(options[i + 1]!);
}

// The owner may be gone when we report; a broken pipe must not stop the clean-up.
process.stdout.on('error', () => {});
function report(message: Record<string, unknown>): void {
  try {
    process.stdout.write(`${JSON.stringify(message)}\n`);
  } catch {}
}

let orphaned = false;
const child = spawn(command, args, { stdio: ['ignore', 2, 2] });

child.once('spawn', () => report({ event: 'started', pid: child.pid }));
child.once('error', (error) => {
  report({ event: 'error', message: error.message });
  process.exit(127);
});
child.once('exit', (code, signal) => {
  if (orphaned) {
    for (const path of cleanupPaths) {
      try {
        rmSync(path, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        process.stderr.write(`watchdog: could not remove ${path}: ${String(error)}\n`);
      }
    }
  }
  report({ event: 'exited', code, signal });
  process.exit(0);
});

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  const [verb, name] = line.trim().split(/\s+/);
  if (verb === 'signal' && name !== undefined) {
    try {
      child.kill(name as NodeJS.Signals);
    } catch (error) {
      process.stderr.write(`watchdog: cannot send ${name}: ${String(error)}\n`);
    }
  }
});
commands.on('close', () => {
  orphaned = true;
  child.kill('SIGKILL');
});

// A signal aimed at the watchdog itself (e.g. `kill <pid>` by a person) takes the child along.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => child.kill('SIGKILL'));
}
