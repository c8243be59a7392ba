//go:build linux

// Command bench measures tokctl's start-up cost against the floor of a Go
// process, side by side on one machine, and prints a Markdown report.
//
// It builds tokctl and the floor programs (bench/floor/...) as goreleaser
// builds releases (CGO_ENABLED=0, -trimpath, -tags nethttpomithttp2,
// -ldflags "-s -w"), starts the in-repo fake provider on loopback, runs
// every case in alternating rounds (one run of each case per round, in a
// new random order every round) and reports median and min–max wall time,
// the ratio to hello world, peak RSS (VmHWM at exit, see rss.go) and binary
// size, each against its target. Each ratio
// target is also set against its floor's stack floor — the floor with all of
// tokctl's libraries linked (bench/floor/stack) — which says what the target
// leaves for tokctl's own code. A 20-way parallel cold start counts the token
// requests the fake provider saw.
//
// Run it from the repository root, through bench/run.sh (`make bench`), which
// provides a private Secret Service for the keyring case when it can. The
// exit status is 0 whatever the results: it is a report, not a test.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tokctl/tokctl/internal/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	runs, warmup   int
	rssRuns        int
	parallel       int
	parallelRounds int
	keep           bool
	ladder         bool
	seed           uint64
	pause          time.Duration
	// The refresh-ahead loop (loop.go).
	loopTTL, loopDelay, loopDuration, loopPause time.Duration
}

func run() error {
	var o options
	flag.IntVar(&o.runs, "runs", 100, "timed runs of each case (alternating)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the random order of the cases in each round")
	flag.DurationVar(&o.pause, "pause", 0, "untimed pause before each run (0: back to back, as hyperfine runs)")
	flag.IntVar(&o.warmup, "warmup", 3, "untimed rounds before the timed ones")
	flag.IntVar(&o.rssRuns, "rss-runs", 5, "traced runs of each case for its peak RSS")
	flag.IntVar(&o.parallel, "parallel", 20, "processes in the parallel cold-start case")
	flag.IntVar(&o.parallelRounds, "parallel-rounds", 5, "rounds of the parallel cold-start case")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (binaries, state) and print its path")
	flag.BoolVar(&o.ladder, "ladder", true, "also time readnet with tokctl's libraries added one by one (the lower rungs; the stack floors are always timed)")
	flag.DurationVar(&o.loopTTL, "loop-ttl", 12*time.Second, "token lifetime in the refresh-ahead loop (0: no loop)")
	flag.DurationVar(&o.loopDelay, "loop-delay", 200*time.Millisecond, "how long the provider takes to answer in the refresh-ahead loop")
	flag.DurationVar(&o.loopDuration, "loop-duration", 48*time.Second, "how long each mode of the refresh-ahead loop calls `token get`")
	flag.DurationVar(&o.loopPause, "loop-pause", 20*time.Millisecond, "pause between the calls of the refresh-ahead loop")
	flag.Parse()
	if o.runs < 1 || o.parallel < 1 || o.parallelRounds < 1 {
		return errors.New("-runs, -parallel and -parallel-rounds must be positive")
	}
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run from the repository root (make bench)")
	}
	work, err := os.MkdirTemp("", "tokctl-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "bench: work directory", work)
	} else {
		defer os.RemoveAll(work)
	}

	bins, err := buildAll(work, o.ladder)
	if err != nil {
		return err
	}
	fake, err := startFake(bins["fakeprovider"], work)
	if err != nil {
		return err
	}
	defer fake.stop()

	b := &bench{opts: o, work: work, bins: bins, fake: fake.url, loadStart: loadAverage()}
	if err := b.prime(); err != nil {
		return err
	}
	b.defineCases()
	b.validate()
	b.measure()
	par := b.parallelColdStart()
	loop := b.refreshAheadLoop()
	b.report(os.Stdout, par)
	b.loopTable(os.Stdout, loop)
	return nil
}

// ---- building ----

// releaseTags are .goreleaser.yaml's build tags.
const releaseTags = "nethttpomithttp2"

