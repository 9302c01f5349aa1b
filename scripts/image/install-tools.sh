#!/usr/bin/env bash
# Installs what building and running the image needs here, from Debian's packages: buildah
# (builds the Dockerfile), podman (runs the image and builds nothing), runc (the OCI runtime:
# crun, podman's default, fails on the hybrid cgroup hierarchy of these machines) and mmdebstrap
# (makes the stand-in bases, scripts/image/stand-in-bases.sh). Nothing happens when they are
# all there. Installing needs root: otherwise it stops with the exact command to run.
# Exits non-zero with one line "[image tools] error: ..." naming the cause.
set -euo pipefail

TOOLS=(buildah podman runc mmdebstrap)
say() { printf '[image tools] %s\n' "$*" >&2; }
die() { printf '[image tools] error: %s\n' "$*" >&2; exit 1; }

missing=()
for tool in "${TOOLS[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

# --no-install-recommends: no crun (see above), no fuse-overlayfs or slirp4netns (root uses the
# kernel's overlay and the host network).
command_line="apt-get install -y --no-install-recommends ${missing[*]}"
command -v apt-get >/dev/null 2>&1 \
  || die "${missing[*]} missing and this is not a Debian-based machine; install ${missing[*]} with its package manager"
if [ "$(id -u)" != 0 ]; then
  die "${missing[*]} missing, and installing them needs root: run  sudo apt-get update && sudo ${command_line}  then run again"
fi
say "installing ${missing[*]} from Debian's packages (first time only)"
export DEBIAN_FRONTEND=noninteractive
# Another apt-get (or unattended-upgrades) may hold the lock: wait for it rather than fail.
apt_get() { apt-get -q -o DPkg::Lock::Timeout=600 "$@"; }
if ! apt_get install -y --no-install-recommends "${missing[@]}" >&2; then
  say "refreshing the package lists and trying again"
  apt_get update >&2 || die "apt-get update failed (are Debian's mirrors reachable?)"
  apt_get install -y --no-install-recommends "${missing[@]}" >&2 || die "${command_line} failed (see above)"
fi
for tool in "${missing[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is still not on PATH after installing it"
done
say "installed ${missing[*]}"
