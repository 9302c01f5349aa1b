// The release of the operator's own console (RAINBOND_URL), which is never checked like a
// console resource: read once at start, and again every `intervalMs` until it is read, then
// logged and given to the metric. Information only: nothing waits for it.
import type { Logger } from 'pino';
import { recordableRelease, releaseWarning } from '../rainbond/release.ts';
import type { ConsoleConnection } from './connections.ts';

export function readOperatorConsoleRelease(deps: {
  connection: ConsoleConnection;
  intervalMs: number;
  logger: Logger;
  onRelease: (key: string, release: string | undefined) => void;
  /** Aborted at shutdown: no further try. */
  signal: AbortSignal;
}): void {
  const { connection, logger } = deps;
  const attempt = async () => {
    if (deps.signal.aborted) return;
    try {
      const release = recordableRelease(await connection.client.readRelease(deps.signal));
      connection.release = { read: true, value: release };
      deps.onRelease(connection.key, release);
      const warning = releaseWarning(release);
      if (warning === undefined)
        logger.info({ release: release ?? 'not stated' }, "the operator's console release");
      else logger.warn({ release }, `the operator's console: ${warning}`);
    } catch (error) {
      if (deps.signal.aborted) return;
      logger.debug({ err: error }, "could not read the operator's console release; trying again later");
      setTimeout(() => void attempt(), deps.intervalMs).unref();
    }
  };
  void attempt();
}
