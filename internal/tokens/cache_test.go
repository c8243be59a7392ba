package tokens

import (
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

func TestSameScopes(t *testing.T) {
	tests := []struct {
		a, b []string
		want bool
	}{
		{nil, nil, true},
		{[]string{"a", "b"}, []string{"b", "a"}, true},
		{[]string{"a", "a", "b"}, []string{"b", "a"}, true},
		{[]string{"a"}, []string{"a", "b"}, false},
		{[]string{"a"}, nil, false},
	}
	for _, tt := range tests {
		if got := sameScopes(tt.a, tt.b); got != tt.want {
			t.Errorf("sameScopes(%v, %v) = %v", tt.a, tt.b, got)
		}
	}
}

func TestMatches(t *testing.T) {
	p, err := provider.New(provider.Settings{Name: "tilia", ClientID: "id", Scopes: []string{"a", "b"}}, &oauth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	req := &Request[provider.Provider]{p: p}
	good := store.Record{Endpoint: "https://auth.tilia-inc.com/token", ClientID: "id", RequestedScopes: []string{"b", "a"}}
	tests := []struct {
		name   string
		change func(*store.Record)
		want   bool
	}{
		{"same", func(*store.Record) {}, true},
		{"staging endpoint", func(r *store.Record) { r.Endpoint = "https://auth.staging.tilia-inc.com/token" }, false},
		{"other client", func(r *store.Record) { r.ClientID = "other" }, false},
		{"other scopes", func(r *store.Record) { r.RequestedScopes = []string{"a"} }, false},
		{"the default set, whose scopes were the same", func(r *store.Record) { r.DefaultScopes = true }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.change(&r)
			if got := req.matches(&r); got != tt.want {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
		})
	}
}

// namedProvider is just enough of a provider for NewRecord.
type namedProvider struct{ provider.Provider }

func (namedProvider) Name() string           { return "tilia" }
func (namedProvider) RecordEndpoint() string { return "https://example.test/token" }
func (namedProvider) Scopes() []string       { return []string{"a"} }

// A record's times are written in UTC: a time in the local zone would make
// every store write load the zone database to encode its offset.
func TestNewRecordTimesAreUTC(t *testing.T) {
	zone := time.FixedZone("UTC+2", 2*3600)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, zone)
	m := &Manager[provider.Provider]{Clock: ClockFunc(func() time.Time { return now })}
	rec := m.NewRecord(&Request[provider.Provider]{p: namedProvider{}}, "id", &oauth.Token{AccessToken: "at", Expiry: now.Add(time.Hour)})
	for name, tm := range map[string]time.Time{"expiry": rec.Expiry, "obtained_at": rec.ObtainedAt} {
		if tm.Location() != time.UTC {
			t.Errorf("%s is in %v, want UTC", name, tm.Location())
		}
	}
	if !rec.Expiry.Equal(now.Add(time.Hour)) {
		t.Errorf("expiry = %v, want %v", rec.Expiry, now.Add(time.Hour))
	}
	if rec := m.NewRecord(&Request[provider.Provider]{p: namedProvider{}}, "id", &oauth.Token{AccessToken: "at"}); !rec.Expiry.IsZero() {
		t.Errorf("a token without expiry got expiry %v", rec.Expiry)
	}
}

func TestInLastQuarter(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name             string
		obtained, expiry time.Time
		want             bool
	}{
		{"fresh", now, now.Add(time.Hour), false},
		{"half way", now.Add(-30 * time.Minute), now.Add(30 * time.Minute), false},
		{"just before the last quarter", now.Add(-44 * time.Minute), now.Add(16 * time.Minute), false},
		{"in the last quarter", now.Add(-50 * time.Minute), now.Add(10 * time.Minute), true},
		{"expired", now.Add(-2 * time.Hour), now.Add(-time.Hour), true},
		{"no expiry", now, time.Time{}, false},
		{"no obtained_at", time.Time{}, now.Add(time.Minute), false},
		// Durations saturate at 292 years; four times one would overflow.
		{"far-off expiry", now.AddDate(-1, 0, 0), now.AddDate(970, 0, 0), false},
		{"far-off expiry, obtained long ago", now.AddDate(-500, 0, 0), now.AddDate(500, 0, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &store.Record{ObtainedAt: tt.obtained, Expiry: tt.expiry}
			if got := InLastQuarter(rec, now); got != tt.want {
				t.Errorf("InLastQuarter = %v, want %v", got, tt.want)
			}
		})
	}
}
