//go:build stack

package main

// Built with -tags stack and some of the stack package's tags, this floor
// links tokctl's libraries as well (see bench/floor/stack).
import _ "github.com/tokctl/tokctl/bench/floor/stack"
