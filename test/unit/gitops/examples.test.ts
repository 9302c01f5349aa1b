// Every manifest in examples/ is valid, and the preview generators really produce one valid
// AppCopy per pull request with deletionPolicy Delete: each YAML file parses, each AppCopy
// (as written, or as Argo CD / the Flux Operator render it through kustomize) passes both the
// CRD's structural schema and the operator's own zod schema.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_VERSION, appCopySpecSchema, KIND } from '../../../src/api/appcopy.ts';
import { parseConsoleSpec } from '../../../src/api/console.ts';
import { loadCrdSchema, validateAgainstSchema } from './support/crd-schema.ts';
import { FLUX_EXPRESSIONS } from './support/flux-health.ts';
import {
  type Json,
  type KubeObject,
  kustomizeBuild,
  readYamlDocuments,
  renderGoTemplate,
  renderResourceSetTemplate,
  yamlFilesUnder,
} from './support/render.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = `${ROOT}examples/`;
const crdSchema = loadCrdSchema(`${ROOT}crds/appcopies.openapi.rainbond.io.yaml`);
const consoleSchemas = {
  RainbondConsole: loadCrdSchema(`${ROOT}crds/rainbondconsoles.openapi.rainbond.io.yaml`),
  ClusterRainbondConsole: loadCrdSchema(`${ROOT}crds/clusterrainbondconsoles.openapi.rainbond.io.yaml`),
};
const files = yamlFilesUnder(EXAMPLES);
const documents = files.flatMap((file) =>
  readYamlDocuments(`${EXAMPLES}${file}`).map((doc, index) => ({ file, index, doc: doc as KubeObject })),
);
const appCopies = documents.filter(({ doc }) => doc.kind === KIND);

/** Both validators; an empty list means the API server and the operator accept it. */
function problems(object: KubeObject): string[] {
  const schema = validateAgainstSchema(crdSchema, object);
  const parsed = appCopySpecSchema.safeParse(object.spec);
  return parsed.success
    ? schema
    : [...schema, ...parsed.error.issues.map((i) => `zod: ${i.path.join('.')}: ${i.message}`)];
}

// Two open pull requests, as the generators would see them.
const pullRequests = [
  { number: 42, sha: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b', branch: 'feature/checkout' },
  { number: 7, sha: 'ffeeddccbbaa99887766554433221100ffeeddcc', branch: 'fix/cart' },
];

const consoleDocuments = documents.filter(
  ({ doc }) => doc.kind === 'RainbondConsole' || doc.kind === 'ClusterRainbondConsole',
);

describe('examples/: the consoles', () => {
  it('show both kinds', () => {
    expect(consoleDocuments.map(({ doc }) => doc.kind).sort()).toEqual([
      'ClusterRainbondConsole',
      'RainbondConsole',
    ]);
  });

  it.each(consoleDocuments)('$file #$index passes its CRD schema and the operator’s parsing', ({ doc }) => {
    const kind = doc.kind as 'RainbondConsole' | 'ClusterRainbondConsole';
    expect(validateAgainstSchema(consoleSchemas[kind], doc)).toEqual([]);
    expect(parseConsoleSpec(kind, doc.spec)).toMatchObject({ ok: true });
  });
});

describe('examples/: every manifest', () => {
  it('includes the single AppCopy, the Secret, both generators and the preview kustomization', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'appcopy.yaml',
        'consoles.yaml',
        'credentials-secret.yaml',
        'argocd/applicationset-pull-requests.yaml',
        'flux/preview-pull-requests.yaml',
        'preview/kustomization.yaml',
        'preview/appcopy.yaml',
      ]),
    );
  });

  it.each(documents)('$file #$index is a Kubernetes object (apiVersion, kind, metadata.name)', ({ doc }) => {
    expect(typeof doc.apiVersion).toBe('string');
    expect(typeof doc.kind).toBe('string');
    if (doc.kind !== 'Kustomization' || doc.apiVersion !== 'kustomize.config.k8s.io/v1beta1') {
      expect(typeof doc.metadata?.name).toBe('string');
    }
  });

  it.each(appCopies)('$file: the AppCopy is accepted by the CRD schema and the operator', ({ doc }) => {
    expect(doc.apiVersion).toBe(API_VERSION);
    expect(problems(doc)).toEqual([]);
  });

  it('the validators do reject a broken AppCopy (they are not vacuous)', () => {
    const broken = structuredClone(appCopies[0]!.doc) as Record<string, Json>;
    (broken.spec as Record<string, Json>).deletionPolicy = 'Keep';
    (broken.spec as Record<string, Json>).extra = true;
    expect(problems(broken as KubeObject)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('.spec.deletionPolicy'),
        expect.stringContaining('unknown field "extra"'),
        expect.stringContaining('zod: deletionPolicy'),
      ]),
    );
  });
});

