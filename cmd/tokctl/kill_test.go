package main

import (
	"context"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/store"
)

// killRound starts tokctl, SIGKILLs it after a random pause of up to
// maxPause (unless it is done by then) and reports its exit code (-1: killed).
func (h *harness) killRound(env []string, maxPause time.Duration, args ...string) (code int, stderr string) {
	h.t.Helper()
	cmd, _, errBuf := h.command(context.Background(), env, "", args...)
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(rand.N(maxPause)):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err = <-done
	}
	var ee interface{ ExitCode() int }
	if errors.As(err, &ee) {
		return ee.ExitCode(), errBuf.String()
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return 0, errBuf.String()
}

// recordBytes is the raw record of p's token request, or "" when there is
// none.
func (h *harness) recordBytes(p prov) string {
	h.t.Helper()
	b, err := os.ReadFile(h.recordFile(p))
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// checkComplete asserts that the store holds the record it held before, or
// a complete new one, and reports which.
func (h *harness) checkComplete(round int, p prov, before string) (changed bool) {
	h.t.Helper()
	name := p.name
	after := h.recordBytes(p)
	if after == before {
		return false
	}
	if after == "" {
		h.t.Fatalf("round %d: the record is gone", round)
	}
	rec, err := h.load(name)
	if err != nil {
		h.t.Fatalf("round %d: the record is torn: %v\n%q", round, err, after)
	}
	if !rec.Expiry.After(time.Now()) || rec.ObtainedAt.IsZero() {
		h.t.Fatalf("round %d: the new record is incomplete: %+v", round, rec)
	}
	return true
}

// tempFiles lists leftovers of interrupted atomic writes.
func (h *harness) tempFiles() []string {
	h.t.Helper()
	m, err := filepath.Glob(filepath.Join(h.storeDir(), ".tmp-*"))
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

// TestKillDuringFetch SIGKILLs `token get` at random moments of a fetch (the
// token route answers after 0-50ms) for 50 rounds: after each, the store
// holds the previous record or a complete new one, never a torn or empty one.
func TestKillDuringFetch(t *testing.T) {
	h := newHarness(t)
	p := provider("ils")
	env := p.env(h.fake.URL())
	h.inject(p.route, fakeprovider.Fault{DelayJitter: 50 * time.Millisecond})
	// --min-ttl beyond the token's 2h lifetime: every round fetches and writes.
	args := []string{"token", "get", p.name, "--min-ttl", "3h"}
	pause := 2 * h.run(env, args...).took // kill anywhere in a whole run, or not at all
	var killed, replaced int
	for round := range 50 {
		before := h.recordBytes(p)
		code, stderr := h.killRound(env, pause, args...)
		switch code {
		case -1:
			killed++
		case 0:
		default:
			t.Fatalf("round %d: exit %d: %s", round, code, stderr)
		}
		if h.checkComplete(round, p, before) {
			replaced++
		}
	}
	t.Logf("kills within %v; 50 rounds: %d killed, %d replaced the record, %d requests; %d temp files left", pause.Round(time.Millisecond), killed, replaced, h.fake.Count(p.route), len(h.tempFiles()))
	if killed == 0 || killed == 50 {
		t.Errorf("%d of 50 rounds were killed: the pauses miss the fetch", killed)
	}
}

// TestKillDuringRefresh does the same while refreshing with a rotating
// refresh token. A kill after the provider rotated the refresh token but
// before tokctl stored the new one leaves the old, now spent, refresh token:
// the next run must then fail cleanly (exit 3, login required) and leave
// the record alone; the test logs in again (mints a new refresh token) and
// goes on.
func TestKillDuringRefresh(t *testing.T) {
	h := newHarness(t)
	p := provider("tiki")
	env := p.env(h.fake.URL())
	seed := func() {
		rt, err := h.fake.IssueRefreshToken(p.fakeName(), p.id, p.scopes)
		if err != nil {
			t.Fatal(err)
		}
		rec := expiredRecord(p, h.fake.URL())
		rec.RefreshToken = rt
		h.save(rec)
	}
	seed()
	h.inject(p.route, fakeprovider.Fault{DelayJitter: 50 * time.Millisecond})
	args := []string{"token", "get", p.name, "--min-ttl", "2h"} // the token lives 1h: every round refreshes
	pause := 2 * h.run(env, args...).took
	var killed, lost int
	for round := range 40 {
		before := h.recordBytes(p)
		code, stderr := h.killRound(env, pause, args...)
		switch code {
		case -1:
			killed++
		case 0:
		case 3:
			if !strings.Contains(stderr, "the refresh token was rejected (invalid_grant") {
				t.Fatalf("round %d: exit 3 for another reason: %s", round, stderr)
			}
		default:
			t.Fatalf("round %d: exit %d: %s", round, code, stderr)
		}
		changed := h.checkComplete(round, p, before)
		if code == 3 {
			if changed {
				t.Fatalf("round %d: a rejected refresh changed the record", round)
			}
			lost++
			seed()
		}
		rec, err := h.load(p.name)
		if err != nil || rec.RefreshToken == "" {
			t.Fatalf("round %d: stored record %+v, %v has no refresh token", round, rec, err)
		}
	}
	t.Logf("kills within %v; 40 rounds: %d killed, %d refresh tokens spent by a killed process (next run: exit 3, login required); %d temp files left", pause.Round(time.Millisecond), killed, lost, len(h.tempFiles()))
}

// TestCorruptRecordReplaced: a record that cannot be read is reported in one
// warning and replaced by a fresh fetch, exit 0.
func TestCorruptRecordReplaced(t *testing.T) {
	for name, content := range map[string]string{
		"torn":          `{"v":1,"provider":"ils","access_tok`,
		"empty":         ``,
		"null":          `null`,
		"not json":      "\x00\x01garbage",
		"other version": `{"v":99,"provider":"ils","endpoint":"x","access_token":"y"}`,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			p := provider("ils")
			if err := os.MkdirAll(h.storeDir(), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(h.recordFile(p), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			r := h.run(p.env(h.fake.URL()), "token", "get", p.name)
			const warning = "tokctl: warning: ils: the stored token is unreadable; fetching a new one\n"
			if r.code != 0 || r.stderr != warning {
				t.Fatalf("want exit 0 and the warning only\n%s", r)
			}
			rec, err := h.load(p.name)
			if err != nil || rec.AccessToken+"\n" != r.stdout {
				t.Fatalf("the record was not replaced: %+v, %v", rec, err)
			}
			if got := h.fake.Count(p.route); got != 1 {
				t.Errorf("%d requests, want 1", got)
			}
			fi, err := os.Stat(h.recordFile(p))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("record file mode %v, %v", fi.Mode(), err)
			}
			var corrupt *store.CorruptError
			if _, err := h.load(p.name); errors.As(err, &corrupt) {
				t.Error("still corrupt")
			}
		})
	}
}
