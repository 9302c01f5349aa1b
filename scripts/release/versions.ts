// One version for a release, in every file that names it: package.json (and the lock file's
// root entry), the chart's version and appVersion (the chart is released with the operator, so
// both are the operator's version and the chart's default image tag is its appVersion), and
// deploy/base's image tag. Pure: file contents in, file contents out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const VERSIONED_FILES = [
  'package.json',
  'package-lock.json',
  'deploy/helm/appcopy-operator/Chart.yaml',
  'deploy/base/deployment.yaml',
] as const;

export type VersionedFile = (typeof VERSIONED_FILES)[number];
export type Contents = Record<VersionedFile, string>;

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const IMAGE = 'ghcr.io/rainbond/appcopy-operator';

export function readVersioned(root: string): Contents {
  return Object.fromEntries(VERSIONED_FILES.map((f) => [f, readFileSync(join(root, f), 'utf8')])) as Contents;
}

/** The version each file states; a release needs them all equal. */
export function statedVersions(files: Contents): Record<string, string | undefined> {
  const lock = JSON.parse(files['package-lock.json']) as {
    version?: string;
    packages?: Record<string, { version?: string }>;
  };
  const chart = files['deploy/helm/appcopy-operator/Chart.yaml'];
  return {
    'package.json version': (JSON.parse(files['package.json']) as { version?: string }).version,
    'package-lock.json version': lock.version,
    'package-lock.json packages[""].version': lock.packages?.['']?.version,
    'Chart.yaml version': /^version:\s*"?([^"\s]+)"?\s*$/m.exec(chart)?.[1],
    'Chart.yaml appVersion': /^appVersion:\s*"?([^"\s]+)"?\s*$/m.exec(chart)?.[1],
    'deploy/base image tag': new RegExp(`image: ${IMAGE}:(\\S+)`).exec(
      files['deploy/base/deployment.yaml'],
    )?.[1],
  };
}

/** The one version all files state, or an error naming those that differ. */
export function releaseVersion(files: Contents): string {
  const stated = statedVersions(files);
  const expected = stated['package.json version'];
  const off = Object.entries(stated).filter(([, v]) => v !== expected);
  if (!expected || off.length > 0)
    throw new Error(
      `the versions are not in step: ${Object.entries(stated)
        .map(([where, v]) => `${where} ${v ?? '(none)'}`)
        .join(', ')}. Run: npm run release -- version X.Y.Z`,
    );
  return expected;
}

/** Every file with `version` in place of the one it states. */
export function withVersion(files: Contents, version: string): Contents {
  if (!SEMVER.test(version)) throw new Error(`"${version}" is not a version like 1.2.3 or 1.2.3-rc.1`);
  const pkg = JSON.parse(files['package.json']) as Record<string, unknown>;
  pkg.version = version;
  const lock = JSON.parse(files['package-lock.json']) as {
    version?: string;
    packages: Record<string, { version?: string }>;
  };
  lock.version = version;
  if (lock.packages['']) lock.packages[''].version = version;
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'package-lock.json': `${JSON.stringify(lock, null, 2)}\n`,
    'deploy/helm/appcopy-operator/Chart.yaml': files['deploy/helm/appcopy-operator/Chart.yaml']
      .replace(/^version:.*$/m, `version: ${version}`)
      .replace(/^appVersion:.*$/m, `appVersion: "${version}"`),
    'deploy/base/deployment.yaml': files['deploy/base/deployment.yaml'].replace(
      new RegExp(`image: ${IMAGE}:\\S+`),
      `image: ${IMAGE}:${version}`,
    ),
  };
}
