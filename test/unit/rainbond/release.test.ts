// The console's release as recorded and judged: the RELEASE_DESC forms the console's images
// carry (docs/compatibility.md, "Telling the release"), custom builds, and the oldest release the
// operator was checked against.
import { describe, expect, it } from 'vitest';
import {
  MAX_RELEASE_CHARS,
  parseReleaseVersion,
  recordableRelease,
  releaseWarning,
} from '../../../src/rainbond/release.ts';

describe('parseReleaseVersion', () => {
  it.each([
    ['v6.9.8-release-1a2b3c4-2026031512', { major: 6, minor: 9, patch: 8 }],
    ['v5.16.0-release', { major: 5, minor: 16, patch: 0 }],
    ['6.1.1', { major: 6, minor: 1, patch: 1 }],
    ['v6.2', { major: 6, minor: 2, patch: 0 }],
  ])('reads %s', (text, version) => {
    expect(parseReleaseVersion(text)).toEqual(version);
  });

  it.each(['', 'main', 'dev-20260301', 'v6', 'release-6.9.8', 'v6.9.8.1'])(
    'finds no version in %j',
    (text) => {
      expect(parseReleaseVersion(text)).toBeUndefined();
    },
  );
});

describe('recordableRelease', () => {
  it('keeps one printable line of at most MAX_RELEASE_CHARS', () => {
    expect(recordableRelease('  v6.9.8-release-1a2b3c4\n')).toBe('v6.9.8-release-1a2b3c4');
    expect(recordableRelease('x'.repeat(200))).toHaveLength(MAX_RELEASE_CHARS);
    expect(recordableRelease('v6.9.8\u0000\u001b[31m')).toBe('v6.9.8[31m');
  });

  it.each([undefined, '', '   '])('is undefined for %j (a console that states none)', (text) => {
    expect(recordableRelease(text)).toBeUndefined();
  });
});

describe('releaseWarning', () => {
  it.each(['v5.16.0-release-0a1b2c3-2023120110', 'v5.17.3', 'v6.0.0', 'v6.9.8-release', 'v7.0.0'])(
    'says nothing of %s, in or after the checked range',
    (release) => {
      expect(releaseWarning(release)).toBeUndefined();
    },
  );

  it.each(['v5.15.2-release', 'v5.3.1', 'v4.0.0'])('says that %s is older than v5.16.0', (release) => {
    expect(releaseWarning(release)).toBe(
      `its release ${release} is older than v5.16.0, the oldest the operator was checked against (docs/compatibility.md): copies may fail in ways the operator does not recognise`,
    );
  });

  it('says nothing of a custom build without a version, or of none', () => {
    expect(releaseWarning('main-build')).toBeUndefined();
    expect(releaseWarning(undefined)).toBeUndefined();
  });
});
