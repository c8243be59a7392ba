// Command phases sorts the CPU samples of `perf script` into the phases of a
// process's life — exec, the runtime's start, package initialisation, main,
// the goroutines main starts, the runtime's own threads, exit — and prints
// what share of the process's CPU time each took, in user and kernel mode.
// bench/profile.sh runs it; see docs/performance.md.
//
//	perf script -F comm,ip,sym -i perf.data | phases -comm tokctl -runs 300 -task-clock 2.1ms
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

func main() {
	comm := flag.String("comm", "", "the command name (comm) whose samples to count")
	runs := flag.Int("runs", 1, "the number of runs recorded")
	taskClock := flag.Duration("task-clock", 0, "the CPU time of one run measured without sampling (perf stat), to print shares in ms")
	flag.Parse()
	if *comm == "" || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: perf script -F comm,ip,sym | phases -comm NAME -runs N [-task-clock D]")
		os.Exit(2)
	}
	p, err := parse(os.Stdin, *comm)
	if err != nil {
		fmt.Fprintln(os.Stderr, "phases:", err)
		os.Exit(1)
	}
	p.print(os.Stdout, *taskClock)
}

// phaseOrder is the order of the table.
var phaseOrder = []string{
	"exec (kernel: loading the binary)",
	"runtime start (before package init)",
	"package initialisation",
	"main",
	"goroutines main started (net/http's connection loops, timers)",
	"garbage collector",
	"runtime threads (scheduler, sysmon, idle)",
	"exit",
	"kernel, no user frame (scheduling, interrupts)",
}

type profile struct {
	samples map[string][2]int // phase → [user, kernel]
	total   int
}

// parse reads perf script output: a header line per sample, then its call
// chain one frame per indented line (leaf first), then a blank line.
func parse(r io.Reader, comm string) (*profile, error) {
	p := &profile{samples: map[string][2]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var frames []string
	var kernel, mine bool
	flush := func() {
		if mine && len(frames) > 0 {
			ph := classify(frames)
			c := p.samples[ph]
			if kernel {
				c[1]++
			} else {
				c[0]++
			}
			p.samples[ph] = c
			p.total++
		}
		frames, mine = frames[:0], false
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case line[0] != ' ' && line[0] != '\t':
			flush()
			f := strings.Fields(line)
			mine = len(f) > 0 && f[0] == comm
		case mine:
			// "	ffffffff8a2b3c4d do_anonymous_page+0x1d ([kernel.kallsyms])"
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			sym := f[1]
			if i := strings.LastIndex(sym, "+0x"); i > 0 {
				sym = sym[:i]
			}
			if len(frames) == 0 {
				kernel = strings.HasSuffix(line, "([kernel.kallsyms])")
			}
			frames = append(frames, sym)
		}
	}
	flush()
	return p, sc.Err()
}

// classify names the phase of one call chain, leaf first.
func classify(frames []string) string {
	has := func(names ...string) bool {
		for _, f := range frames {
			for _, n := range names {
				if f == n {
					return true
				}
			}
		}
		return false
	}
	switch {
	case has("load_elf_binary", "bprm_execve", "begin_new_exec", "do_execveat_common.isra.0", "do_execveat_common"):
		return phaseOrder[0]
	case has("do_exit", "do_group_exit", "exit_mmap", "mmput"):
		return phaseOrder[7]
	case has("runtime.doInit1"):
		return phaseOrder[2]
	case has("main.main"):
		return phaseOrder[3]
	case has("runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge", "runtime.gcStart"):
		return phaseOrder[5]
	case has("runtime.rt0_go.abi0", "runtime.main"):
		return phaseOrder[1]
	case has("runtime.goexit.abi0", "runtime.goexit"):
		return phaseOrder[4]
	case has("runtime.mstart.abi0", "runtime.mstart", "runtime.mstart0", "runtime.mstart1"):
		return phaseOrder[6]
	}
	last := frames[len(frames)-1]
	if !strings.Contains(last, ".") || strings.HasPrefix(last, "[") { // a kernel symbol or unknown
		return phaseOrder[8]
	}
	return phaseOrder[6]
}

func (p *profile) print(w io.Writer, taskClock time.Duration) {
	fmt.Fprintln(w, "| phase | share of CPU time | user | kernel | ms per run |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, ph := range phaseOrder {
		c := p.samples[ph]
		if c[0]+c[1] == 0 {
			continue
		}
		share := func(n int) float64 { return 100 * float64(n) / float64(p.total) }
		est := "—"
		if taskClock > 0 {
			est = fmt.Sprintf("%.2f", share(c[0]+c[1])/100*float64(taskClock)/float64(time.Millisecond))
		}
		fmt.Fprintf(w, "| %s | %.1f%% | %.1f%% | %.1f%% | %s |\n", ph, share(c[0]+c[1]), share(c[0]), share(c[1]), est)
	}
	est := "—"
	if taskClock > 0 {
		est = fmt.Sprintf("%.2f", float64(taskClock)/float64(time.Millisecond))
	}
	fmt.Fprintf(w, "| all (%d samples) | 100%% | | | %s |\n", p.total, est)
}
