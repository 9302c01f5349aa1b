#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go module proxy into a cache directory.
#
# Contract: build.sh <kubernetes-version> <etcd-version> <out-dir>
#   Leaves <out-dir>/kube-apiserver and <out-dir>/etcd, or exits non-zero with one line on
#   stderr naming the cause. The out-dir is only ever completed atomically (built in a
#   sibling temp dir, then renamed), so a killed build never leaves half a cache behind.
# Why from source: kind, k3d, setup-envtest and the Kubernetes download sites are not
# reachable here; the Go module proxy is. A k8s.io/kubernetes release pins its staging
# modules (k8s.io/api, k8s.io/apiserver, ...) at v0.0.0 with replace directives into
# ./staging, which only work inside its own tree; outside it they must be replaced by the
# published v0.<minor>.<patch> tags. The list is derived from the release's own go.mod.
set -euo pipefail

k8s_version=${1:?kubernetes version, e.g. v1.37.2}
etcd_version=${2:?etcd version, e.g. v3.6.16}
out_dir=${3:?output directory}

say() { printf '[control-plane build] %s\n' "$*" >&2; }
die() { printf '[control-plane build] error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is not installed or not on PATH; install Go 1.25+ (https://go.dev/doc/install) and retry"
command -v flock >/dev/null 2>&1 || die "flock (util-linux) is not on PATH; install util-linux and retry"

# One build per version pair at a time, across processes: a second caller (another test run)
# waits here and then finds the cache filled. The kernel drops the lock if a build is killed.
mkdir -p "$(dirname "$out_dir")"
exec 9>"${out_dir}.lock"
if ! flock -n 9; then
  say "another build of ${k8s_version}/${etcd_version} is running (lock ${out_dir}.lock); waiting for it"
  flock 9
fi
if [ -x "$out_dir/kube-apiserver" ] && [ -x "$out_dir/etcd" ]; then
  say "already built by another run: ${out_dir}"
  exit 0
fi
# Holding the lock, any sibling work dir is a leftover of a killed build.
rm -rf "${out_dir}".building.*

staging_version="v0.${k8s_version#v1.}"
k8s_minor="${k8s_version#v1.}"
k8s_minor="${k8s_minor%%.*}"
work=$(mktemp -d "${out_dir}.building.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod
export CGO_ENABLED=0

say "building kube-apiserver ${k8s_version} and etcd ${etcd_version} from the Go module proxy (first time only, 10-20 minutes on 2 cores)"
say "step 1/4: reading k8s.io/kubernetes@${k8s_version} go.mod"
gomod=$(go mod download -json "k8s.io/kubernetes@${k8s_version}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
[ -f "$gomod" ] || die "could not download k8s.io/kubernetes@${k8s_version} from the Go module proxy (GOPROXY=$(go env GOPROXY))"
go_directive=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod" | head -n1)
# Staging modules are exactly those replaced by a ./staging path.
mapfile -t staging < <(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._/-]*\) => \./staging/.*#\1#p' "$gomod" | sort -u)
[ "${#staging[@]}" -gt 10 ] || die "found only ${#staging[@]} staging modules in ${gomod}; the go.mod layout changed"
say "  ${#staging[@]} staging modules pinned to ${staging_version}"

mkdir -p "$work/apiserver" "$work/etcd" "$work/bin"
{
  echo "module appcopy.testbed/kube-apiserver"
  echo
  echo "go ${go_directive}"
  echo
  echo "require k8s.io/kubernetes ${k8s_version}"
  echo
  echo "replace ("
  for m in "${staging[@]}"; do echo "	${m} => ${m} ${staging_version}"; done
  echo ")"
} >"$work/apiserver/go.mod"
cat >"$work/apiserver/main.go" <<'GO'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
GO

cat >"$work/etcd/go.mod" <<GOMOD
module appcopy.testbed/etcd

go 1.24

require go.etcd.io/etcd/server/v3 ${etcd_version}
GOMOD
cat >"$work/etcd/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
GO

say "step 2/4: resolving kube-apiserver dependencies"
(cd "$work/apiserver" && go mod tidy) >&2 || die "resolving kube-apiserver dependencies failed (see the Go output above)"
say "step 3/4: compiling kube-apiserver (the long part)"
# Stamp the release into the binary, as the Kubernetes release build does, so /version and
# `kubectl version` report v1.x.y rather than v0.0.0-master.
version_pkg=k8s.io/component-base/version
ldflags="-s -w -X ${version_pkg}.gitVersion=${k8s_version} -X ${version_pkg}.gitMajor=1 -X ${version_pkg}.gitMinor=${k8s_minor} -X ${version_pkg}.gitTreeState=clean"
(cd "$work/apiserver" && go build -trimpath -ldflags="$ldflags" -o "$work/bin/kube-apiserver" .) >&2 \
  || die "compiling kube-apiserver failed (see the Go output above)"
say "step 4/4: building etcd"
(cd "$work/etcd" && go mod tidy && go build -trimpath -ldflags='-s -w' -o "$work/bin/etcd" .) >&2 \
  || die "building etcd failed (see the Go output above)"

rm -rf "$out_dir"
mkdir -p "$(dirname "$out_dir")"
mv "$work/bin" "$out_dir"
say "done: ${out_dir}"
