// What an image holds, read from outside it: its configuration (podman image inspect) and its
// file system, exported once (podman create + podman export) and listed with tar. Nothing runs
// inside the image, so an image without a shell is read like any other.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ImageFile {
  /** Absolute, without a trailing slash: /etc/passwd. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  /** Permission bits, e.g. 0o1777. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** The target of a link. */
  target?: string;
}

export interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  ExposedPorts?: Record<string, unknown>;
  Labels?: Record<string, string> | null;
}

export interface ImageContents {
  reference: string;
  config: ImageConfig;
  /** Uncompressed size, as podman reports it. */
  sizeBytes: number;
  files: Map<string, ImageFile>;
  /** A file's bytes as text. */
  read(path: string): string;
  /** Removes the exported copy. */
  dispose(): void;
}

const TYPES: Record<string, ImageFile['type']> = { '-': 'file', d: 'dir', l: 'symlink', h: 'hardlink' };

function permissions(symbolic: string): number {
  let mode = 0;
  const bits = symbolic.slice(1);
  for (let i = 0; i < 9; i++) if (bits[i] !== '-' && bits[i] !== 'S' && bits[i] !== 'T') mode |= 1 << (8 - i);
  if (/[sS]/.test(bits[2] ?? '')) mode |= 0o4000;
  if (/[sS]/.test(bits[5] ?? '')) mode |= 0o2000;
  if (/[tT]/.test(bits[8] ?? '')) mode |= 0o1000;
  return mode;
}

/** Parses `tar --numeric-owner -tvf` lines (GNU tar). */
export function parseTarListing(listing: string): Map<string, ImageFile> {
  const files = new Map<string, ImageFile>();
  for (const line of listing.split('\n')) {
    const match = /^(\S{10})\s+(\d+)\/(\d+)\s+(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line);
    if (!match) continue;
    const [, symbolic, uid, gid, size, rest] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const type = TYPES[symbolic[0]!] ?? 'other';
    let name = rest;
    let target: string | undefined;
    const arrow =
      type === 'symlink' ? rest.indexOf(' -> ') : type === 'hardlink' ? rest.indexOf(' link to ') : -1;
    if (arrow >= 0) {
      name = rest.slice(0, arrow);
      target = rest.slice(arrow + (type === 'symlink' ? 4 : 9));
    }
    const path = `/${name.replace(/^\.?\/*/, '').replace(/\/$/, '')}`;
    if (path === '/') continue;
    files.set(path, {
      path,
      type,
      mode: permissions(symbolic),
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
      ...(target === undefined ? {} : { target }),
    });
  }
  return files;
}

export function readImage(reference: string): ImageContents {
  const inspected = JSON.parse(
    execFileSync('podman', ['image', 'inspect', reference], { encoding: 'utf8' }),
  ) as { Config: ImageConfig; Size: number }[];
  const dir = mkdtempSync(join(tmpdir(), 'appcopy-image-files-'));
  const tar = join(dir, 'rootfs.tar');
  // A container made and never started: its file system is the image's.
  const id = execFileSync('podman', ['create', '--pull=never', reference], { encoding: 'utf8' }).trim();
  try {
    execFileSync('podman', ['export', '--output', tar, id]);
  } finally {
    spawnSync('podman', ['rm', '--force', id], { stdio: 'ignore' });
  }
  const listing = execFileSync('tar', ['--numeric-owner', '-tvf', tar], {
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  return {
    reference,
    config: inspected[0]!.Config,
    sizeBytes: inspected[0]!.Size,
    files: parseTarListing(listing),
    read: (path) =>
      execFileSync('tar', ['-xOf', tar, path.slice(1)], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Paths of the image's files under `dir` (relative), of the given types. */
export function under(contents: ImageContents, dir: string, types: ImageFile['type'][] = ['file']): string[] {
  return [...contents.files.values()]
    .filter((f) => f.path.startsWith(`${dir}/`) && types.includes(f.type))
    .map((f) => f.path.slice(dir.length + 1))
    .sort();
}

/**
 * A short-lived `podman run --rm` of `image` with no network and the arguments this machine
 * needs (runc, ulimits within its limits: operator-container.ts says why). Synchronous: for
 * one-off commands such as `--help` or `node -e`.
 */
export function runOnce(
  image: string,
  args: string[],
  opts: { env?: Record<string, string>; entrypoint?: string; readOnly?: boolean } = {},
) {
  return spawnSync(
    'podman',
    [
      'run',
      '--rm',
      '--pull=never',
      '--runtime',
      'runc',
      '--network',
      'none',
      ...(opts.readOnly ? ['--read-only'] : []),
      '--ulimit',
      'nofile=1024:1024',
      '--ulimit',
      'nproc=1024:1024',
      ...Object.entries(opts.env ?? {}).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
      ...(opts.entrypoint ? ['--entrypoint', opts.entrypoint] : []),
      image,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
}
