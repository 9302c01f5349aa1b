// Records core/v1 Events on the operator's objects, AppCopies and consoles (shown by
// `kubectl describe`). An Event about a cluster-scoped object (a ClusterRainbondConsole) goes to
// the namespace `default`, as client-go's recorder does: the API server refuses it anywhere else
// (kubernetes/kubernetes:pkg/apis/core/validation/events.go@60c20901, an Event's namespace must
// be its object's, or `default` for a cluster-scoped one). Emitting is best
// effort: a failed Event never fails a reconcile, and callers may leave it running (`void`);
// flush() lets shutdown wait for those. Callers emit when a condition changes, not on every
// pass, and messages never contain tokens (they come from our own error types).
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export type EventType = 'Normal' | 'Warning';

/** The object an Event is about. */
export interface EventSubject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid: string; resourceVersion: string };
}

export interface EventRecorder {
  /** Never rejects. */
  record(object: EventSubject, type: EventType, reason: string, message: string): Promise<void>;
  /** Resolves once the Events being recorded now are done, or after `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
}

export function createEventRecorder(
  api: CoreV1Api,
  deps: {
    component: string;
    host: string;
    now: () => Date;
    logger: Logger;
  },
): EventRecorder {
  const inFlight = new Set<Promise<void>>();
  async function send(object: EventSubject, type: EventType, reason: string, message: string): Promise<void> {
    const { name, uid, resourceVersion } = object.metadata;
    const { apiVersion, kind } = object;
    const involvedNamespace = object.metadata.namespace;
    const namespace = involvedNamespace ?? 'default';
    const now = deps.now();
    const timestamp = now.toISOString();
    try {
      await api.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: {
            apiVersion,
            kind,
            ...(involvedNamespace === undefined ? {} : { namespace: involvedNamespace }),
            name,
            uid,
            resourceVersion,
          },
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
