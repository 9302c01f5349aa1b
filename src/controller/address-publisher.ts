// Writes a followed status together with what announces its addresses: the Argo CD link
// annotation first (external-link.ts), so that a status showing a URL is never stored before the
// link that goes with it, then the status (report.ts), then the AddressesKnown / AddressesChanged
// Event once that status is stored (addresses.ts).
import type { Logger } from 'pino';
import type { AppCopy } from '../api/appcopy.ts';
import type { AppCopyStore } from '../k8s/appcopy-store.ts';
import type { EventRecorder } from '../k8s/event-recorder.ts';
import { addressesAnnouncement } from './addresses.ts';
import { publishExternalLink } from './external-link.ts';
import type { Next, Reporter } from './report.ts';

export function createAddressPublisher(deps: {
  reporter: Reporter;
  store: AppCopyStore;
  events: EventRecorder;
  fieldManager: string;
}) {
  return {
    /** reporter.report, with the link before and the addresses' Event after. */
    async report(object: AppCopy, next: Next, log: Logger): Promise<AppCopy> {
      const linked = await publishExternalLink(deps, object, next.status.url, log);
      const written = await deps.reporter.report(linked, next);
      const event = written === linked ? undefined : addressesAnnouncement(object.status, written.status);
      // Not awaited: the recorder never throws, and shutdown flushes what is in flight.
      if (event) void deps.events.record(written, event.type, event.reason, event.message);
      return written;
    },
  };
}
