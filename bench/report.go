//go:build linux

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Budgets from the performance issue that are not ratios.
const (
	maxCachedRSSKiB = 10 * 1024 // 10 MiB
	maxBinaryBytes  = 9_000_000 // 9 MB
)

const hello = "hello world (floor)"

func (b *bench) report(w io.Writer, par *parallelResult) {
	fmt.Fprintf(w, "Machine: %s; load average %s at the start, %s at the end\n\n", machine(), b.loadStart, loadAverage())
	fmt.Fprintf(w, "%d timed runs per case in rounds of one run each, in a random order per round (seed %d), after %d warm-up rounds, %s; "+
		"release builds, floors included (CGO_ENABLED=0, -trimpath, -tags "+releaseTags+", -ldflags \"-s -w\"); times are wall clock from fork to wait4; "+
		"%s; MB = 10^6 bytes.\n\n", b.opts.runs, b.opts.seed, b.opts.warmup, pauseNote(b.opts.pause), b.rssNote())

	fmt.Fprintln(w, "| case | median | min–max | × hello | peak RSS | binary | target | result |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---|---|")
	base := b.byKey[hello]
	for _, c := range b.cases {
		if c.rung == 0 && c.stackOf == "" {
			b.row(w, c, base)
		}
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "| budget | measured | target | result |")
	fmt.Fprintln(w, "|---|---:|---|---|")
	for _, name := range []string{"`token get` cached, file store", "`token get` cached, real keyring"} {
		c := b.byKey[name]
		peak, _ := b.peak(c)
		if c.skip != "" || peak == 0 {
			fmt.Fprintf(w, "| peak RSS, %s | — | ≤ 10 MiB | %s |\n", name, orSkip(c))
			continue
		}
		fmt.Fprintf(w, "| peak RSS, %s | %s | ≤ 10 MiB | %s |\n", name, mib(peak), verdict(peak <= maxCachedRSSKiB))
	}
	if size, err := fileSize(b.bins["tokctl"]); err == nil {
		fmt.Fprintf(w, "| stripped tokctl binary, %s/%s | %s (%d bytes) | ≤ 9 MB | %s |\n",
			runtime.GOOS, runtime.GOARCH, mb(size), size, verdict(size <= maxBinaryBytes))
	}

	b.stackTable(w)
	if b.opts.ladder {
		b.ladderTable(w)
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "| parallel cold start | median wall | min–max | token requests per round | target | result |")
	fmt.Fprintln(w, "|---|---:|---:|---|---|---|")
	b.parallelRow(w, par)
}

func (b *bench) row(w io.Writer, c, base *benchCase) {
	size := "—"
	if n, err := fileSize(b.bins[c.bin]); err == nil {
		size = mb(n)
	}
	switch {
	case c.skip != "":
		fmt.Fprintf(w, "| %s | — | — | — | — | %s | %s | SKIP |\n", c.name, size, c.skip)
		return
	case c.err != "":
		fmt.Fprintf(w, "| %s | — | — | — | — | %s | %s | ERROR: %s |\n", c.name, size, targetsText(b, c, false), escape(c.err))
		return
	case len(c.times) == 0:
		fmt.Fprintf(w, "| %s | — | — | — | — | %s | %s | ERROR: every run failed |\n", c.name, size, targetsText(b, c, false))
		return
	}
	ratio := "—"
	if len(base.times) > 0 {
		ratio = fmt.Sprintf("%.2f", float64(median(c.times))/float64(median(base.times)))
	}
	result := ""
	if len(c.targets) > 0 {
		ok := b.meets(c)
		result = verdict(ok)
		if !ok {
			result += b.stackNote(c)
		}
	}
	if c.fails > 0 {
		result = fmt.Sprintf("FAIL (%d runs exited non-zero)", c.fails)
	}
	rss := "—"
	if peak, _ := b.peak(c); peak > 0 {
		rss = mib(peak)
	}
	fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", c.name, ms(median(c.times)),
		minMax(c.times), ratio, rss, size, targetsText(b, c, true), result)
}

