// Records core/v1 Events on AppCopy objects (shown by `kubectl describe`). Emitting is best
// effort: a failed Event never fails a reconcile. Callers emit when a condition changes, not
// on every pass, and messages never contain tokens (they come from our own error types).
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { API_VERSION, type AppCopy, KIND } from '../api/appcopy.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(object: AppCopy, type: EventType, reason: string, message: string): Promise<void>;
}

export function createEventRecorder(
  api: CoreV1Api,
  deps: { component: string; host: string; now: () => Date; logger: Logger },
): EventRecorder {
  return {
    async record(object, type, reason, message) {
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
    },
  };
}
