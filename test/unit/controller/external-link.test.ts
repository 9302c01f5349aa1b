// The Argo CD link annotation: when the operator sets, changes, removes or leaves it. A link
// someone else set (in Git, with kubectl, through Argo CD's apply) is theirs and wins.
import { describe, expect, it } from 'vitest';
import type { ManagedFieldsEntry, ObjectMeta } from '../../../src/api/appcopy.ts';
import {
  EXTERNAL_LINK_ANNOTATION,
  externalLinkChange,
  type LinkChange,
  ownsAnnotation,
} from '../../../src/controller/external-link.ts';
import { FIELD_MANAGER } from '../../../src/k8s/appcopy-store.ts';

const URL_NOW = 'http://gra1a1a1-80-t7k2m9qa.apps.example.com';
const URL_BEFORE = 'http://gr0f0f0f-80-t7k2m9qa.apps.example.com';
const THEIRS = 'https://preview.example.com/pr-42';

/** A managedFields entry of `manager` that owns the given annotations (as the API server writes it). */
const owning = (
  manager: string,
  keys: string[],
  extra: Partial<ManagedFieldsEntry> = {},
): ManagedFieldsEntry => ({
  manager,
  operation: 'Update',
  apiVersion: 'openapi.rainbond.io/v1alpha1',
  fieldsType: 'FieldsV1',
  fieldsV1: {
    'f:metadata': {
      'f:annotations': { '.': {}, ...Object.fromEntries(keys.map((k) => [`f:${k}`, {}])) },
    },
  },
  ...extra,
});

const meta = (annotation: string | undefined, managedFields: ManagedFieldsEntry[] = []): ObjectMeta => ({
  name: 'shop-preview-pr-42',
  namespace: 'team-a',
  uid: 'u1',
  generation: 1,
  resourceVersion: '7',
  ...(annotation === undefined ? {} : { annotations: { [EXTERNAL_LINK_ANNOTATION]: annotation } }),
  managedFields,
});

describe('externalLinkChange', () => {
  it.each<{ name: string; metadata: ObjectMeta; url: string | undefined; change: LinkChange }>([
    {
      name: 'no annotation and a URL known: the operator sets it',
      metadata: meta(undefined),
      url: URL_NOW,
      change: { kind: 'set', value: URL_NOW },
    },
    {
      name: 'no annotation and no URL: nothing to do',
      metadata: meta(undefined),
      url: undefined,
      change: { kind: 'keep', why: 'no-link' },
    },
    {
      name: 'the operator’s own annotation already shows the URL: nothing to write',
      metadata: meta(URL_NOW, [owning(FIELD_MANAGER, [EXTERNAL_LINK_ANNOTATION])]),
      url: URL_NOW,
      change: { kind: 'keep', why: 'unchanged' },
    },
    {
      name: 'the operator’s own annotation shows an older URL: it is changed',
      metadata: meta(URL_BEFORE, [owning(FIELD_MANAGER, [EXTERNAL_LINK_ANNOTATION])]),
      url: URL_NOW,
      change: { kind: 'set', value: URL_NOW },
    },
    {
      name: 'the operator’s own annotation when there is no URL any more: it is removed',
      metadata: meta(URL_BEFORE, [owning(FIELD_MANAGER, [EXTERNAL_LINK_ANNOTATION])]),
      url: undefined,
      change: { kind: 'remove' },
    },
    {
      name: 'a link set in Git and applied by Argo CD (client-side apply) is theirs: kept',
      metadata: meta(THEIRS, [
        owning('argocd-controller', [
          EXTERNAL_LINK_ANNOTATION,
          'kubectl.kubernetes.io/last-applied-configuration',
        ]),
      ]),
      url: URL_NOW,
      change: { kind: 'keep', why: 'theirs' },
    },
    {
      name: 'a link applied server-side by Argo CD (which takes the field over) is theirs: kept',
      metadata: meta(THEIRS, [
        owning('argocd-controller', [EXTERNAL_LINK_ANNOTATION], { operation: 'Apply' }),
        owning(FIELD_MANAGER, ['openapi.rainbond.io/copy-record']),
      ]),
      url: URL_NOW,
      change: { kind: 'keep', why: 'theirs' },
    },
    {
      name: 'a link set with kubectl annotate is theirs, and not removed when there is no URL',
      metadata: meta(THEIRS, [owning('kubectl-annotate', [EXTERNAL_LINK_ANNOTATION])]),
      url: undefined,
      change: { kind: 'keep', why: 'theirs' },
    },
    {
      name: 'an annotation nobody is recorded for (managedFields stripped) is never overwritten',
      metadata: meta(THEIRS, []),
      url: URL_NOW,
      change: { kind: 'keep', why: 'theirs' },
    },
  ])('$name', ({ metadata, url, change }) => {
    expect(externalLinkChange(metadata, url, FIELD_MANAGER)).toEqual(change);
  });
});

describe('ownsAnnotation', () => {
  it('reads the annotation from the manager’s entries only', () => {
    const fields = [owning('someone', [EXTERNAL_LINK_ANNOTATION]), owning(FIELD_MANAGER, ['other'])];
    expect(ownsAnnotation(fields, FIELD_MANAGER, EXTERNAL_LINK_ANNOTATION)).toBe(false);
    expect(ownsAnnotation(fields, 'someone', EXTERNAL_LINK_ANNOTATION)).toBe(true);
    expect(ownsAnnotation(fields, FIELD_MANAGER, 'other')).toBe(true);
  });

  it('is false for entries without fields or of another shape', () => {
    expect(ownsAnnotation(undefined, FIELD_MANAGER, EXTERNAL_LINK_ANNOTATION)).toBe(false);
    expect(ownsAnnotation([{ manager: FIELD_MANAGER }], FIELD_MANAGER, EXTERNAL_LINK_ANNOTATION)).toBe(false);
    expect(
      ownsAnnotation(
        [{ manager: FIELD_MANAGER, fieldsV1: { 'f:metadata': { 'f:annotations': [] } } }],
        FIELD_MANAGER,
        EXTERNAL_LINK_ANNOTATION,
      ),
    ).toBe(false);
  });
});
