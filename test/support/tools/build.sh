#!/usr/bin/env bash
# Builds one of the test bed's tools from the Go module proxy into a cache directory.
#
# Contract: build.sh <tool> <version> <out-dir>
#   tool: helm                 helm.sh/helm/v4/cmd/helm at <version> (e.g. v4.3.2)
#         promtool             github.com/prometheus/prometheus/cmd/promtool at <version>
#                              (the Go module's v0.3MM.P is Prometheus 3.MM.P)
#         promql-metric-names  our promql-metric-names.go beside this script, built against
#                              github.com/prometheus/prometheus at <version>
#         syft                 github.com/anchore/syft/cmd/syft at <version> (the image's SBOM)
#   Leaves <out-dir>/<tool>, or exits non-zero with one line on stderr naming the cause. The
#   out-dir is only ever completed atomically (built in a sibling temp dir, then renamed), so a
#   killed build never leaves half a cache behind.
# Why from source: Helm's and Prometheus' release downloads are not reachable here (nor is any
# container registry); the Go module proxy is, and both publish their commands as Go modules.
# Why promtool without service discovery: the tests use `check rules` and `check metrics`,
# which need none of the 25 cloud SDKs that promtool links by default; Prometheus' own
# `remove_all_sd` build tag leaves them out and roughly halves the build.
set -euo pipefail

tool=${1:?tool: helm, promtool or promql-metric-names}
version=${2:?version, e.g. v4.3.2}
out_dir=${3:?output directory}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { printf '[tools build] %s\n' "$*" >&2; }
die() { printf '[tools build] error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is not installed or not on PATH; install Go 1.26+ (https://go.dev/doc/install) and retry"
command -v flock >/dev/null 2>&1 || die "flock (util-linux) is not on PATH; install util-linux and retry"
case "$version" in v[0-9]*.[0-9]*.[0-9]*) ;; *) die "version \"$version\" is not of the form vMAJOR.MINOR.PATCH" ;; esac

# One build per entry at a time, across processes (test files run in parallel workers): a
# second caller waits here and then finds the cache filled.
mkdir -p "$(dirname "$out_dir")"
exec 9>"${out_dir}.lock"
if ! flock -n 9; then
  say "another build of ${tool} ${version} is running (lock ${out_dir}.lock); waiting for it"
  flock 9
fi
if [ -x "$out_dir/$tool" ]; then
  say "already built by another run: ${out_dir}"
  exit 0
fi
rm -rf "${out_dir}".building.*
work=$(mktemp -d "${out_dir}.building.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
export CGO_ENABLED=0
export GOFLAGS=-mod=mod

started=$(date +%s)
case "$tool" in
  helm)
    say "building helm ${version} from the Go module proxy (first time only, a few minutes on 2 cores)"
    GOBIN="$work/bin" go install -trimpath \
      -ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=${version}" \
      "helm.sh/helm/v4/cmd/helm@${version}" >&2 \
      || die "building helm ${version} failed (see the Go output above; GOPROXY=$(go env GOPROXY))"
    ;;
  promtool)
    # Prometheus 3.MM.P is published as the Go module version v0.3MM.P.
    module_minor=${version#v0.}
    module_minor=${module_minor%%.*}
    prometheus_version="${module_minor:0:1}.$((10#${module_minor:1})).${version##*.}"
    say "building promtool ${version} (Prometheus ${prometheus_version}) from the Go module proxy, without service discovery (first time only, several minutes on 2 cores)"
    GOBIN="$work/bin" go install -trimpath -tags remove_all_sd \
      -ldflags="-s -w -X github.com/prometheus/common/version.Version=${prometheus_version}" \
      "github.com/prometheus/prometheus/cmd/promtool@${version}" >&2 \
      || die "building promtool ${version} failed (see the Go output above; GOPROXY=$(go env GOPROXY))"
    ;;
  promql-metric-names)
    say "building promql-metric-names against github.com/prometheus/prometheus ${version}"
    mkdir -p "$work/src"
    cp "$here/promql-metric-names.go" "$work/src/main.go"
    printf 'module appcopy.testbed/promql-metric-names\n\ngo 1.26\n\nrequire github.com/prometheus/prometheus %s\n' "$version" >"$work/src/go.mod"
    (cd "$work/src" && go mod tidy && go build -trimpath -ldflags='-s -w' -o "$work/bin/promql-metric-names" .) >&2 \
      || die "building promql-metric-names failed (see the Go output above)"
    ;;
  syft)
    say "building syft ${version} from the Go module proxy (first time only, several minutes on 2 cores)"
    GOBIN="$work/bin" go install -trimpath -ldflags="-s -w" \
      "github.com/anchore/syft/cmd/syft@${version}" >&2 \
      || die "building syft ${version} failed (see the Go output above; GOPROXY=$(go env GOPROXY))"
    ;;
  *) die "unknown tool \"${tool}\" (helm, promtool, promql-metric-names or syft)" ;;
esac
[ -x "$work/bin/$tool" ] || die "the build of ${tool} left no binary"

rm -rf "$out_dir"
mv "$work/bin" "$out_dir"
say "done in $(($(date +%s) - started))s: ${out_dir}"
