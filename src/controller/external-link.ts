// The preview's link in Argo CD: the annotation `link.argocd.argoproj.io/external-link` on the
// AppCopy, set to status.url. Argo CD shows every `link.argocd.argoproj.io/*` annotation whose
// value is an http(s) URL as a link on the resource (argoproj/argo-cd:controller/cache/info.go@37ee0097,
// populateNodeInfo; argoproj/argo-cd:util/settings/settings.go@37ee0097, ValidateExternalURL) and
// gathers the links of all of an Application's resources into its summary, which the
// applications list shows on each Application's tile (argoproj/argo-cd:pkg/apis/application/v1alpha1/types.go@37ee0097,
// ApplicationTree.GetSummary): every preview of an ApplicationSet shows its link there.
//
// A link someone else set wins: the operator changes or removes the annotation only while
// metadata.managedFields say it is the operator's (its field manager set it last). A link set in
// Git, by kubectl or by Argo CD's apply (client-side or server-side, which takes the field over)
// is someone else's from then on, and is left alone.
import { ConflictError } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import type { AppCopy, ManagedFieldsEntry, ObjectMeta } from '../api/appcopy.ts';
import type { AppCopyStore } from '../k8s/appcopy-store.ts';

export const EXTERNAL_LINK_ANNOTATION = 'link.argocd.argoproj.io/external-link';

export type LinkChange =
  | { kind: 'set'; value: string }
  | { kind: 'remove' }
  /** Nothing to write: already so, no link to show, or the annotation is someone else's. */
  | { kind: 'keep'; why: 'unchanged' | 'no-link' | 'theirs' };

/** Whether `manager` owns annotation `key` according to `managedFields`. */
export function ownsAnnotation(
  managedFields: readonly ManagedFieldsEntry[] | undefined,
  manager: string,
  key: string,
): boolean {
  return (managedFields ?? []).some((entry) => {
    if (entry.manager !== manager) return false;
    const metadata = entry.fieldsV1?.['f:metadata'];
    const annotations = isRecord(metadata) ? metadata['f:annotations'] : undefined;
    return isRecord(annotations) && Object.hasOwn(annotations, `f:${key}`);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What to do with the annotation so that it shows `url` (undefined: no link), for `manager`. Pure. */
export function externalLinkChange(
  metadata: ObjectMeta,
  url: string | undefined,
  manager: string,
): LinkChange {
  const current = metadata.annotations?.[EXTERNAL_LINK_ANNOTATION];
  if (current !== undefined && !ownsAnnotation(metadata.managedFields, manager, EXTERNAL_LINK_ANNOTATION)) {
    return { kind: 'keep', why: 'theirs' };
  }
  if (url === undefined) return current === undefined ? { kind: 'keep', why: 'no-link' } : { kind: 'remove' };
  return current === url ? { kind: 'keep', why: 'unchanged' } : { kind: 'set', value: url };
}

/**
 * Makes the annotation show `url` when it is the operator's to set; returns the object as stored
 * (the given one when nothing was written). A write that fails is logged and skipped: the link
 * is a convenience, never a reason to hold up the status. After a conflict the status write
 * conflicts too, and the whole pass runs again on the fresh object.
 */
export async function publishExternalLink(
  deps: { store: AppCopyStore; fieldManager: string },
  object: AppCopy,
  url: string | undefined,
  log: Logger,
): Promise<AppCopy> {
  const change = externalLinkChange(object.metadata, url, deps.fieldManager);
  if (change.kind === 'keep') {
    if (change.why === 'theirs' && url !== undefined) {
      log.debug({ url }, 'the external-link annotation was set by someone else; it is kept');
    }
    return object;
  }
  try {
    return change.kind === 'set'
      ? await deps.store.writeAnnotation(object, EXTERNAL_LINK_ANNOTATION, change.value)
      : await deps.store.removeAnnotation(object, EXTERNAL_LINK_ANNOTATION);
  } catch (error) {
    if (error instanceof ConflictError)
      log.debug({ err: error }, 'the AppCopy changed before its link was set');
    else log.warn({ err: error }, 'could not update the external-link annotation of the AppCopy');
    return object;
  }
}