type program struct {
	name, pkg string
	tags      []string // besides releaseTags
}

// programs are tokctl, the floors (all in bench/floor) and the fake provider.
var programs = []program{
	{"tokctl", "./cmd/tokctl", nil},
	{"hello", "./bench/floor/hello", nil},
	{"readnet", "./bench/floor/readnet", nil},
	{"keyring", "./bench/floor/keyring", nil},
	{"post", "./bench/floor/post", nil},
	{"fakeprovider", "./cmd/fakeprovider", nil},
}

// rung is one step of the ladder: readnet plus the libraries of every rung
// up to it (the build tags of bench/floor/stack).
type rung struct{ tag, adds string }

var rungs = []rung{
	{"ladder_cobra", "cobra, pflag (a `token get` command tree, executed)"},
	{"ladder_viper", "viper and its dependencies (linked, not set up)"},
	{"ladder_keyring", "go-keyring, godbus (linked, not called)"},
	{"ladder_server", "net/http's server, for the login's loopback listener (linked)"},
	{"ladder_rest", "fatih/color, pkg/browser, x/oauth2, x/term (linked)"},
}

// rungTags are the build tags of readnet with the first n rungs' libraries.
func rungTags(n int) []string {
	tags := []string{"stack"}
	for _, r := range rungs[:n] {
		tags = append(tags, r.tag)
	}
	return tags
}

// stackPrograms are the floors with all of tokctl's libraries linked (the
// stack floors) and, with the ladder, readnet's lower rungs: ladder-1 …
// ladder-N, where ladder-N is readnet's stack floor.
func stackPrograms(ladder bool) []program {
	all := rungTags(len(rungs))
	out := []program{
		{"keyring+stack", "./bench/floor/keyring", all},
		{"post+stack", "./bench/floor/post", all},
	}
	first := len(rungs)
	if ladder {
		first = 1
	}
	for i := first; i <= len(rungs); i++ {
		out = append(out, program{fmt.Sprintf("ladder-%d", i), "./bench/floor/readnet", rungTags(i)})
	}
	return out
}

func buildAll(work string, ladder bool) (map[string]string, error) {
	bins := map[string]string{}
	dir := filepath.Join(work, "bin")
	all := append(slices.Clip(programs), stackPrograms(ladder)...)
	for _, p := range all {
		out := filepath.Join(dir, p.name)
		fmt.Fprintf(os.Stderr, "bench: building %s %s\n", p.pkg, strings.Join(p.tags, " "))
		// The release build: see .goreleaser.yaml.
		// The floors are built the same way, HTTP/2 left out included, so that
		// the comparison is of programs, not of build flags.
		tags := strings.Join(append([]string{releaseTags}, p.tags...), ",")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -X main.version=bench", "-tags="+tags, "-o", out, p.pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go build %s: %w", p.pkg, err)
		}
		bins[p.name] = out
	}
	return bins, nil
}

// ---- the fake provider ----

type fakeProc struct {
	cmd *exec.Cmd
	url string
}

