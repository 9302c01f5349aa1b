// Runs the operator as its own process (`node src/main.ts`), the way users run it, for
// integration and end-to-end tests: logs are captured as parsed JSON lines, and the process
// can be stopped politely (SIGTERM) or killed (SIGKILL) at any moment.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface OperatorProcess {
  child: ChildProcess;
  /** Parsed JSON log lines so far. */
  logs: LogLine[];
  /** Everything written to stdout and stderr, raw (for secret scans). */
  output(): string;
  /** Resolves with the health port once the operator logged that it started. */
  started: Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startOperatorProcess(opts: {
  kubeconfigPath: string;
  /** RAINBOND_URL, the operator's own console; none when undefined. */
  rainbondUrl: string | undefined;
  env?: Record<string, string>;
  args?: string[];
}): OperatorProcess {
  const child = spawn(process.execPath, ['src/main.ts', ...(opts.args ?? [])], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KUBECONFIG: opts.kubeconfigPath,
      ...(opts.rainbondUrl === undefined ? {} : { RAINBOND_URL: opts.rainbondUrl }),
      HEALTH_PORT: '0',
      HEALTH_ADDRESS: '127.0.0.1',
      LOG_LEVEL: 'debug',
      FOLLOW_TIMEOUT: '0s',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return superviseOperator(child);
}

/**
 * An OperatorProcess over any child whose stdout carries the operator's JSON log: the process
 * itself, or a client attached to it (`podman run`, test/support/image/operator-container.ts).
 * `signal` replaces how the operator is stopped (SIGTERM) and killed (SIGKILL), for a child that
 * is not the operator itself.
 */
export function superviseOperator(
  child: ChildProcess,
  signal: (name: 'SIGTERM' | 'SIGKILL') => void | Promise<void> = (name) => {
    child.kill(name);
  },
): OperatorProcess {
  running.add(child);
  const logs: LogLine[] = [];
  let raw = '';
  let resolveStarted: (port: number) => void = () => {};
  let rejectStarted: (error: Error) => void = () => {};
  const started = new Promise<number>((resolve, reject) => {
    resolveStarted = resolve;
    rejectStarted = reject;
  });
  started.catch(() => undefined);
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    raw += chunk;
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      try {
        const parsed = JSON.parse(line) as LogLine;
        logs.push(parsed);
        if (parsed.msg === 'operator started') resolveStarted(parsed.healthPort as number);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    raw += chunk;
  });
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    rejectStarted(
      new Error(`operator exited (code ${code}, signal ${signal}) before starting:\n${raw.slice(-3000)}`),
    );
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  return {
    child,
    logs,
    output: () => raw,
    started,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) await signal('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) await signal('SIGKILL');
      await exited;
    },
  };
}
