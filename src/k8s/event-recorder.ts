// Records core/v1 Events on AppCopy objects (shown by `kubectl describe`). Emitting is best
// effort: a failed Event never fails a reconcile, and callers may leave it running (`void`);
// flush() lets shutdown wait for those. Callers emit when a condition changes, not on every
// pass, and messages never contain tokens (they come from our own error types).
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { API_VERSION, type AppCopy, KIND } from '../api/appcopy.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Never rejects. */
  record(object: AppCopy, type: EventType, reason: string, message: string): Promise<void>;
  /** Resolves once the Events being recorded now are done, or after `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
}

export function createEventRecorder(
  api: CoreV1Api,
  deps: { component: string; host: string; now: () => Date; logger: Logger },
): EventRecorder {
  const inFlight = new Set<Promise<void>>();
  async function send(object: AppCopy, type: EventType, reason: string, message: string): Promise<void> {
    const { namespace, name, uid, resourceVersion } = object.metadata;
    const now = deps.now();
    const timestamp = now.toISOString();
    try {
      await api.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: { apiVersion: API_VERSION, kind: KIND, namespace, name, uid, resourceVersion },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: deps.component, host: deps.host },
          reportingComponent: deps.component,
          reportingInstance: deps.host,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          action: reason,
          eventTime: undefined,
        },
      });
    } catch (error) {
      deps.logger.warn({ err: error, reason, timestamp }, 'could not record event');
    }
  }
  return {
    record(object, type, reason, message) {
      const sending = send(object, type, reason, message);
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      return sending;
    },
    async flush(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(timer);
    },
  };
}
