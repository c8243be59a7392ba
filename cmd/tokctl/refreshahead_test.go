//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/store"
)

// Refresh-ahead: a `token get` serving a token in the last quarter of its
// life prints it at once and starts one detached background refresh.
//
// The background refresh is a process of its own that outlives the
// `token get` that started it. To know when it has ended (an event, not a
// guess), the test process makes itself the reaper of orphaned
// descendants (Linux's PR_SET_CHILD_SUBREAPER): the detached refresh is
// then its child once `token get` exits, and waitBackground waits for it.

// adoptOrphans makes this process the parent of the processes tokctl
// detaches.
func adoptOrphans(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("waiting for detached processes needs PR_SET_CHILD_SUBREAPER (Linux)")
	}
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Skipf("prctl(PR_SET_CHILD_SUBREAPER): %v", errno)
	}
}

// waitBackground waits until every adopted process has exited and returns
// how many there were. Call it when no tokctl the test started itself is
// running.
func waitBackground(t *testing.T) int {
	t.Helper()
	done := make(chan int, 1)
	go func() {
		n := 0
		for {
			var ws syscall.WaitStatus
			_, err := syscall.Wait4(-1, &ws, 0, nil)
			switch {
			case errors.Is(err, syscall.EINTR):
				continue
			case err != nil: // ECHILD: none left
				done <- n
				return
			}
			n++
		}
	}()
	select {
	case n := <-done:
		return n
	case <-time.After(30 * time.Second):
		t.Fatal("a background refresh did not end within 30s")
		return 0
	}
}

// lastQuarterRecord is a complete record for p with 10 of its 60 minutes
// left: in the last quarter of its life, well above the default --min-ttl.
func lastQuarterRecord(p prov, base string) *store.Record {
	rec := expiredRecord(p, base)
	now := time.Now().UTC().Truncate(time.Second)
	rec.ObtainedAt, rec.Expiry = now.Add(-50*time.Minute), now.Add(10*time.Minute)
	rec.AccessToken = "aging-access-token-" + p.name + "-0123456789"
	return rec
}

