package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/fakeprovider"
)

// parallel runs tokctl n times at once, run i with env(i) and args(i).
func (h *harness) parallel(n int, env func(i int) []string, args func(i int) []string) []result {
	h.t.Helper()
	results := make([]result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = h.exec(env(i), "", args(i)...) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			h.t.Fatal(err)
		}
	}
	return results
}

// sameToken checks that every run succeeded quietly and printed one token,
// the same everywhere, and returns it.
func sameToken(t *testing.T, results []result) string {
	t.Helper()
	tokens := map[string]int{}
	for _, r := range results {
		if r.code != 0 || r.stderr != "" || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("run failed or spoke\n%s", r)
		}
		tokens[r.stdout]++
	}
	if len(tokens) != 1 {
		t.Errorf("%d runs printed %d different tokens", len(results), len(tokens))
	}
	for tok := range tokens {
		return strings.TrimSpace(tok)
	}
	return ""
}

// TestStampede: 20 parallel `token get` on an empty store cause exactly one
// token request, for every client-credentials provider, and all print the
// same token. The token route answers after 300ms, so the other 19 are
// started while the first fetch is in flight and must wait for it.
func TestStampede(t *testing.T) {
	for _, p := range providers() {
		t.Run(p.name, func(t *testing.T) {
			h := newHarness(t)
			h.inject(p.route, fakeprovider.Fault{Delay: 300 * time.Millisecond})
			results := h.parallel(20, func(int) []string { return p.env(h.fake.URL()) },
				func(int) []string { return []string{"token", "get", p.name} })
			tok := sameToken(t, results)
			if got := h.fake.Count(p.route); got != 1 {
				t.Errorf("20 parallel token gets caused %d token requests, want 1", got)
			}
			t.Logf("%s: 20 processes, %d token request", p.name, h.fake.Count(p.route))
			if rec, err := h.load(p.name); err != nil || rec.AccessToken != tok {
				t.Errorf("stored record %v, %v does not hold the printed token", rec, err)
			}
		})
	}
}

// TestStampedeScopeSets: 20 parallel `token get` on an empty store, half of
// them for one scope set and half for another, cause one token request per
// set: the lock is the provider's, and the second look under it finds the
// record of its own set.
func TestStampedeScopeSets(t *testing.T) {
	h := newHarness(t)
	p := provider("tilia")
	h.inject(p.route, fakeprovider.Fault{Delay: 300 * time.Millisecond})
	sets := []string{"user_info", "read_kycs,read_invoices"}
	results := h.parallel(20, func(int) []string { return p.env(h.fake.URL()) },
		func(i int) []string { return []string{"token", "get", p.name, "--scope", sets[i%2]} })
	var even, odd []result
	for i, r := range results {
		if i%2 == 0 {
			even = append(even, r)
		} else {
			odd = append(odd, r)
		}
	}
	if a, b := sameToken(t, even), sameToken(t, odd); a == b {
		t.Error("two scope sets were given the same token")
	}
	if got := h.fake.Count(p.route); got != 2 {
		t.Errorf("20 parallel token gets for 2 scope sets caused %d token requests, want 2", got)
	}
	if recs, err := storedRecords(h.file(), p.name); err != nil || len(recs) != 2 {
		t.Errorf("stored records: %d, %v; want 2", len(recs), err)
	}
}

// TestRefreshStampede: 20 parallel `token get` with an expired token and a
// rotating refresh token spend the refresh token once: one refresh request,
// no invalid_grant, the same new token everywhere, and the rotated refresh
// token stored.
func TestRefreshStampede(t *testing.T) {
	for _, p := range providers() {
		if p.kind == "tilia" || p.kind == "ils" { // no refresh tokens
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			h := newHarness(t)
			rt, err := h.fake.IssueRefreshToken(p.fakeName(), p.id, p.scopes)
			if err != nil {
				t.Fatal(err)
			}
			old := expiredRecord(p, h.fake.URL())
			old.RefreshToken = rt
			h.save(old)
			h.inject(p.route, fakeprovider.Fault{Delay: 300 * time.Millisecond})
			results := h.parallel(20, func(int) []string { return p.env(h.fake.URL()) },
				func(int) []string { return []string{"token", "get", p.name} })
			tok := sameToken(t, results)
			if got := h.fake.Count(p.route); got != 1 {
				t.Errorf("20 parallel token gets caused %d refresh requests, want 1", got)
			}
			rec, err := h.load(p.name)
			if err != nil || rec.AccessToken != tok || rec.RefreshToken == "" || rec.RefreshToken == rt {
				t.Errorf("stored record %+v, %v: want the printed token and a rotated refresh token", rec, err)
			}
		})
	}
}

// TestDifferentProvidersInParallel: 20 processes for 20 different provider
// instances (four of each kind) do not wait for each other. Every token
// request takes 500ms, so taking turns would need 10s.
func TestDifferentProvidersInParallel(t *testing.T) {
	h := newHarness(t)
	ps := providers()
	for _, p := range ps {
		h.inject(p.route, fakeprovider.Fault{Delay: 500 * time.Millisecond})
	}
	name := func(i int) string { return fmt.Sprintf("%s-%d", ps[i%len(ps)].kind, i) }
	begin := time.Now()
	results := h.parallel(20, func(i int) []string { return ps[i%len(ps)].environ(name(i), h.fake.URL()) },
		func(i int) []string { return []string{"token", "get", name(i)} })
	took := time.Since(begin)
	for i, r := range results {
		if r.code != 0 || r.stderr != "" || r.stdout == "" {
			t.Errorf("run %d failed\n%s", i, r)
		}
	}
	for _, p := range ps {
		if got := h.fake.Count(p.route); got != 4 {
			t.Errorf("%s: %d requests, want 4", p.route, got)
		}
	}
	if took > 5*time.Second {
		t.Errorf("20 processes for different providers took %v: they waited for each other", took)
	}
	t.Logf("20 providers, 500ms each, in %v", took.Round(time.Millisecond))
}

// TestKilledLockHolder: a process killed while it holds the provider's lock
// (in the middle of a token request) does not block the next one.
func TestKilledLockHolder(t *testing.T) {
	h := newHarness(t)
	p := provider("ils")
	env := p.env(h.fake.URL())
	h.inject(p.route, fakeprovider.Fault{Action: fakeprovider.FaultHang})
	holder, _, _ := h.command(context.Background(), env, "", "token", "get", p.name)
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	waitFor(t, func() bool { return h.fake.Count(p.route) == 1 }, "the first process's token request")

	// While the holder lives, the lock is real: another process waits, and
	// gives up at its --timeout without sending a request.
	r := h.run(env, "token", "get", p.name, "--timeout", "700ms")
	if r.code != 5 || !strings.Contains(r.stderr, "waiting for another tokctl") || h.fake.Count(p.route) != 1 {
		t.Fatalf("a second process did not wait for the lock\n%s", r)
	}

	if err := holder.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = holder.Wait()
	h.fake.ClearFaults(p.route)
	r = h.run(env, "token", "get", p.name)
	if r.code != 0 || r.took > 2*time.Second {
		t.Fatalf("after the holder was killed\n%s", r)
	}
	if got := h.fake.Count(p.route); got != 2 {
		t.Errorf("the fake saw %d requests, want 2", got)
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
