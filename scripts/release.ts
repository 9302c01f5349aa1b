// `npm run release -- ...`: how a release is made (docs/releasing.md).
//
//   version X.Y.Z        writes X.Y.Z everywhere the release version lives (scripts/release/versions.ts)
//   check [--tag vX.Y.Z] fails unless every file states one version (and it is the tag's)
//   artifacts [--out DIR] [--allow-stand-in]
//       builds the image (scripts/image/build.ts) and writes into DIR (default
//       dist/release/<version>/): the image as an OCI archive, its SBOM (syft, SPDX JSON), the
//       SBOM of the dependencies bundled into it (npm sbom, production only), their licences as
//       the image holds them, the chart packaged, and SHA256SUMS of all of them. An image built
//       on stand-in bases (scripts/image/stand-in-bases.sh) is refused unless --allow-stand-in:
//       it is for trying the pipeline here, never for publishing.
// Publishing (the multi-arch image and the chart as an OCI artifact) is the GitHub Actions
// workflow .github/workflows/release.yml, run on a tag vX.Y.Z.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runProcess } from '../test/support/run-process.ts';
import { CHART_DIR } from '../test/support/tools/helm-chart.ts';
import { runTool } from '../test/support/tools/run-tool.ts';
import { ensureTool } from '../test/support/tools/tool-cache.ts';
import { buildImage, imageReference, ROOT } from './image/build.ts';
import { readVersioned, releaseVersion, VERSIONED_FILES, withVersion } from './release/versions.ts';

const USAGE = `Usage: npm run release -- version X.Y.Z
       npm run release -- check [--tag vX.Y.Z]
       npm run release -- artifacts [--out DIR] [--allow-stand-in]
(docs/releasing.md)`;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function must(command: string, args: string[], timeoutMs = 600_000): Promise<string> {
  const result = await runProcess(command, args, { timeoutMs, cwd: ROOT });
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
  return result.stdout;
}

export interface ReleaseArtifacts {
  version: string;
  dir: string;
  files: string[];
}

export async function makeArtifacts(opts: {
  out?: string;
  allowStandIn?: boolean;
}): Promise<ReleaseArtifacts> {
  const version = releaseVersion(readVersioned(ROOT));
  const reference = imageReference(ROOT);
  const dir = resolve(opts.out ?? join(ROOT, 'dist/release', version));
  mkdirSync(dir, { recursive: true });
  const built = await buildImage({ reference, log, quiet: true });
  log(`[release] built ${reference} (${(built.sizeBytes / 1e6).toFixed(1)} MB)`);
  const standIn = (
    await must('podman', [
      'image',
      'inspect',
      '--format',
      '{{index .Labels "org.appcopy.stand-in.for"}}',
      reference,
    ])
  ).trim();
  if (standIn && standIn !== '<no value>' && !opts.allowStandIn)
    throw new Error(
      `${reference} was built on a stand-in for ${standIn} (no registry was reachable to pull the real base): ` +
        'it must not be published. Pull the real bases (podman pull docker.io/library/node:24-bookworm-slim ' +
        'gcr.io/distroless/nodejs24-debian12:nonroot) and build again, or pass --allow-stand-in to try the pipeline.',
    );

  const name = `appcopy-operator-${version}`;
  const archive = join(dir, `${name}.oci.tar`);
  log(`[release] ${archive}`);
  await must('podman', ['save', '--format', 'oci-archive', '--output', archive, reference]);

  const syft = await ensureTool('syft', { log });
  log('[release] the image SBOM (syft)');
  const imageSbom = join(dir, `${name}.image.spdx.json`);
  const scanned = await runTool(
    syft,
    ['scan', `oci-archive:${archive}`, '--output', `spdx-json=${imageSbom}`],
    {
      timeoutMs: 600_000,
    },
  );
  if (scanned.code !== 0) throw new Error(`syft failed: ${scanned.stderr}`);

  // The bundle holds its dependencies in one file, where no scanner can tell them apart: their
  // SBOM comes from the lock file, production dependencies only (the ones in the bundle).
  log('[release] the bundled dependencies SBOM (npm sbom)');
  const appSbom = await must('npm', [
    'sbom',
    '--omit',
    'dev',
    '--sbom-format',
    'spdx',
    '--package-lock-only',
  ]);
  writeFileSync(join(dir, `${name}.dependencies.spdx.json`), appSbom);

  const container = (await must('podman', ['create', '--pull=never', reference])).trim();
  try {
    await must('podman', [
      'cp',
      `${container}:/app/dist/THIRD-PARTY-LICENSES.txt`,
      join(dir, `${name}.THIRD-PARTY-LICENSES.txt`),
    ]);
  } finally {
    await runProcess('podman', ['rm', '--force', container]);
  }

  const helm = await ensureTool('helm', { log });
  const packaged = await runTool(helm, ['package', CHART_DIR, '--destination', dir]);
  if (packaged.code !== 0) throw new Error(`helm package failed: ${packaged.stderr}`);

  const files = readdirSync(dir)
    .filter((f) => f !== 'SHA256SUMS')
    .sort();
  writeFileSync(
    join(dir, 'SHA256SUMS'),
    files
      .map(
        (f) =>
          `${createHash('sha256')
            .update(readFileSync(join(dir, f)))
            .digest('hex')}  ${f}\n`,
      )
      .join(''),
  );
  return { version, dir, files: [...files, 'SHA256SUMS'] };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  switch (command) {
    case 'version': {
      const version = rest[0];
      if (!version) break;
      const files = withVersion(readVersioned(ROOT), version);
      for (const file of VERSIONED_FILES) writeFileSync(join(ROOT, file), files[file]);
      process.stdout.write(`${VERSIONED_FILES.join(', ')}: ${version}\n`);
      return 0;
    }
    case 'check': {
      const version = releaseVersion(readVersioned(ROOT));
      const tag = flag('--tag');
      if (tag !== undefined && tag !== `v${version}`)
        throw new Error(`the tag ${tag} is not v${version}, the version the files state`);
      process.stdout.write(`${version}\n`);
      return 0;
    }
    case 'artifacts': {
      const out = flag('--out');
      const made = await makeArtifacts({
        ...(out ? { out } : {}),
        allowStandIn: rest.includes('--allow-stand-in'),
      });
      process.stdout.write(`${made.dir}\n${made.files.map((f) => `  ${f}`).join('\n')}\n`);
      return 0;
    }
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(ROOT, 'scripts/release.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`release: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
