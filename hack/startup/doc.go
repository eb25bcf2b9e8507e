// Package startup holds two reference programs for the benchmarks
// (hack/bench.sh, docs/benchmarks.md): empty is a Go program that does
// nothing, deps does nothing but link every dependency the plugin must
// have. Their start-up times bound what a warm kubectl-eksxa call can cost:
// package init runs on every call, whatever the command.
package startup
