// The console's release as it states it (its RELEASE_DESC, e.g. `v6.9.8-release-1a2b3c4-2026031512`),
// and how it stands against the releases this operator was checked on (docs/compatibility.md).
// Pure. The operator does not change what it does by release: every difference it knows of is
// read from the answers themselves. The release is recorded so that a user can see it, and a
// console older than the oldest checked one is said to be so.

/** The oldest console release the operator was checked against (docs/compatibility.md). */
export const OLDEST_SUPPORTED_RELEASE = { major: 5, minor: 16, patch: 0 } as const;

/** How many characters of a RELEASE_DESC are kept (status, metric label, log). */
export const MAX_RELEASE_CHARS = 64;

export interface ReleaseVersion {
  major: number;
  minor: number;
  patch: number;
}

/** The version at the front of a RELEASE_DESC (`v6.9.8-release-…`, `6.9.8`); undefined otherwise. */
export function parseReleaseVersion(release: string): ReleaseVersion | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?![\d.])/.exec(release.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** The RELEASE_DESC as recorded: one line, printable ASCII, at most MAX_RELEASE_CHARS; undefined when empty. */
export function recordableRelease(release: string | undefined): string | undefined {
  const line = release
    ?.replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, MAX_RELEASE_CHARS);
  return line ? line : undefined;
}

/**
 * What to tell a user about a release, appended to the console's Ready message: undefined for a
 * release in the checked range or one that does not start with a version (a custom build).
 */
export function releaseWarning(release: string | undefined): string | undefined {
  const version = release === undefined ? undefined : parseReleaseVersion(release);
  if (!version) return undefined;
  const oldest = OLDEST_SUPPORTED_RELEASE;
  const older =
    version.major < oldest.major ||
    (version.major === oldest.major &&
      (version.minor < oldest.minor || (version.minor === oldest.minor && version.patch < oldest.patch)));
  return older
    ? `its release ${release} is older than v${oldest.major}.${oldest.minor}.${oldest.patch}, the oldest the operator was checked against (docs/compatibility.md): copies may fail in ways the operator does not recognise`
    : undefined;
}