// ladderTable shows where a cached `token get` spends its time over
// readnet: readnet with tokctl's libraries added one at a time, then tokctl.
func (b *bench) ladderTable(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| readnet … | binary | median | Δ previous row | × readnet |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	rows := []*benchCase{b.byKey["readnet (floor)"]}
	for n := range len(rungs) {
		for _, c := range b.cases {
			if c.rung == n+1 {
				rows = append(rows, c)
			}
		}
	}
	rows = append(rows, b.byKey["`token get` cached, file store"])
	base := rows[0]
	var prev *benchCase
	for i, c := range rows {
		name := c.name
		switch {
		case c.rung > 0:
			name = "+ " + rungs[c.rung-1].adds
		case i == 0:
			name = "readnet (the floor)"
		case i == len(rows)-1:
			name = "= tokctl `token get`, cached, file store (+ tokctl's own code and work)"
		}
		size := "—"
		if n, err := fileSize(b.bins[c.bin]); err == nil {
			size = mb(n)
		}
		if len(c.times) == 0 || len(base.times) == 0 {
			fmt.Fprintf(w, "| %s | %s | — | — | — |\n", name, size)
			prev = nil
			continue
		}
		delta := ""
		if prev != nil && len(prev.times) > 0 {
			delta = fmt.Sprintf("%+.2f ms", float64(median(c.times)-median(prev.times))/float64(time.Millisecond))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.2f |\n", name, size, ms(median(c.times)), delta,
			float64(median(c.times))/float64(median(base.times)))
		prev = c
	}
}

