import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const watchdogScript = fileURLToPath(new URL('./watchdog.ts', import.meta.url));

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process that dies with its owner, even when the owner is SIGKILLed (see watchdog.ts). */
export interface GuardedProcess {
  /** The pid of the guarded program itself (not of its watchdog). */
  readonly pid: number;
  readonly watchdogPid: number;
  readonly logFile: string;
  /** Settles once the program and its watchdog are both gone; never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** Whether `exited` has settled. */
  hasExited(): boolean;
  /**
   * Sends `signal` (default SIGTERM), escalates to SIGKILL after `graceMs` (default 10 s) and
   * resolves when the program is gone. Safe to call more than once and after it exited.
   */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<ProcessExit>;
  /** The last lines of the log file (stdout and stderr of the program), for error messages. */
  logTail(lines?: number): string;
}

export interface SpawnGuardedOptions {
  command: string;
  args: string[];
  /** Appended to; receives the program's stdout and stderr. */
  logFile: string;
  /** Removed by the watchdog if the owner dies without stopping the program. */
  cleanupOnOrphan?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts `command` under a watchdog and resolves once it runs. Rejects (leaving nothing running)
 * if it cannot be spawned, e.g. the binary is missing.
 */
export async function spawnGuarded(options: SpawnGuardedOptions): Promise<GuardedProcess> {
  const cleanupArgs = (options.cleanupOnOrphan ?? []).flatMap((path) => ['--cleanup', path]);
  const logFd = openSync(options.logFile, 'a');
  let watchdog: ChildProcess;
  try {
    // detached: a Ctrl-C in the terminal reaches the owner only, which then stops things in
    // order; the watchdog still notices the owner's death through its stdin.
    watchdog = spawn(
      process.execPath,
      [watchdogScript, ...cleanupArgs, '--', options.command, ...options.args],
      { stdio: ['pipe', 'pipe', logFd], detached: true, env: options.env ?? process.env },
    );
  } finally {
    closeSync(logFd);
  }
  const control = watchdog.stdin!;
  control.on('error', () => {}); // writing after the watchdog exited is harmless

  let childPid: number | undefined;
  let childExit: ProcessExit = { code: null, signal: null };
  let settled = false;
  let onStarted: (pid: number) => void = () => {};
  let onFailed: (error: Error) => void = () => {};
  const started = new Promise<number>((resolve, reject) => {
    onStarted = resolve;
    onFailed = reject;
  });

  createInterface({ input: watchdog.stdout! }).on('line', (line) => {
    let message: { event?: string; pid?: number; message?: string; code?: number; signal?: string };
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (message.event === 'started' && typeof message.pid === 'number') {
      childPid = message.pid;
      onStarted(message.pid);
    } else if (message.event === 'error') {
      onFailed(new Error(`could not start ${options.command}: ${message.message}`));
    } else if (message.event === 'exited') {
      childExit = {
        code: message.code ?? null,
        signal: (message.signal as NodeJS.Signals | null) ?? null,
      };
    }
  });

  const exited = new Promise<ProcessExit>((resolve) => {
    watchdog.once('error', (error) => {
      settled = true;
      onFailed(new Error(`could not start the watchdog for ${options.command}: ${error.message}`));
      resolve(childExit);
    });
    watchdog.once('close', () => {
      settled = true;
      control.destroy();
      onFailed(new Error(`the watchdog for ${options.command} exited before starting it`));
      resolve(childExit);
    });
  });

  const logTail = (lines = 20): string => {
    try {
      return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };

  try {
    await started;
  } catch (error) {
    watchdog.kill('SIGKILL');
    await exited;
    throw error;
  }

  const send = (signal: NodeJS.Signals): void => {
    if (!settled) control.write(`signal ${signal}\n`);
  };
  const timeout = (ms: number) =>
    new Promise<'timeout'>((resolve) => setTimeout(resolve, ms, 'timeout').unref());

  return {
    pid: childPid!,
    watchdogPid: watchdog.pid!,
    logFile: options.logFile,
    exited,
    hasExited: () => settled,
    logTail,
    async stop({ signal = 'SIGTERM', graceMs = 10_000 } = {}) {
      send(signal);
      if (signal !== 'SIGKILL' && (await Promise.race([exited, timeout(graceMs)])) === 'timeout') {
        send('SIGKILL');
      }
      return exited;
    },
  };
}
