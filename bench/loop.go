//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The refresh-ahead loop: a script calling `token get` in a loop, across
// several token lifetimes, against a provider that answers after a delay
// (-loop-delay, 200ms). Without refresh-ahead, one call per token lifetime
// waits for the network; with it, only the very first call should: the
// others find the token a detached background refresh renewed while it was
// in the last quarter of its life. A call "waited on the network" when it
// took at least the provider's delay (a cached call takes milliseconds).

// loopResult is one mode's loop.
type loopResult struct {
	mode     string
	calls    []time.Duration
	waited   []int // indexes of the calls that waited on the network
	requests int   // token requests the provider saw, background ones included
	fails    int
	problem  string
}

// loopModes are the loop's two runs: refresh-ahead on (the default) and off.
var loopModes = []struct {
	name string
	env  []string
}{
	{"refresh-ahead on (default)", nil},
	{"refresh-ahead off (TOKCTL_REFRESH_AHEAD=false)", []string{"TOKCTL_REFRESH_AHEAD=false"}},
}

// refreshAheadLoop runs the loop in each mode against a fake provider of
// its own, whose tokens live -loop-ttl.
func (b *bench) refreshAheadLoop() []*loopResult {
	var out []*loopResult
	if b.opts.loopTTL <= 0 {
		return nil
	}
	fake, err := startFake(b.bins["fakeprovider"], b.work, "-ttl", b.opts.loopTTL.String())
	if err != nil {
		return []*loopResult{{mode: "all", problem: err.Error()}}
	}
	defer fake.stop()
	if err := injectDelay(fake.url, b.opts.loopDelay); err != nil {
		return []*loopResult{{mode: "all", problem: err.Error()}}
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		panic(err)
	}
	defer null.Close()
	// --min-ttl below a quarter of the lifetime leaves a window in which
	// the token is served and refreshed ahead.
	minTTL := b.opts.loopTTL / 8
	for i, m := range loopModes {
		fmt.Fprintf(os.Stderr, "bench: refresh-ahead loop, %s: %v of `token get` every %v, tokens living %v, provider delay %v\n",
			m.name, b.opts.loopDuration, b.opts.loopPause, b.opts.loopTTL, b.opts.loopDelay)
		r := &loopResult{mode: m.name}
		env := withEnv(b.env, append([]string{
			"XDG_STATE_HOME=" + filepath.Join(b.work, fmt.Sprintf("state-loop-%d", i)),
			"TOKCTL_TILIA_TOKEN_URL=" + fake.url + "/tilia/token",
		}, m.env...)...)
		before, err := tokenRequests(fake.url)
		if err != nil {
			r.problem = err.Error()
			out = append(out, r)
			continue
		}
		args := []string{"token", "get", "tilia", "--min-ttl", minTTL.String()}
		for end := time.Now().Add(b.opts.loopDuration); time.Now().Before(end); {
			d, _, status, err := spawn(b.bins["tokctl"], args, env, null, null)
			if err != nil || status != 0 {
				r.fails++
			} else {
				if d >= b.opts.loopDelay {
					r.waited = append(r.waited, len(r.calls))
				}
				r.calls = append(r.calls, d)
			}
			time.Sleep(b.opts.loopPause)
		}
		// A background refresh started by one of the last calls may still
		// be running: its request is counted when it arrives.
		time.Sleep(2 * b.opts.loopDelay)
		after, err := tokenRequests(fake.url)
		if err != nil {
			r.problem = err.Error()
		}
		r.requests = after - before
		out = append(out, r)
	}
	return out
}

// injectDelay makes the fake's Tilia token route answer after d.
func injectDelay(fake string, d time.Duration) error {
	body := fmt.Sprintf(`{"route":"tilia.token","delay":%q}`, d.String())
	resp, err := http.Post(fake+"/_fake/fault", "application/json", bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("injecting the delay: %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}

// loopTable reports the loop: the share of calls that waited on the
// network (goal with refresh-ahead: the first only) and the percentiles.
func (b *bench) loopTable(w io.Writer, results []*loopResult) {
	if len(results) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Refresh-ahead loop: `token get tilia --min-ttl %v` every %v for %v against a provider answering after %v, tokens living %v (%.0f lifetimes).\n\n",
		b.opts.loopTTL/8, b.opts.loopPause, b.opts.loopDuration, b.opts.loopDelay, b.opts.loopTTL, float64(b.opts.loopDuration)/float64(b.opts.loopTTL))
	fmt.Fprintln(w, "| mode | calls | waited on the network | which | p50 | p99 | max | token requests | target | result |")
	fmt.Fprintln(w, "|---|---:|---:|---|---:|---:|---:|---:|---|---|")
	for _, r := range results {
		if r.problem != "" && len(r.calls) == 0 {
			fmt.Fprintf(w, "| %s | — | — | — | — | — | — | — | — | ERROR: %s |\n", r.mode, escape(r.problem))
			continue
		}
		target, result := "—", "—"
		if strings.HasPrefix(r.mode, "refresh-ahead on") {
			target = "the first call only"
			ok := len(r.waited) == 1 && r.waited[0] == 0 && r.fails == 0
			result = verdict(ok)
		}
		if r.fails > 0 {
			result += fmt.Sprintf(" (%d failed)", r.fails)
		}
		fmt.Fprintf(w, "| %s | %d | %d (%.1f%%) | %s | %s | %s | %s | %d | %s | %s |\n", r.mode, len(r.calls), len(r.waited),
			100*float64(len(r.waited))/float64(max(1, len(r.calls))), which(r.waited), ms(percentile(r.calls, 50)),
			ms(percentile(r.calls, 99)), ms(slices.Max(r.calls)), r.requests, target, result)
	}
}

// which lists the first few indexes (1-based call numbers).
func which(idx []int) string {
	if len(idx) == 0 {
		return "none"
	}
	var parts []string
	for i, n := range idx {
		if i == 6 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("#%d", n+1))
	}
	return strings.Join(parts, ", ")
}

// percentile is the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}