// stackTable compares each ratio target with its floor's stack floor: the
// floor with all of tokctl's libraries linked and none of its code. What is
// left of the target's budget is what tokctl's own code and work may add;
// when it is negative, the libraries alone are over the target.
func (b *bench) stackTable(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | floor | stack floor (the floor + tokctl's libraries) | × floor | left for tokctl's own code | tokctl |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---|")
	type key struct {
		ref   string
		ratio float64
	}
	seen := map[key]bool{}
	for _, c := range b.cases {
		for _, t := range c.targets {
			st := b.stackFloor(t.ref)
			if st == nil || seen[key{t.ref, t.ratio}] {
				continue
			}
			seen[key{t.ref, t.ratio}] = true
			floor := b.byKey[t.ref]
			name := fmt.Sprintf("≤ %.2f× %s", t.ratio, strings.TrimSuffix(t.ref, " (floor)"))
			if len(floor.times) == 0 || len(st.times) == 0 {
				fmt.Fprintf(w, "| %s | — | — | — | — | %s |\n", name, b.casesAgainst(t))
				continue
			}
			fm, sm := median(floor.times), median(st.times)
			left := time.Duration(t.ratio*float64(fm)) - sm
			fmt.Fprintf(w, "| %s | %s | %s | %.2f× | %+.2f ms | %s |\n", name, ms(fm), ms(sm),
				float64(sm)/float64(fm), float64(left)/float64(time.Millisecond), b.casesAgainst(t))
		}
	}
}

// casesAgainst lists the cases held to target t, with their ratios.
func (b *bench) casesAgainst(t target) string {
	var parts []string
	for _, c := range b.cases {
		for _, ct := range c.targets {
			if ct != t {
				continue
			}
			if r, ok := b.ratio(c, t.ref); ok {
				parts = append(parts, fmt.Sprintf("%s %.2f×", c.name, r))
			}
		}
	}
	return strings.Join(parts, "; ")
}

// stackFloor is the stack floor of the floor named ref, or nil.
func (b *bench) stackFloor(ref string) *benchCase {
	for _, c := range b.cases {
		if c.stackOf == ref && c.skip == "" && c.err == "" {
			return c
		}
	}
	return nil
}

// stackNote says, for a missed target, where the floor with tokctl's
// libraries and none of its code stands against it.
func (b *bench) stackNote(c *benchCase) string {
	var parts []string
	for _, t := range c.targets {
		r, ok := b.ratio(c, t.ref)
		st := b.stackFloor(t.ref)
		if !ok || r <= t.ratio || st == nil {
			continue
		}
		if sr, ok := b.ratio(st, t.ref); ok {
			parts = append(parts, fmt.Sprintf("stack floor %.2f×", sr))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// meets reports whether every ratio target of c holds, median against median.
func (b *bench) meets(c *benchCase) bool {
	for _, t := range c.targets {
		r, ok := b.ratio(c, t.ref)
		if !ok || r > t.ratio {
			return false
		}
	}
	return true
}

func (b *bench) ratio(c *benchCase, ref string) (float64, bool) {
	rc := b.byKey[ref]
	if rc == nil || len(rc.times) == 0 || len(c.times) == 0 {
		return 0, false
	}
	return float64(median(c.times)) / float64(median(rc.times)), true
}

func targetsText(b *bench, c *benchCase, withActual bool) string {
	var parts []string
	for _, t := range c.targets {
		ref := strings.TrimSuffix(t.ref, " (floor)")
		s := fmt.Sprintf("≤ %.2f× %s", t.ratio, ref)
		if withActual {
			if r, ok := b.ratio(c, t.ref); ok {
				s += fmt.Sprintf(": %.2f×", r)
			} else {
				s += ": floor not measured"
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func (b *bench) parallelRow(w io.Writer, r *parallelResult) {
	name := fmt.Sprintf("%d × `token get` at once, empty file store", r.n)
	if len(r.times) == 0 {
		fmt.Fprintf(w, "| %s | — | — | — | 1 per round | ERROR: %s |\n", name, escape(strings.Join(r.problems, "; ")))
		return
	}
	var reqs []string
	ok := len(r.problems) == 0
	for _, n := range r.requests {
		reqs = append(reqs, fmt.Sprint(n))
		ok = ok && n == 1
	}
	result := verdict(ok)
	if len(r.problems) > 0 {
		result += ": " + escape(strings.Join(r.problems, "; "))
	}
	fmt.Fprintf(w, "| %s | %s | %s | %s | 1 per round, one token printed by all | %s |\n", name,
		ms(median(r.times)), minMax(r.times), strings.Join(reqs, ", "), result)
}

func pauseNote(d time.Duration) string {
	if d <= 0 {
		return "back to back"
	}
	return fmt.Sprintf("with an untimed %v pause before each run", d)
}

func (b *bench) rssNote() string {
	if b.rssErr == "" {
		return fmt.Sprintf("peak RSS is VmHWM at exit (ptrace exit stop), the largest of %d more runs", b.opts.rssRuns)
	}
	return "peak RSS is the largest ru_maxrss of the timed runs, which includes the benchmark program's own " +
		"memory (ptrace failed: " + escape(b.rssErr) + ")"
}

// machine describes where the numbers come from.
func machine() string {
	cpu := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel := runtime.GOOS
	if raw, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = "Linux " + strings.TrimSpace(string(raw))
	}
	goVersion := strings.TrimSpace(output("go", "env", "GOVERSION"))
	commit := strings.TrimSpace(output("git", "describe", "--always", "--dirty"))
	if commit == "" {
		commit = "unknown"
	}
	return fmt.Sprintf("%d CPUs (nproc), %s; %s; %s %s/%s; tokctl %s; %s", runtime.NumCPU(), cpu, kernel,
		goVersion, runtime.GOOS, runtime.GOARCH, commit, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
}

// loadAverage is the 1-minute load average: other work on the machine
// makes every case slower and noisier.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(raw) + " unknown")[0]
}

func output(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func orSkip(c *benchCase) string {
	if c.skip != "" {
		return "SKIP"
	}
	return "ERROR"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func minMax(ds []time.Duration) string {
	return fmt.Sprintf("%.2f–%.2f ms", float64(slices.Min(ds))/float64(time.Millisecond), float64(slices.Max(ds))/float64(time.Millisecond))
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

func escape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
