//go:build linux

package main

import (
	"strings"
	"testing"
	"time"
)

// ms3 is three runs of about d milliseconds, with median d.
func ms3(d float64) []time.Duration {
	m := time.Duration(d * float64(time.Millisecond))
	return []time.Duration{m - time.Microsecond, m, m + time.Microsecond}
}

// reportBench is a bench whose cases have already run: a floor, its stack
// floor, and two cases held to ≤ 1.20× the floor.
func reportBench(floor, stack, fast, slow float64) *bench {
	b := &bench{cases: []*benchCase{
		{name: "readnet (floor)", times: ms3(floor)},
		{name: "readnet + tokctl's libraries (stack floor)", times: ms3(stack), stackOf: "readnet (floor)"},
		{name: "fast", times: ms3(fast), targets: []target{{"readnet (floor)", 1.2}}},
		{name: "slow", times: ms3(slow), targets: []target{{"readnet (floor)", 1.2}}},
	}}
	b.byKey = map[string]*benchCase{}
	for _, c := range b.cases {
		b.byKey[c.name] = c
	}
	return b
}

func TestVerdictAgainstTheStackFloor(t *testing.T) {
	b := reportBench(2.0, 2.5, 2.3, 2.6) // stack floor 1.25×: over the 1.20× target
	fast, slow := b.byKey["fast"], b.byKey["slow"]
	if !b.meets(fast) {
		t.Errorf("1.15× does not meet ≤ 1.20×")
	}
	if b.meets(slow) {
		t.Errorf("1.30× meets ≤ 1.20×")
	}
	if got := b.stackNote(fast); got != "" {
		t.Errorf("stackNote of a met target = %q, want none", got)
	}
	if got, want := b.stackNote(slow), " (stack floor 1.25×)"; got != want {
		t.Errorf("stackNote = %q, want %q", got, want)
	}

	var out strings.Builder
	b.stackTable(&out)
	// 1.20 × 2.0 ms − 2.5 ms: the libraries alone are 0.10 ms over.
	want := "| ≤ 1.20× readnet | 2.00 ms | 2.50 ms | 1.25× | -0.10 ms | fast 1.15×; slow 1.30× |"
	if !strings.Contains(out.String(), want) {
		t.Errorf("stack table:\n%s\nwant the row\n%s", out.String(), want)
	}
}

func TestStackTableLeavesRoom(t *testing.T) {
	b := reportBench(2.0, 2.1, 2.3, 2.6) // stack floor 1.05×: 0.30 ms left
	var out strings.Builder
	b.stackTable(&out)
	if !strings.Contains(out.String(), "| 1.05× | +0.30 ms |") {
		t.Errorf("stack table:\n%s\nwant 1.05× and +0.30 ms left", out.String())
	}
}

func TestStackFloorSkipped(t *testing.T) {
	b := reportBench(2.0, 2.5, 2.3, 2.6)
	b.byKey["readnet + tokctl's libraries (stack floor)"].skip = "skipped: no keyring"
	if got := b.stackNote(b.byKey["slow"]); got != "" {
		t.Errorf("stackNote with the stack floor skipped = %q, want none", got)
	}
	var out strings.Builder
	b.stackTable(&out)
	if strings.Contains(out.String(), "readnet |") {
		t.Errorf("a skipped stack floor got a row:\n%s", out.String())
	}
}
