#!/bin/sh
# The container image's build steps, as plain commands. The Dockerfile's RUN lines call this
# script and nothing else, so test/integration/deploy/image-build.test.ts, which runs the same
# lines without a Docker engine, checks what the image contains.
#
# Contract, run from a source tree holding package.json, package-lock.json, tsconfig*.json, src/:
#   build-image-context.sh install     npm ci of every dependency (the compiler is a dev one)
#   build-image-context.sh assemble OUT
#       OUT becomes the image's application directory and nothing more: package.json,
#       package-lock.json, dist/ (the built JavaScript, no source maps) and node_modules/ with
#       the production dependencies only, installed without running any package's scripts.
#       Type declarations and source maps are removed from node_modules: nothing loads them at
#       run time and they are half of its size.
# POSIX sh, because the build stage's shell may be dash or busybox.
set -eu

die() {
  printf 'build-image-context: %s\n' "$*" >&2
  exit 1
}

# --ignore-scripts: no install script of any package runs. The `node` dev dependency would
# otherwise download a Node binary; the build image brings its own Node 24.
npm_ci() {
  npm ci --ignore-scripts --no-audit --no-fund "$@"
}

case "${1:-}" in
  install)
    [ -f package-lock.json ] || die "run from the source tree: no package-lock.json in $(pwd)"
    npm_ci
    ;;
  assemble)
    out=${2:?usage: build-image-context.sh assemble OUT}
    [ -f package-lock.json ] || die "run from the source tree: no package-lock.json in $(pwd)"
    [ -x node_modules/.bin/tsc ] || die "the compiler is missing: run build-image-context.sh install first"
    [ ! -e "$out" ] || [ -z "$(ls -A "$out")" ] || die "$out exists and is not empty"
    mkdir -p "$out"
    # The build script of package.json, so the image builds exactly what `npm run build` does.
    npm run --silent build -- --outDir "$out/dist" --sourceMap false
    cp package.json package-lock.json "$out/"
    (cd "$out" && npm_ci --omit=dev)
    find "$out/node_modules" -type f \( -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' \) -delete
    ;;
  *)
    die "usage: build-image-context.sh install | assemble OUT"
    ;;
esac
