// The release version lives in four files; a release needs them in step, and
// `npm run release -- version X.Y.Z` keeps them so.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  readVersioned,
  releaseVersion,
  statedVersions,
  withVersion,
} from '../../../scripts/release/versions.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('the release version', () => {
  it('is one version in package.json, the lock file, the chart (version and appVersion) and deploy/base', () => {
    const files = readVersioned(ROOT);
    const version = releaseVersion(files);
    expect(Object.values(statedVersions(files))).toEqual(Array(6).fill(version));
    const chart = parse(files['deploy/helm/appcopy-operator/Chart.yaml']) as {
      version: string;
      appVersion: string;
    };
    expect(chart).toMatchObject({ version, appVersion: version });
  });

  it('set to X.Y.Z changes every place it lives and nothing else', () => {
    const files = readVersioned(ROOT);
    const bumped = withVersion(files, '1.2.3-rc.1');
    expect(releaseVersion(bumped)).toBe('1.2.3-rc.1');
    expect(Object.values(statedVersions(bumped))).toEqual(Array(6).fill('1.2.3-rc.1'));
    // Back again: byte for byte what was there.
    expect(withVersion(bumped, releaseVersion(files))).toEqual(files);
  });

  it('out of step, names each file and what it states', () => {
    const files = readVersioned(ROOT);
    const chartAhead = {
      ...files,
      'deploy/helm/appcopy-operator/Chart.yaml': withVersion(files, '9.9.9')[
        'deploy/helm/appcopy-operator/Chart.yaml'
      ],
    };
    expect(() => releaseVersion(chartAhead)).toThrow(
      /Chart\.yaml version 9\.9\.9, Chart\.yaml appVersion 9\.9\.9/,
    );
    expect(() => withVersion(files, 'v1.2')).toThrow(/not a version/);
  });
});
