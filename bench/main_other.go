//go:build !linux

package main

import (
	"fmt"
	"os"
)

// The benchmark reads Linux processes (ptrace for the peak RSS, /proc,
// rusage); elsewhere it says so instead of measuring something else.
func main() {
	fmt.Fprintln(os.Stderr, "bench: the benchmark measures Linux processes (ptrace, /proc); run it on Linux")
	os.Exit(2)
}