describe('examples/appcopy.yaml and credentials-secret.yaml', () => {
  const [appCopy] = readYamlDocuments(`${EXAMPLES}appcopy.yaml`) as KubeObject[];
  const [secret] = readYamlDocuments(`${EXAMPLES}credentials-secret.yaml`) as KubeObject[];

  it('the AppCopy names the example Secret, in its own namespace, with the key `token`', () => {
    const spec = appCopySpecSchema.parse(appCopy!.spec);
    expect(spec.credentialsSecretRef?.name).toBe(secret!.metadata.name);
    expect(secret!.metadata.namespace).toBe(appCopy!.metadata.namespace);
    expect(Object.keys(secret!.stringData as Record<string, string>)).toEqual(['token']);
  });

  it('every spec field is explained by a comment', () => {
    const text = readFileSync(`${EXAMPLES}appcopy.yaml`, 'utf8');
    const fields = [
      'source',
      'target',
      'services',
      'change',
      'buildSource',
      'envs',
      'credentialsSecretRef',
      'deletionPolicy',
    ];
    for (const field of fields) {
      const line = text.split('\n').findIndex((l) => new RegExp(`^\\s*(- )?${field}:`).test(l));
      expect(line, field).toBeGreaterThan(0);
      expect(text.split('\n')[line - 1], `comment above ${field}`).toMatch(/^\s*#/);
    }
  });
});

describe("examples/preview: one pull request's preview", () => {
  const rendered = kustomizeBuild(`${EXAMPLES}preview`);

  it('renders one AppCopy with deletionPolicy Delete and a build version to patch', () => {
    expect(rendered.map((o) => o.kind)).toEqual([KIND]);
    const spec = appCopySpecSchema.parse(rendered[0]!.spec);
    expect(spec.deletionPolicy).toBe('Delete');
    expect(spec.services?.[0]?.change?.buildSource?.version).toBeDefined();
  });

  it('does not ship the credentials Secret, which must outlive the AppCopy', () => {
    expect(rendered.some((o) => o.kind === 'Secret')).toBe(false);
  });
});

/** The AppCopies one preview renders, checked for the pull request `pr`. */
function expectOnePreviewAppCopy(objects: KubeObject[], pr: (typeof pullRequests)[number]) {
  const copies = objects.filter((o) => o.kind === KIND);
  expect(copies).toHaveLength(1);
  const copy = copies[0]!;
  expect(problems(copy)).toEqual([]);
  expect(copy.metadata.name).toBe(`shop-preview-pr-${pr.number}-${pr.sha.slice(0, 8)}`);
  expect(copy.metadata.namespace).toBe('team-a');
  const spec = appCopySpecSchema.parse(copy.spec);
  expect(spec.deletionPolicy).toBe('Delete');
  // The console accepts build versions of at most 32 characters: the short SHA.
  expect(spec.services?.[0]?.change?.buildSource?.version).toBe(pr.sha.slice(0, 8));
  expect(spec.credentialsSecretRef?.name).toBe('rainbond-token');
  return copy;
}

describe('examples/argocd: the ApplicationSet with the pull request generator', () => {
  const [appSet] = readYamlDocuments(`${EXAMPLES}argocd/applicationset-pull-requests.yaml`) as KubeObject[];
  const spec = appSet!.spec as {
    goTemplate: boolean;
    generators: { pullRequest?: { github?: { owner: string; repo: string; labels?: string[] } } }[];
    template: Json;
  };

  it('uses the GitHub pull request generator and Go templates that fail on unknown keys', () => {
    expect(appSet!.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(appSet!.kind).toBe('ApplicationSet');
    expect(spec.goTemplate).toBe(true);
    expect(spec.generators).toHaveLength(1);
    expect(spec.generators[0]!.pullRequest?.github).toMatchObject({ owner: 'my-org', repo: 'shop' });
  });

  it('makes one Application per pull request, rendering one valid AppCopy each with deletionPolicy Delete', () => {
    const names = new Set<string>();
    for (const pr of pullRequests) {
      // The parameters the generator passes for a GitHub pull request.
      const app = renderGoTemplate(spec.template, {
        number: pr.number,
        branch: pr.branch,
        branch_slug: pr.branch.replace(/[^a-z0-9]+/g, '-'),
        target_branch: 'main',
        head_sha: pr.sha,
        head_short_sha: pr.sha.slice(0, 8),
        head_short_sha_7: pr.sha.slice(0, 7),
        title: 'a change',
        author: 'someone',
      }) as {
        metadata: { name: string };
        spec: { source: Record<string, Json>; destination: { namespace: string } };
      };
      const source = app.spec.source as {
        path: string;
        targetRevision: string;
        kustomize: Record<string, Json>;
      };
      expect(source.targetRevision).toBe(pr.sha);
      const copy = expectOnePreviewAppCopy(
        kustomizeBuild(`${ROOT}${source.path}`, {
          ...(source.kustomize as object),
          namespace: app.spec.destination.namespace,
        }),
        pr,
      );
      names.add(app.metadata.name);
      names.add(copy.metadata.name);
    }
    expect(names.size).toBe(pullRequests.length * 2);
  });
});

describe('examples/flux: the Flux Operator ResourceSet with the GitHub pull request provider', () => {
  const [provider, resourceSet] = readYamlDocuments(
    `${EXAMPLES}flux/preview-pull-requests.yaml`,
  ) as KubeObject[];
  const rsSpec = resourceSet!.spec as {
    inputsFrom: { kind: string; name: string }[];
    dependsOn: { kind: string; name: string; namespace: string }[];
    resources: Json[];
  };

  it('reads open pull requests from GitHub and feeds them to the ResourceSet', () => {
    expect(provider).toMatchObject({
      apiVersion: 'fluxcd.controlplane.io/v1',
      kind: 'ResourceSetInputProvider',
      spec: { type: 'GitHubPullRequest' },
    });
    expect(resourceSet).toMatchObject({ apiVersion: 'fluxcd.controlplane.io/v1', kind: 'ResourceSet' });
    expect(rsSpec.inputsFrom).toEqual([
      expect.objectContaining({ kind: 'ResourceSetInputProvider', name: provider!.metadata.name }),
    ]);
  });

  it('waits for the credentials Secret, which it does not own (so it outlives every preview)', () => {
    expect(rsSpec.dependsOn).toEqual([
      expect.objectContaining({ kind: 'Secret', name: 'rainbond-token', namespace: 'team-a' }),
    ]);
    expect((rsSpec.resources as KubeObject[]).some((r) => r.kind === 'Secret')).toBe(false);
  });

  it('renders per pull request a Flux Kustomization that applies one valid AppCopy with deletionPolicy Delete', () => {
    for (const pr of pullRequests) {
      // The inputs the GitHubPullRequest provider exports for a pull request.
      const inputs = {
        id: String(pr.number),
        sha: pr.sha,
        branch: pr.branch,
        author: 'someone',
        title: 'a change',
      };
      const resources = renderResourceSetTemplate(rsSpec.resources, inputs) as KubeObject[];
      const kustomization = resources.find((r) => r.kind === 'Kustomization')!;
      const ks = kustomization.spec as {
        path: string;
        prune: boolean;
        wait: boolean;
        targetNamespace: string;
        nameSuffix: string;
        patches: { target: Record<string, string>; patch: string }[];
        sourceRef: { kind: string; name: string };
        healthCheckExprs: Record<string, string>[];
      };
      const source = resources.find(
        (r) => r.kind === ks.sourceRef.kind && r.metadata.name === ks.sourceRef.name,
      )!;
      expect((source.spec as { ref: { commit: string } }).ref.commit).toBe(pr.sha);
      expect(ks.prune).toBe(true);
      expect(ks.wait).toBe(true);
      expect(ks.healthCheckExprs).toEqual([{ apiVersion: API_VERSION, kind: KIND, ...FLUX_EXPRESSIONS }]);
      expectOnePreviewAppCopy(
        kustomizeBuild(`${ROOT}${ks.path.replace(/^\.\//, '')}`, {
          nameSuffix: ks.nameSuffix,
          patches: ks.patches,
          namespace: ks.targetNamespace,
        }),
        pr,
      );
    }
  });
});

// docs/gitops.md, "The recommended setup": a refused AppCopy change must not hold an Argo CD
// Application for Argo CD's default 5 retries of the same commit, and Flux must never answer one
// by deleting and re-creating the AppCopy (a second copy).
describe('the recommended sync settings', () => {
  const retryOf = (syncPolicy: Json) => (syncPolicy as { retry?: Record<string, Json> }).retry;

  it.each([
    ['argocd/application-appcopies.yaml', (doc: KubeObject) => (doc.spec as { syncPolicy: Json }).syncPolicy],
    [
      'argocd/applicationset-pull-requests.yaml',
      (doc: KubeObject) =>
        (doc.spec as { template: { spec: { syncPolicy: Json } } }).template.spec.syncPolicy,
    ],
  ])('%s: automated prune, and few retries, each from the newest commit', (file, syncPolicyOf) => {
    const [doc] = readYamlDocuments(`${EXAMPLES}${file}`) as KubeObject[];
    const syncPolicy = syncPolicyOf(doc!) as { automated?: { prune?: boolean } };
    expect(syncPolicy.automated?.prune).toBe(true);
    const retry = retryOf(syncPolicy as Json);
    expect(retry?.refresh).toBe(true);
    expect(retry?.limit).toBeGreaterThan(0);
    expect(retry?.limit).toBeLessThan(5);
    expect(JSON.stringify(syncPolicy)).not.toMatch(/Force=true|Replace=true/);
  });

  it('deploy/flux: prune, wait, and never force', () => {
    const [ks] = readYamlDocuments(`${ROOT}deploy/flux/kustomization-health-checks.yaml`) as KubeObject[];
    expect(ks!.spec).toMatchObject({ prune: true, wait: true, force: false });
  });
});
