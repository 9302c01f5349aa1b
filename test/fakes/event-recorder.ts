// An EventRecorder that keeps the Events instead of sending them, so a test asserts what
// `kubectl describe` would show.
import type { EventRecorder, EventSubject, EventType } from '../../src/k8s/event-recorder.ts';

export interface RecordedEvent {
  /** namespace/name of the object the Event is about (just the name for a cluster-scoped one). */
  object: string;
  /** The AppCopy's resourceVersion when the Event was recorded (after the status it announces). */
  resourceVersion: string | undefined;
  type: EventType;
  reason: string;
  message: string;
}

export interface RecordingEventRecorder extends EventRecorder {
  readonly events: RecordedEvent[];
  /** `Type/Reason` of each Event in order, e.g. `Warning/CopyRejected`. */
  summary(): string[];
}

export function createRecordingEventRecorder(): RecordingEventRecorder {
  const events: RecordedEvent[] = [];
  return {
    events,
    async record(object: EventSubject, type, reason, message) {
      events.push({
        object: object.metadata.namespace
          ? `${object.metadata.namespace}/${object.metadata.name}`
          : object.metadata.name,
        resourceVersion: object.metadata.resourceVersion,
        type,
        reason,
        message,
      });
    },
    async flush() {},
    summary: () => events.map((e) => `${e.type}/${e.reason}`),
  };
}
