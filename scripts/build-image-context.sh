#!/bin/sh
# The container image's build steps, as plain commands. The Dockerfile's RUN lines call this
# script and nothing else (test/integration/deploy/image-build.test.ts checks that), and
# test/integration/image/ checks what the image built from them contains.
#
# Contract, run from a source tree holding package.json, package-lock.json, tsconfig.json,
# scripts/build-bundle.ts, src/ and the workspace package packages/kube-runtime/:
#   build-image-context.sh install     npm ci of every dependency (the bundler is a dev one)
#   build-image-context.sh assemble OUT
#       OUT becomes the image's application directory and nothing more: package.json (its
#       "type": "module" makes Node read the bundle as a module) and dist/ as `npm run build`
#       makes it: main.js, the operator with every dependency it runs inside (no source map),
#       and THIRD-PARTY-LICENSES.txt. No node_modules: what runs is exactly the bundle that
#       `npm run bench` measures (scripts/build-bundle.ts says why a bundle).
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
    [ -d node_modules/esbuild ] || die "the bundler is missing: run build-image-context.sh install first"
    [ ! -e "$out" ] || [ -z "$(ls -A "$out")" ] || die "$out exists and is not empty"
    mkdir -p "$out"
    # The build script of package.json, so the image holds exactly what `npm run build` makes.
    npm run --silent build -- --outdir "$out/dist"
    cp package.json "$out/"
    ;;
  *)
    die "usage: build-image-context.sh install | assemble OUT"
    ;;
esac