func startFake(bin, work string, args ...string) (*fakeProc, error) {
	dir, err := os.MkdirTemp(work, "fake-")
	if err != nil {
		return nil, err
	}
	addrFile := filepath.Join(dir, "fake.url")
	logf, err := os.Create(filepath.Join(dir, "fake.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-addr-file", addrFile}, args...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	for range 200 {
		if raw, err := os.ReadFile(addrFile); err == nil && len(raw) > 0 {
			return &fakeProc{cmd: cmd, url: strings.TrimSpace(string(raw))}, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, errors.New("the fake provider did not start; see fake.log (-keep)")
}

func (f *fakeProc) stop() {
	f.cmd.Process.Signal(syscall.SIGTERM)
	f.cmd.Wait()
}

// tokenRequests is the number of Tilia token requests the fake has seen.
func tokenRequests(fake string) (int, error) {
	resp, err := http.Get(fake + "/_fake/stats")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var counts map[string]int
	if err := json.NewDecoder(resp.Body).Decode(&counts); err != nil {
		return 0, err
	}
	return counts["tilia.token"], nil
}

// ---- cases ----

// Demo credentials of the fake provider (internal/fakeprovider/clients.go),
// taken from Tilia's own request sample.
const (
	tiliaClientID     = "3f2bfe5b-19b8-41c1-88d7-70a1586bce94"
	tiliaClientSecret = "9bc00ca4-937e-4946-bdb5-0814b603334d"
	tiliaScopes       = "write_registrations,user_info"
)

type target struct {
	ref   string // name of the case compared with
	ratio float64
}

type benchCase struct {
	name    string
	bin     string
	args    []string
	env     []string // added to the base environment
	prep    func()   // before every run, untimed
	targets []target
	skip    string
	rung    int    // 1… for the ladder's cases, reported in their own table
	stackOf string // for a stack floor: the floor it adds tokctl's libraries to

	times  []time.Duration
	rss    []int64 // peak RSS per run, KiB: VmHWM at exit (see rss.go)
	maxrss []int64 // ru_maxrss of the timed runs, KiB: the fallback
	fails  int
	err    string
}

type bench struct {
	opts  options
	work  string
	bins  map[string]string
	fake  string
	env   []string
	token string
	cases []*benchCase
	byKey map[string]*benchCase
	// rssErr is why peak RSS fell back to ru_maxrss ("" when it did not).
	rssErr string
	// loadStart is the load average before the first run.
	loadStart string
}

// baseEnv is the caller's environment without anything that could change
// what tokctl reads, plus a private home, config and state.
func (b *bench) baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TOKCTL_") || strings.HasPrefix(k, "XDG_CONFIG") || strings.HasPrefix(k, "XDG_STATE") ||
			k == "HOME" || k == "GODEBUG" || k == "GOGC" || k == "GOMAXPROCS" || k == "HTTPS_PROXY" || k == "https_proxy" {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+filepath.Join(b.work, "home"),
		"XDG_CONFIG_HOME="+filepath.Join(b.work, "config"),
		"XDG_STATE_HOME="+filepath.Join(b.work, "state"),
		"TOKCTL_STORE=file",
		"TOKCTL_TILIA_TOKEN_URL="+b.fake+"/tilia/token",
		"TOKCTL_TILIA_CLIENT_ID="+tiliaClientID,
		"TOKCTL_TILIA_CLIENT_SECRET="+tiliaClientSecret,
		"TOKCTL_TILIA_SCOPES="+tiliaScopes,
	)
}

// prime fetches the token that the cached cases then read.
func (b *bench) prime() error {
	b.env = b.baseEnv()
	out, errOut, err := capture(b.bins["tokctl"], []string{"token", "get", "tilia"}, b.env)
	if err != nil {
		return fmt.Errorf("tokctl token get tilia (priming the file store): %v: %s", err, errOut)
	}
	b.token = strings.TrimSpace(out)
	if b.token == "" {
		return errors.New("tokctl token get tilia printed no token")
	}
	return nil
}

// recordKey is the store key of the primed token (see store.RecordKey).
func (b *bench) recordKey() string {
	return store.RecordKey("tilia", b.fake+"/tilia/token", strings.Split(tiliaScopes, ","))
}

func (b *bench) recordFile() string {
	return filepath.Join(b.work, "state", "tokctl", b.recordKey()+".value")
}

func (b *bench) defineCases() {
	missState := filepath.Join(b.work, "state-miss")
	missWarm := filepath.Join(b.work, "state-miss-warm") // directories and lock file kept between runs
	kr := b.keyringSkip()
	b.cases = []*benchCase{
		{name: "hello world (floor)", bin: "hello"},
		{name: "readnet (floor)", bin: "readnet", args: []string{b.recordFile()}},
		{name: "one go-keyring Get (floor)", bin: "keyring", args: []string{"tokctl", b.recordKey()}, skip: kr},
		{name: "one HTTP POST (floor)", bin: "post", args: []string{b.fake + "/tilia/token"}},
		{name: "`token get` cached, file store", bin: "tokctl", args: []string{"token", "get", "tilia"},
			targets: []target{{"readnet (floor)", 1.2}, {"hello world (floor)", 2.0}}},
		{name: "`token get` cached, real keyring", bin: "tokctl", args: []string{"token", "get", "tilia"},
			env: []string{"TOKCTL_STORE=keyring", "XDG_STATE_HOME=" + filepath.Join(b.work, "state-keyring")}, skip: kr,
			targets: []target{{"one go-keyring Get (floor)", 1.15}}},
		{name: "`token get --no-cache` (fetch)", bin: "tokctl", args: []string{"token", "get", "tilia", "--no-cache"},
			targets: []target{{"one HTTP POST (floor)", 1.15}}},
		{name: "`token get`, store miss (lock, fetch, durable write)", bin: "tokctl", args: []string{"token", "get", "tilia"},
			env:     []string{"XDG_STATE_HOME=" + missWarm},
			prep:    func() { os.Remove(filepath.Join(missWarm, "tokctl", b.recordKey()+".value")) },
			targets: []target{{"one HTTP POST (floor)", 1.15}}},
		{name: "`token get`, first run (+ creating the state directories)", bin: "tokctl", args: []string{"token", "get", "tilia"},
			env: []string{"XDG_STATE_HOME=" + missState}, prep: func() { os.RemoveAll(missState) },
			targets: []target{{"one HTTP POST (floor)", 1.15}}},
		{name: "`tokctl --help`", bin: "tokctl", args: []string{"--help"},
			targets: []target{{"readnet (floor)", 1.15}}},
		{name: "`tokctl version`", bin: "tokctl", args: []string{"version"},
			targets: []target{{"readnet (floor)", 1.15}}},
		{name: "`tokctl decode TOKEN`", bin: "tokctl", args: []string{"decode", b.token},
			targets: []target{{"readnet (floor)", 1.15}}},
	}
	// The stack floors: each floor with all of tokctl's libraries linked.
	b.cases = append(b.cases,
		&benchCase{name: "readnet + tokctl's libraries (stack floor)", bin: fmt.Sprintf("ladder-%d", len(rungs)),
			args: []string{b.recordFile()}, stackOf: "readnet (floor)", rung: len(rungs)},
		&benchCase{name: "one go-keyring Get + tokctl's libraries (stack floor)", bin: "keyring+stack",
			args: []string{"tokctl", b.recordKey()}, stackOf: "one go-keyring Get (floor)", skip: kr},
		&benchCase{name: "one HTTP POST + tokctl's libraries (stack floor)", bin: "post+stack",
			args: []string{b.fake + "/tilia/token"}, stackOf: "one HTTP POST (floor)"},
	)
	if b.opts.ladder {
		for i, r := range rungs[:len(rungs)-1] {
			b.cases = append(b.cases, &benchCase{name: "+ " + r.adds, bin: fmt.Sprintf("ladder-%d", i+1),
				args: []string{b.recordFile()}, rung: i + 1})
		}
	}
	b.byKey = map[string]*benchCase{}
	for _, c := range b.cases {
		b.byKey[c.name] = c
	}
}

// keyringSkip says why the keyring cases cannot run, or "" when they can;
// when they can, it stores the token in the keyring for them.
func (b *bench) keyringSkip() string {
	if runtime.GOOS != "linux" {
		return "skipped: the keyring cases run on Linux only"
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return "skipped: no D-Bus session bus (run bench/run.sh with ../shared/ci/with-keyring.sh and gnome-keyring installed)"
	}
	env := withEnv(b.env, "TOKCTL_STORE=keyring", "XDG_STATE_HOME="+filepath.Join(b.work, "state-keyring"))
	_, errOut, err := capture(b.bins["tokctl"], []string{"token", "get", "tilia"}, env)
	if err != nil {
		return "skipped: tokctl could not use the keyring: " + firstLine(errOut)
	}
	if strings.Contains(errOut, "keyring unreachable") {
		return "skipped: no Secret Service answers (" + firstLine(errOut) + ")"
	}
	if _, errOut, err := capture(b.bins["keyring"], []string{"tokctl", b.recordKey()}, b.env); err != nil {
		return "skipped: go-keyring Get failed: " + firstLine(errOut)
	}
	return ""
}

// validate runs each case once with its output checked, so that timing
// never measures a failing command.
func (b *bench) validate() {
	for _, c := range b.cases {
		if c.skip != "" {
			continue
		}
		if c.prep != nil {
			c.prep()
		}
		out, errOut, err := capture(b.bins[c.bin], c.args, b.caseEnv(c))
		switch {
		case err != nil:
			c.err = fmt.Sprintf("%v: %s", err, firstLine(errOut))
		case strings.TrimSpace(errOut) != "":
			// tokctl writes to stderr only to warn; a warning means the case
			// is not measuring what it says (e.g. a keyring fallback).
			c.err = "unexpected stderr: " + firstLine(errOut)
		case strings.HasPrefix(c.name, "`token get") && strings.TrimSpace(out) == "":
			c.err = "no token printed"
		}
		if c.err != "" {
			fmt.Fprintf(os.Stderr, "bench: %s: %s\n", c.name, c.err)
		}
	}
}

func (b *bench) caseEnv(c *benchCase) []string {
	return withEnv(b.env, c.env...)
}

// withEnv returns env with the KEY=value entries of set replacing any of
// the same key: the benchmark starts processes with syscall.ForkExec, and a
// Go child reads the first of duplicate entries.
func withEnv(env []string, set ...string) []string {
	if len(set) == 0 {
		return env
	}
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(set, func(s string) bool { return strings.HasPrefix(s, k+"=") }) {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}

// measure runs warm-up rounds, then the timed rounds: one run of every case
// per round, starting each round at the next case, so that drift (CPU
// frequency, caches, other load) spreads evenly over the cases.
func (b *bench) measure() {
	var active []*benchCase
	for _, c := range b.cases {
		if c.skip == "" && c.err == "" {
			active = append(active, c)
		}
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		panic(err)
	}
	defer null.Close()
	total := b.opts.warmup + b.opts.runs
	rng := rand.New(rand.NewPCG(b.opts.seed, 0))
	for round := range total {
		if round == b.opts.warmup {
			fmt.Fprintf(os.Stderr, "bench: %d timed rounds of %d cases\n", b.opts.runs, len(active))
		}
		// A new random order every round: in a fixed (or rotated) order each
		// case always follows the same one, and a case that leaves work
		// behind (the fake provider answering, the keyring daemon) would
		// always slow the same neighbour.
		for _, i := range rng.Perm(len(active)) {
			c := active[i]
			if b.opts.pause > 0 {
				time.Sleep(b.opts.pause)
			}
			if c.prep != nil {
				c.prep()
			}
			d, ru, status, err := spawn(b.bins[c.bin], c.args, b.caseEnv(c), null, null)
			if err != nil || status != 0 {
				c.fails++
				continue
			}
			if round >= b.opts.warmup {
				c.times = append(c.times, d)
				c.maxrss = append(c.maxrss, ru.Maxrss)
			}
		}
	}
	b.measureRSS(active, null)
}

// measureRSS runs every case a few more times, traced, for its peak RSS.
func (b *bench) measureRSS(active []*benchCase, null *os.File) {
	for range b.opts.rssRuns {
		for _, c := range active {
			if c.prep != nil {
				c.prep()
			}
			kib, err := peakRSS(b.bins[c.bin], c.args, b.caseEnv(c), null)
			if err != nil {
				if b.rssErr == "" {
					b.rssErr = err.Error()
					fmt.Fprintf(os.Stderr, "bench: peak RSS under ptrace failed (%v); reporting ru_maxrss\n", err)
				}
				continue
			}
			c.rss = append(c.rss, kib)
		}
	}
}

// peak is a case's peak RSS in KiB and whether it is the exact VmHWM.
func (b *bench) peak(c *benchCase) (int64, bool) {
	if b.rssErr == "" && len(c.rss) > 0 {
		return slices.Max(c.rss), true
	}
	if len(c.maxrss) > 0 {
		return slices.Max(c.maxrss), false
	}
	return 0, false
}

// ---- the parallel cold start ----

type parallelResult struct {
	n        int
	times    []time.Duration
	requests []int
	problems []string
}

// parallelColdStart starts n `token get` at once on an empty file store,
// several rounds, and counts the token requests each round caused.
func (b *bench) parallelColdStart() *parallelResult {
	r := &parallelResult{n: b.opts.parallel}
	fmt.Fprintf(os.Stderr, "bench: %d rounds of %d parallel cold starts\n", b.opts.parallelRounds, r.n)
	for round := range b.opts.parallelRounds {
		state := filepath.Join(b.work, fmt.Sprintf("state-parallel-%d", round))
		env := withEnv(b.env, "XDG_STATE_HOME="+state)
		before, err := tokenRequests(b.fake)
		if err != nil {
			r.problems = append(r.problems, "stats: "+err.Error())
			return r
		}
		d, outs, fails := b.parallelRound(env)
		after, err := tokenRequests(b.fake)
		if err != nil {
			r.problems = append(r.problems, "stats: "+err.Error())
			return r
		}
		r.times = append(r.times, d)
		r.requests = append(r.requests, after-before)
		if fails > 0 {
			r.problems = append(r.problems, fmt.Sprintf("round %d: %d of %d failed", round+1, fails, r.n))
		}
		if distinct := len(uniq(outs)); distinct != 1 {
			r.problems = append(r.problems, fmt.Sprintf("round %d: %d different tokens printed", round+1, distinct))
		}
	}
	return r
}

func (b *bench) parallelRound(env []string) (time.Duration, []string, int) {
	dir, err := os.MkdirTemp(b.work, "parallel-out-")
	if err != nil {
		panic(err)
	}
	null, _ := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	defer null.Close()
	var files []*os.File
	var pids []int
	fails := 0
	start := time.Now()
	for i := range b.opts.parallel {
		f, err := os.Create(filepath.Join(dir, fmt.Sprint(i)))
		if err != nil {
			panic(err)
		}
		files = append(files, f)
		pid, err := forkExec(b.bins["tokctl"], []string{"token", "get", "tilia"}, env, null, f, null)
		if err != nil {
			fails++
			continue
		}
		pids = append(pids, pid)
	}
	for _, pid := range pids {
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil || ws.ExitStatus() != 0 {
			fails++
		}
	}
	d := time.Since(start)
	var outs []string
	for _, f := range files {
		f.Close()
		raw, _ := os.ReadFile(f.Name())
		outs = append(outs, strings.TrimSpace(string(raw)))
	}
	return d, outs, fails
}

// ---- processes ----

// spawn runs bin once and returns its wall time, measured around fork/exec
// and wait4, and its resource usage (Maxrss: peak RSS in KiB). stdout, opened
// read-write on /dev/null, is also its stdin.
func spawn(bin string, args, env []string, stdout, stderr *os.File) (time.Duration, *syscall.Rusage, int, error) {
	start := time.Now()
	pid, err := forkExec(bin, args, env, stdout, stdout, stderr)
	if err != nil {
		return 0, nil, -1, err
	}
	var ws syscall.WaitStatus
	var ru syscall.Rusage
	if _, err := syscall.Wait4(pid, &ws, 0, &ru); err != nil {
		return 0, nil, -1, err
	}
	return time.Since(start), &ru, ws.ExitStatus(), nil
}

// forkExec starts bin with the given standard streams.
func forkExec(bin string, args, env []string, stdin, stdout, stderr *os.File) (int, error) {
	return syscall.ForkExec(bin, append([]string{bin}, args...), &syscall.ProcAttr{
		Env:   env,
		Files: []uintptr{stdin.Fd(), stdout.Fd(), stderr.Fd()},
	})
}

// capture runs bin once and returns its stdout and stderr.
func capture(bin string, args, env []string) (string, string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// ---- helpers ----

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func uniq(ss []string) []string {
	s := slices.Clone(ss)
	slices.Sort(s)
	return slices.Compact(s)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
