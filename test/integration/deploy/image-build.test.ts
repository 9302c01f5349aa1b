// The Dockerfile's shape, read without building: two stages, the build one running only
// scripts/build-image-context.sh (whose steps test/unit/build covers), the runtime one on
// distroless as a numeric non-root user, and a .dockerignore that lets in only what the build
// reads. The image itself is built from this Dockerfile with buildah and checked from the
// outside in test/integration/image/ (its files, its size, and how it runs as the chart runs it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allowedPaths, readDockerfile, type Stage } from './dockerfile.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe('the Dockerfile', () => {
  const [build, runtime, ...more] = readDockerfile(join(REPO, 'Dockerfile')) as [Stage, Stage, ...Stage[]];

  it('has a Node 24 build stage and a distroless Node 24 runtime stage', () => {
    expect(more).toEqual([]);
    expect(build.name).toBe('build');
    expect(build.from).toMatch(/^node:24-/);
    expect(runtime.from).toMatch(/^gcr\.io\/distroless\/nodejs24-debian\d+(:nonroot)?$/);
  });

  it('builds only through scripts/build-image-context.sh', () => {
    const runs = build.instructions
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args.replace(/--mount=\S+\s+/g, ''));
    expect(runs).toEqual([
      'sh scripts/build-image-context.sh install',
      'sh scripts/build-image-context.sh assemble /app',
    ]);
  });

  it('runs as a numeric non-root user, holds only the build stage /app and starts dist/main.js', () => {
    const only = (keyword: string) =>
      runtime.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
    const user = only('USER');
    expect(user).toHaveLength(1);
    expect(user[0]).toMatch(/^\d+(:\d+)?$/);
    expect(user[0]).not.toMatch(/^0(:|$)/);
    expect(only('COPY')).toEqual(['--from=build /app /app']);
    expect(only('RUN')).toEqual([]);
    expect(only('WORKDIR')).toEqual(['/app']);
    expect(only('CMD')).toEqual(['["dist/main.js"]']);
  });

  it('copies from the build context only what .dockerignore lets in, and all of it exists', () => {
    const allowed = allowedPaths(readFileSync(join(REPO, '.dockerignore'), 'utf8'));
    for (const path of allowed) expect(existsSync(join(REPO, path)), path).toBe(true);
    const copied = build.instructions
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
      .map((source) => source.replace(/\/$/, ''));
    for (const source of copied)
      expect(
        allowed.some((path) => source === path || source.startsWith(`${path}/`)),
        `${source} is not let in by .dockerignore`,
      ).toBe(true);
  });
});
