// The operator's link annotation (link.argocd.argoproj.io/external-link) must not make an Argo CD
// Application OutOfSync, under either apply Argo CD may use, and a link set in Git must win.
//
// Argo CD syncs with kubectl's apply code under the field manager `argocd-controller`
// (argoproj/argo-cd:gitops-engine/pkg/utils/kube/resource_ops.go@37ee0097; common/common.go,
// ArgoCDSSAManager) and compares the Git manifest with the live object:
// - client-side apply: a three-way diff of the last-applied configuration, the manifest and the
//   live object (argoproj/argo-cd:gitops-engine/pkg/diff/diff.go@37ee0097, ThreeWayDiff): a field
//   neither in the manifest nor in the last-applied configuration is not a difference;
// - server-side apply: a dry-run apply of the manifest as `argocd-controller`, compared with the
//   live object without managedFields and resourceVersion (diff.go, serverSideDiff); a field
//   another manager owns stays in the dry-run's result.
// Each is reproduced here against the real API server with kubectl itself: `kubectl apply
// --dry-run=server -o json` of the unchanged manifest is what Argo CD predicts; equal to the live
// object means Synced. Then a real sync, and a link added to Git.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { API_VERSION, type AppCopy } from '../../../src/api/appcopy.ts';
import { EXTERNAL_LINK_ANNOTATION, ownsAnnotation } from '../../../src/controller/external-link.ts';
import { FIELD_MANAGER } from '../../../src/k8s/appcopy-store.ts';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld, type World } from '../../support/harness.ts';
import { kubectl } from '../../support/kube.ts';
import { APPS, COMPONENTS, TEAMS } from '../../support/simulator/fixtures/default.ts';
import { createFakeClock } from '../../support/simulator/index.ts';

const ARGOCD = 'argocd-controller';
const THEIRS = 'https://preview.example.com/pr-42';

type Mode = 'client-side' | 'server-side';

/** The manifest as it is in Git, with the tracking annotation Argo CD adds when it applies. */
function gitManifest(w: World, link?: string): string {
  return stringify({
    apiVersion: API_VERSION,
    kind: 'AppCopy',
    metadata: {
      name: 'shop-preview-pr-42',
      namespace: w.namespace,
      annotations: {
        'argocd.argoproj.io/tracking-id': `shop-preview-pr-42:openapi.rainbond.io/AppCopy:${w.namespace}/shop-preview-pr-42`,
        ...(link ? { [EXTERNAL_LINK_ANNOTATION]: link } : {}),
      },
    },
    spec: w.spec({
      source: { teamId: TEAMS.shop.tenantName, regionName: 'rainbond', appId: APPS.previewSite },
      services: [{ serviceId: COMPONENTS.site.serviceId }],
      deletionPolicy: 'Delete',
    }),
  });
}

/** `kubectl apply` as Argo CD runs it in `mode`; with `dryRun`, the object Argo CD predicts. */
async function argoApply(mode: Mode, manifest: string, dryRun = false): Promise<AppCopy> {
  const result = await kubectl(
    [
      'apply',
      ...(mode === 'server-side' ? ['--server-side', '--force-conflicts'] : []),
      `--field-manager=${ARGOCD}`,
      ...(dryRun ? ['--dry-run=server'] : []),
      '-o',
      'json',
      '-f',
      '-',
    ],
    { input: manifest },
  );
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as AppCopy;
}

/** What Argo CD compares: the object without the fields its diff drops. */
function compared(object: AppCopy): unknown {
  const {
    managedFields: _m,
    resourceVersion: _r,
    ...metadata
  } = object.metadata as AppCopy['metadata'] & {
    creationTimestamp?: string;
  };
  return { ...object, metadata };
}

describe.each<Mode>(['client-side', 'server-side'])('an AppCopy synced by Argo CD with %s apply', (mode) => {
  it('stays Synced once the operator set its link, keeps the link through a sync, and yields to a link added in Git', async () => {
    const clock = createFakeClock();
    const w = await createWorld({ clock, statusTimings: { buildMs: 1000, startMs: 1000 } });
    const name = 'shop-preview-pr-42';
    await argoApply(mode, gitManifest(w));
    await w.operator({ FOLLOW_TIMEOUT: '10m', FOLLOW_INTERVAL: '200ms' });
    await w.appcopies.waitFor(w.namespace, name, isPhase('Succeeded'));
    await clock.advance(3000);
    const linked = await w.appcopies.waitFor(
      w.namespace,
      name,
      (o) =>
        condition(o, 'ComponentsReady')?.status === 'True' &&
        o.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION] !== undefined,
    );
    const url = linked.status?.url;
    expect(url).toMatch(/^http:\/\/gr[0-9a-f]{6}-80-t7k2m9qa\.apps\.rainbond\.example\.com$/);
    expect(linked.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION]).toBe(url);
    // The API server records the link as the operator's: what lets it change it later.
    expect(ownsAnnotation(linked.metadata.managedFields, FIELD_MANAGER, EXTERNAL_LINK_ANNOTATION)).toBe(true);

    // Argo CD's comparison of the unchanged Git manifest: no difference, so Synced.
    const live = await w.appcopies.get(w.namespace, name);
    const predicted = await argoApply(mode, gitManifest(w), true);
    expect(compared(predicted)).toEqual(compared(live as AppCopy));

    // A sync (selfHeal, or a new commit elsewhere) keeps the link.
    await argoApply(mode, gitManifest(w));
    const synced = await w.appcopies.get(w.namespace, name);
    expect(synced?.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION]).toBe(url);

    // A link added in Git replaces the operator's and is no longer the operator's to change.
    await argoApply(mode, gitManifest(w, THEIRS));
    const theirs = await w.appcopies.get(w.namespace, name);
    expect(theirs?.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION]).toBe(THEIRS);
    expect(ownsAnnotation(theirs?.metadata.managedFields, FIELD_MANAGER, EXTERNAL_LINK_ANNOTATION)).toBe(
      false,
    );
    const predictedTheirs = await argoApply(mode, gitManifest(w, THEIRS), true);
    expect(compared(predictedTheirs)).toEqual(compared(theirs as AppCopy));
  });
});
