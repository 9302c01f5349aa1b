// The release workflow cannot run here (no GitHub runner, no registry): what can be checked is
// that it publishes what the chart installs, for both architectures, from a tag whose version
// every file states, with the SBOMs and licences docs/releasing.md promises.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const read = (path: string) =>
  readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
const workflow = parse(read('.github/workflows/release.yml')) as {
  on: { push: { tags: string[] } };
  env: Record<string, string>;
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
};
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const values = parse(read('deploy/helm/appcopy-operator/values.yaml')) as { image: { repository: string } };
const uses = (action: string) => steps.find((s) => s.uses?.startsWith(`${action}@`));

describe('the release workflow', () => {
  it('runs on a version tag and checks that every file states the tag’s version first', () => {
    expect(workflow.on.push.tags).toEqual(['v*.*.*']);
    const check = steps.findIndex((s) =>
      s.run?.includes('npm run --silent release -- check --tag "$GITHUB_REF_NAME"'),
    );
    const push = steps.findIndex((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(check).toBeGreaterThan(-1);
    expect(check).toBeLessThan(push);
  });

  it('pushes the image the chart pulls, for amd64 and arm64, built from the Dockerfile with fresh bases', () => {
    expect(workflow.env.IMAGE).toBe(values.image.repository);
    const build = uses('docker/build-push-action')!;
    expect(String(build.with?.platforms).split(',')).toEqual(['linux/amd64', 'linux/arm64']);
    expect(build.with).toMatchObject({ context: '.', push: true, pull: true });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(build.with?.tags).toBe('${{ env.IMAGE }}:${{ steps.version.outputs.version }}');
    expect(uses('docker/setup-qemu-action')).toBeDefined();
    expect(workflow.permissions).toEqual({ contents: 'write', packages: 'write' });
  });

  it('pushes the chart as an OCI artifact and releases the SBOMs, licences and checksums', () => {
    const chart = steps.find((s) => s.run?.includes('helm push'))!;
    expect(chart.run).toContain('helm package deploy/helm/appcopy-operator');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell variables, not a template
    expect(chart.run).toContain('helm push "appcopy-operator-${VERSION}.tgz" "${CHARTS}"');
    expect(workflow.env.CHARTS).toMatch(/^oci:\/\/ghcr\.io\//);
    expect(uses('anchore/sbom-action')?.with).toMatchObject({ format: 'spdx-json' });
    const bundled = steps.find((s) => s.run?.includes('npm sbom'))!;
    expect(bundled.run).toContain('--omit dev');
    expect(bundled.run).toContain('/app/dist/THIRD-PARTY-LICENSES.txt');
    const release = steps.find((s) => s.run?.includes('gh release create'))!;
    expect(release.run).toContain('SHA256SUMS');
  });
});
