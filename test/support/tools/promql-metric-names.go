// promql-metric-names: the metric names a list of PromQL expressions reads, found by
// Prometheus' own parser (the one promtool and the Prometheus server use), so that tests can
// check every name an alert or a dashboard panel uses against the operator's /metrics.
//
// Contract: stdin is a JSON array of expressions; stdout is a JSON array of the same length,
// each entry the sorted, distinct metric names its expression selects. An expression that does
// not parse exits 1 with one line on stderr naming its index and the parser's message. A
// selector without a metric name (only {__name__=~...}) is refused the same way: its names
// could not be checked.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	var exprs []string
	if err := json.NewDecoder(os.Stdin).Decode(&exprs); err != nil {
		fail("stdin is not a JSON array of strings: %v", err)
	}
	p := parser.NewParser(parser.Options{})
	out := make([][]string, 0, len(exprs))
	for i, text := range exprs {
		expr, err := p.ParseExpr(text)
		if err != nil {
			fail("expression %d (%q) does not parse: %v", i, text, err)
		}
		seen := map[string]bool{}
		var unnamed bool
		parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
			if selector, ok := node.(*parser.VectorSelector); ok {
				if selector.Name == "" {
					unnamed = true
				}
				seen[selector.Name] = true
			}
			return nil
		})
		if unnamed {
			fail("expression %d (%q) has a selector without a metric name", i, text)
		}
		names := make([]string, 0, len(seen))
		for name := range seen {
			names = append(names, name)
		}
		sort.Strings(names)
		out = append(out, names)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail("writing the result: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "error: "+format+"\n", args...)
	os.Exit(1)
}
