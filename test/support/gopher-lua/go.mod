// The Argo CD health-script runner used by test/unit/gitops (see main.go). The versions are
// those Argo CD's own go.mod pins (argoproj/argo-cd go.mod@37ee0097cf851bc2dd7665fc081bbce61a7e836e,
// the same in v3.5.1): gopher-lua runs the script, gopher-json turns its answer into JSON.
module appcopy.testbed/gopher-lua

go 1.24

require (
	github.com/yuin/gopher-lua v1.1.2
	layeh.com/gopher-json v0.0.0-20190114024228-97fed8db8427
)
