// `npm run release -- artifacts`, the part of a release that runs without a registry: the image
// as an OCI archive, its SBOM (syft, from the Go module proxy like the test bed's other tools),
// the SBOM of the dependencies bundled into it, their licences, the chart, and checksums.
// Publishing (pushing the multi-arch image and the chart) is .github/workflows/release.yml and
// cannot run here: no registry is reachable (test/unit/release/workflow.test.ts reads it).
// The image here is built on stand-in bases, which the release refuses unless told it is a try.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lockedNodeVersion } from '../../../scripts/image/build.ts';
import { makeArtifacts, type ReleaseArtifacts } from '../../../scripts/release.ts';
import { ensureTool, TOOL_BUILD_TIMEOUT_MS } from '../../support/tools/tool-cache.ts';

let made: ReleaseArtifacts;
let work: string;
beforeAll(async () => {
  await ensureTool('helm');
  await ensureTool('syft');
}, TOOL_BUILD_TIMEOUT_MS);
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'appcopy-release-'));
  made = await makeArtifacts({ out: join(work, 'out'), allowStandIn: true });
}, 15 * 60_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const file = (suffix: string) => join(made.dir, `appcopy-operator-${made.version}${suffix}`);

interface SpdxDocument {
  packages: { name: string; versionInfo?: string }[];
}

describe('npm run release -- artifacts', () => {
  it('refuses an image built on stand-in bases unless told it is a try', async () => {
    await expect(makeArtifacts({ out: join(work, 'refused') })).rejects.toThrow(
      /built on a stand-in for .* it must not be published/,
    );
  });

  it('writes the image, its SBOMs, the licences, the chart and their checksums', () => {
    expect([...made.files].sort()).toEqual(
      [
        `appcopy-operator-${made.version}.THIRD-PARTY-LICENSES.txt`,
        `appcopy-operator-${made.version}.dependencies.spdx.json`,
        `appcopy-operator-${made.version}.image.spdx.json`,
        `appcopy-operator-${made.version}.oci.tar`,
        `appcopy-operator-${made.version}.tgz`,
        'SHA256SUMS',
      ].sort(),
    );
    const sums = readFileSync(join(made.dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums).toHaveLength(made.files.length - 1);
    for (const line of sums) {
      const [sum, name] = line.split(/\s+/) as [string, string];
      expect(
        createHash('sha256')
          .update(readFileSync(join(made.dir, name)))
          .digest('hex'),
        name,
      ).toBe(sum);
    }
  });

  it('saves the image under its release tag', () => {
    const index = JSON.parse(
      execFileSync('tar', ['-xOf', file('.oci.tar'), 'index.json'], { encoding: 'utf8' }),
    ) as {
      manifests: { annotations?: Record<string, string> }[];
    };
    expect(index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'])).toEqual([
      `ghcr.io/rainbond/appcopy-operator:${made.version}`,
    ]);
  });

  it('lists in the image SBOM its Debian packages, Node and the operator’s package', () => {
    const sbom = JSON.parse(readFileSync(file('.image.spdx.json'), 'utf8')) as SpdxDocument;
    const names = new Set(sbom.packages.map((p) => p.name));
    for (const name of [
      'libc6',
      'libssl3',
      'libstdc++6',
      'tzdata',
      'base-files',
      'rainbond-appcopy-operator',
    ])
      expect(names.has(name), name).toBe(true);
    // Node's binary, recognised by syft from its contents, at the version the lock file pins.
    expect(sbom.packages.find((p) => p.name === 'node')?.versionInfo).toBe(lockedNodeVersion());
  });

  it('lists in the dependencies SBOM what the bundle holds, and no development dependency', () => {
    const sbom = JSON.parse(readFileSync(file('.dependencies.spdx.json'), 'utf8')) as SpdxDocument;
    const names = new Set(sbom.packages.map((p) => p.name));
    for (const name of ['@kubernetes/client-node', 'pino', 'undici', 'zod'])
      expect(names.has(name), name).toBe(true);
    for (const name of ['vitest', 'typescript', 'esbuild', '@biomejs/biome'])
      expect(names.has(name), name).toBe(false);
    // The licences file names the same production packages.
    const licences = readFileSync(file('.THIRD-PARTY-LICENSES.txt'), 'utf8');
    expect(licences).toMatch(/^@kubernetes\/client-node@\d/m);
    expect(licences).not.toMatch(/^vitest@/m);
  });

  it('packages the chart at the release version, its appVersion the image tag', () => {
    const chart = parse(
      execFileSync('tar', ['-xzOf', file('.tgz'), 'appcopy-operator/Chart.yaml'], { encoding: 'utf8' }),
    ) as { version: string; appVersion: string };
    expect(chart).toMatchObject({ version: made.version, appVersion: made.version });
  });
});
