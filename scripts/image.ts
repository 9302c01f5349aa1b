// `npm run image`: builds the operator's container image from the Dockerfile as it is, with
// buildah (installed from Debian's packages on first use), tagged as the chart pulls it, and
// prints its size and how long the build took. Run it again: unchanged steps come from the
// layer cache. scripts/image/build.ts says how; docs/image.md says why.
import { buildImage, imageReference } from './image/build.ts';

const USAGE = `Usage: npm run image [-- --tag REFERENCE]
  --tag REFERENCE  the image's name (default: ${imageReference()}, the chart's repository and appVersion)

Builds the Dockerfile with buildah (root; buildah, podman, runc and mmdebstrap are installed
from Debian's packages when missing). Where the Dockerfile's bases cannot be pulled, stand-ins
made from the same parts are built first (scripts/image/stand-in-bases.sh).`;

async function main(argv: string[]): Promise<number> {
  let reference: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (arg === '--tag' && argv[i + 1]) {
      reference = argv[++i];
      continue;
    }
    process.stderr.write(`image: unknown argument ${arg}\n\n${USAGE}\n`);
    return 2;
  }
  const built = await buildImage({ ...(reference ? { reference } : {}) });
  const mb = (built.sizeBytes / 1e6).toFixed(1);
  const mib = (built.sizeBytes / 2 ** 20).toFixed(1);
  process.stdout.write(
    `${built.reference}\n` +
      `  image id    ${built.id.slice(0, 12)}\n` +
      `  size        ${mb} MB (${mib} MiB), uncompressed\n` +
      `  build time  ${built.seconds.toFixed(1)} s, ${built.cachedSteps} of ${built.steps} steps from the layer cache\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`image: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