func TestRefreshAhead(t *testing.T) {
	adoptOrphans(t)
	p := provider("tilia")
	for _, tt := range []struct {
		name string
		env  []string
		args []string
		// refreshed: a background refresh renews the record; else nothing
		// runs in the background.
		refreshed bool
		requests  int // in the foreground
	}{
		{name: "on", refreshed: true},
		{name: "TOKCTL_REFRESH_AHEAD=false", env: []string{"TOKCTL_REFRESH_AHEAD=false"}},
		{name: "refresh_ahead false in the config file", env: []string{"TOKCTL_CONFIG=off.yaml"}},
		{name: "--no-cache", args: []string{"--no-cache"}, requests: 1},
		{name: "none store", env: []string{"TOKCTL_STORE=none"}, requests: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if err := os.WriteFile(filepath.Join(h.home, "off.yaml"), []byte("refresh_ahead: false\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			aging := lastQuarterRecord(p, h.fake.URL())
			h.save(aging)
			env := append(p.env(h.fake.URL()), tt.env...)
			r := h.run(env, append([]string{"token", "get", p.name}, tt.args...)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("token get failed\n%s", r)
			}
			if tt.requests == 0 && r.stdout != aging.AccessToken+"\n" {
				t.Fatalf("the stored token was not served at once\n%s", r)
			}
			background := waitBackground(t)
			rec, err := h.load(p.name)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.refreshed {
				if background != 0 || h.fake.Count(p.route) != tt.requests || rec.AccessToken != aging.AccessToken {
					t.Fatalf("%d background processes, %d token requests, stored %q: want none, %d, the aging token",
						background, h.fake.Count(p.route), rec.AccessToken, tt.requests)
				}
				return
			}
			if background != 1 || h.fake.Count(p.route) != 1 {
				t.Fatalf("%d background processes, %d token requests; want 1 and 1", background, h.fake.Count(p.route))
			}
			if rec.AccessToken == aging.AccessToken || !rec.ObtainedAt.After(aging.ObtainedAt) || rec.Expiry.Sub(time.Now()) < 50*time.Minute {
				t.Fatalf("the background refresh stored %+v", rec)
			}
			// The next call gets the new token without a request.
			r = h.run(env, "token", "get", p.name)
			if r.code != 0 || r.stdout != rec.AccessToken+"\n" || h.fake.Count(p.route) != 1 || waitBackground(t) != 0 {
				t.Fatalf("after the background refresh\n%s\n%d requests", r, h.fake.Count(p.route))
			}
		})
	}
}

// TestRefreshAheadDoesNotHoldTheCaller: `$(tokctl token get …)` returns
// with the token while the background refresh still waits for the
// provider: it holds neither stdout nor stderr.
func TestRefreshAheadDoesNotHoldTheCaller(t *testing.T) {
	adoptOrphans(t)
	h := newHarness(t)
	p := provider("tilia")
	aging := lastQuarterRecord(p, h.fake.URL())
	h.save(aging)
	before := h.recordBytes(p)
	h.inject(p.route, fakeprovider.Fault{Action: fakeprovider.FaultHang})
	r := h.run(p.env(h.fake.URL()), "token", "get", p.name) // pipes for stdout and stderr
	if r.code != 0 || r.stdout != aging.AccessToken+"\n" || r.stderr != "" {
		t.Fatalf("token get\n%s", r)
	}
	waitFor(t, func() bool { return h.fake.Count(p.route) == 1 }, "the background refresh's request")
	// The provider never answers; when it goes away, the refresh fails and
	// leaves the record as it was.
	_ = h.fake.Close()
	if n := waitBackground(t); n != 1 {
		t.Errorf("%d background processes, want 1", n)
	}
	if h.recordBytes(p) != before {
		t.Error("a failed background refresh changed the record")
	}
}

// TestRefreshAheadFailure: a background refresh the provider refuses
// changes nothing; the foreground renews the token when it is really due.
func TestRefreshAheadFailure(t *testing.T) {
	adoptOrphans(t)
	h := newHarness(t)
	p := provider("tilia")
	env := p.env(h.fake.URL())
	aging := lastQuarterRecord(p, h.fake.URL())
	h.save(aging)
	before := h.recordBytes(p)
	h.inject(p.route, fakeprovider.Fault{Action: fakeprovider.FaultRespond, Status: 401, Body: p.rejected})
	for range 2 {
		r := h.run(env, "token", "get", p.name)
		if r.code != 0 || r.stdout != aging.AccessToken+"\n" || r.stderr != "" {
			t.Fatalf("token get with a failing background refresh\n%s", r)
		}
		if n := waitBackground(t); n != 1 {
			t.Fatalf("%d background processes, want 1", n)
		}
		if h.recordBytes(p) != before {
			t.Fatal("a failed background refresh changed the record")
		}
	}
	if got := h.fake.Count(p.route); got != 2 {
		t.Errorf("%d token requests, want 2 (one per background refresh)", got)
	}
	// Due: 30s left, under --min-ttl. The foreground renews it.
	h.fake.ClearFaults(p.route)
	due := lastQuarterRecord(p, h.fake.URL())
	due.Expiry = time.Now().Add(30 * time.Second)
	h.save(due)
	r := h.run(env, "token", "get", p.name)
	rec, err := h.load(p.name)
	if r.code != 0 || err != nil || r.stdout != rec.AccessToken+"\n" || rec.AccessToken == due.AccessToken {
		t.Fatalf("a due token was not renewed in the foreground\n%s\nstored %+v, %v", r, rec, err)
	}
	if n := waitBackground(t); n != 0 || h.fake.Count(p.route) != 3 {
		t.Errorf("%d background processes and %d token requests, want 0 and 3", n, h.fake.Count(p.route))
	}
}

// TestRefreshAheadParallel: 10 parallel `token get` in the last quarter all
// print the stored token at once, and the provider sees one request: the
// background refreshes take the provider's lock and look again.
func TestRefreshAheadParallel(t *testing.T) {
	adoptOrphans(t)
	h := newHarness(t)
	p := provider("tilia")
	aging := lastQuarterRecord(p, h.fake.URL())
	h.save(aging)
	h.inject(p.route, fakeprovider.Fault{Delay: 300 * time.Millisecond})
	results := h.parallel(10, func(int) []string { return p.env(h.fake.URL()) },
		func(int) []string { return []string{"token", "get", p.name} })
	if tok := sameToken(t, results); tok != aging.AccessToken {
		t.Errorf("printed %q, want the stored token", tok)
	}
	n := waitBackground(t)
	if n < 1 {
		t.Fatal("no background refresh started")
	}
	if got := h.fake.Count(p.route); got != 1 {
		t.Errorf("%d background refreshes made %d token requests, want 1", n, got)
	}
	if rec, err := h.load(p.name); err != nil || rec.AccessToken == aging.AccessToken {
		t.Errorf("stored %+v, %v: want a renewed token", rec, err)
	}
	t.Logf("10 processes in the last quarter: %d background refreshes, %d token request", n, h.fake.Count(p.route))
}

// TestExecRefreshAhead: `tokctl exec` serves a token in the last quarter of
// its life at once, like token get, and starts one background refresh that
// renews the record; CMD runs once, with the token it was served. (Here,
// after the other refresh-ahead tests: from adoptOrphans on, every process
// an earlier test detaches would be counted as theirs.)
func TestExecRefreshAhead(t *testing.T) {
	adoptOrphans(t)
	h := newHarness(t)
	p := provider("tilia")
	aging := lastQuarterRecord(p, h.fake.URL())
	h.save(aging)
	runs := filepath.Join(h.home, "runs")
	r := h.run(p.env(h.fake.URL()), "exec", p.name, "--", "sh", "-c", `execchild printenv TOKCTL_ACCESS_TOKEN && execchild append "$0"`, runs)
	if r.code != 0 || r.stdout != aging.AccessToken+"\n" || r.stderr != "" {
		t.Fatalf("CMD did not run with the stored token\n%s", r)
	}
	waitBackground(t) // the refresh has ended, whoever reaped it
	if b, err := os.ReadFile(runs); err != nil || string(b) != "ran\n" {
		t.Errorf("CMD's runs: %q, %v; want exactly one (the background refresh never runs CMD)", b, err)
	}
	rec, err := h.load(p.name)
	if err != nil {
		t.Fatal(err)
	}
	if h.fake.Count(p.route) != 1 || rec.AccessToken == aging.AccessToken {
		t.Fatalf("%d token requests, stored %q: want 1 and a new token", h.fake.Count(p.route), rec.AccessToken)
	}
}
