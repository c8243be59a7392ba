package tokens

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/store"
)

// newTestService is a Service on a config file of config (YAML), the file
// store and cache in temporary directories, stderr in errOut, at now.
func newTestService(t *testing.T, config string, now time.Time) (*Service, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	t.Setenv("TOKCTL_CONFIG", "")
	t.Setenv("TOKCTL_STORE", "")
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	return &Service{ConfigFile: path, StoreKind: "file", UserAgent: "tokctl/test", ErrOut: &errOut,
		Now: func() time.Time { return now }}, &errOut
}

// save keeps rec in sv's store.
func save(t *testing.T, sv *Service, rec *store.Record) {
	t.Helper()
	b, err := sv.Store()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveRecord(context.Background(), b, rec); err != nil {
		t.Fatal(err)
	}
}

func TestServiceStatus(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	sv, errOut := newTestService(t, `providers:
  kc:
    kind: oauth2
    token_url: https://idp.example.com/token
    client_id: app
`, now)
	p, err := sv.Provider("kc")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := p.RecordEndpoint()
	obtained := now.Add(-time.Hour)
	rec := func(endpoint string, expiresIn time.Duration, scopes ...string) *store.Record {
		r := &store.Record{Provider: "kc", Endpoint: endpoint, ClientID: "app", AccessToken: "at-" + endpoint, TokenType: "Bearer",
			Scopes: scopes, RequestedScopes: scopes, ObtainedAt: obtained}
		if expiresIn != 0 {
			r.Expiry = now.Add(expiresIn)
		}
		return r
	}
	other := rec("https://user:pw@old.example.com/token", time.Hour, "read")
	save(t, sv, other)
	expired := rec(endpoint, -time.Minute, "write")
	expired.RefreshToken = "rt"
	save(t, sv, expired)
	fresh := rec(endpoint, 90*time.Second, "read")
	fresh.IDToken = "a.b.c"
	save(t, sv, fresh)
	// A record planted with a control character in a scope is never served.
	save(t, sv, &store.Record{Provider: "ils", Endpoint: "https://api.ils.live/api/oauth/token", AccessToken: "x", Scopes: []string{"a\x1b[31m"}, ObtainedAt: obtained})

	entries, err := sv.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	i64 := func(n int64) *int64 { return &n }
	kcRecord := func(endpoint string, scopes []string, exp string, in int64) *StatusRecord {
		return &StatusRecord{Endpoint: endpoint, ClientID: "app", Scopes: scopes, RequestedScopes: scopes,
			Expiry: str(exp), ExpiresIn: i64(in), ObtainedAt: obtained}
	}
	// Built-in providers first, then the configured ones; a provider's
	// records most recently written first.
	want := []StatusEntry{
		{Provider: "ils", State: "unreadable", Store: "file"},
		{Provider: "tiki", State: "not_logged_in", Store: "file"},
		{Provider: "tilia", State: "not_logged_in", Store: "file"},
		{Provider: "tiltify", State: "not_logged_in", Store: "file"},
		{Provider: "kc", State: "logged_in", Store: "file", StatusRecord: kcRecord(endpoint, []string{"read"}, "2026-11-23T12:01:30Z", 90)},
		{Provider: "kc", State: "expired", Store: "file", StatusRecord: kcRecord(endpoint, []string{"write"}, "2026-11-23T11:59:00Z", -60)},
		{Provider: "kc", State: "other_endpoint", Store: "file", StatusRecord: kcRecord("https://old.example.com/token", []string{"read"}, "2026-11-23T13:00:00Z", 3600)},
	}
	want[4].IDToken, want[5].RefreshToken = true, true
	if len(entries) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(entries), len(want), entries)
	}
	for i, e := range entries {
		if e.Provider != want[i].Provider || e.State != want[i].State || e.Store != want[i].Store {
			t.Errorf("entry %d: %s %s %s, want %s %s %s", i, e.Provider, e.State, e.Store, want[i].Provider, want[i].State, want[i].Store)
		}
		if got, w := describe(e.StatusRecord), describe(want[i].StatusRecord); got != w {
			t.Errorf("entry %d (%s %s):\n got %s\nwant %s", i, e.Provider, e.State, got, w)
		}
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr: %q", errOut.String())
	}
}

// describe shows r's values, pointers followed.
func describe(r *StatusRecord) string {
	if r == nil {
		return "nil"
	}
	deref := func(s *string) string {
		if s == nil {
			return "<nil>"
		}
		return *s
	}
	var in any = "<nil>"
	if r.ExpiresIn != nil {
		in = *r.ExpiresIn
	}
	return fmt.Sprintf("%s %q %q %q %v %s %v %s %v %v", r.Endpoint, r.ClientID, r.Scopes, r.RequestedScopes, r.DefaultScopes,
		deref(r.Expiry), in, r.ObtainedAt.Format(time.RFC3339), r.RefreshToken, r.IDToken)
}

// TestServiceStatusEmptyScopes checks that a record without scopes shows
// empty lists, not null, in the JSON of `tokctl status`.
func TestServiceStatusEmptyScopes(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	sv, _ := newTestService(t, "", now)
	save(t, sv, &store.Record{Provider: "ils", Endpoint: "https://api.ils.live/api/oauth/token", AccessToken: "x", ObtainedAt: now})
	entries, err := sv.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := entries[0].StatusRecord
	if entries[0].Provider != "ils" || r == nil || r.Scopes == nil || r.RequestedScopes == nil || r.Expiry != nil || r.ExpiresIn != nil {
		t.Errorf("entry %+v, record %s", entries[0], describe(r))
	}
}
