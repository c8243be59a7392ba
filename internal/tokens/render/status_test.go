package render

import (
	"bytes"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/tokens"
)

func TestRoundDuration(t *testing.T) {
	tests := map[time.Duration]string{
		30 * time.Second:                "30s",
		59*time.Minute + 59*time.Second: "59m",
		2*time.Hour + 5*time.Minute:     "2h5m",
		75 * time.Hour:                  "3d3h",
	}
	for d, want := range tests {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestStatus(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	exp, in := "2026-11-23T11:00:00Z", int64(-3600)
	entries := []tokens.StatusEntry{
		{Provider: "ils", State: "expired", Store: "file", StatusRecord: &tokens.StatusRecord{Scopes: []string{"a", "b\x1b[2J"}, Expiry: &exp, ExpiresIn: &in}},
		{Provider: "kc", State: "other_endpoint", Store: "file", StatusRecord: &tokens.StatusRecord{Scopes: []string{}}},
		{Provider: "tilia", State: "not_logged_in", Store: "file"},
	}
	var text, js, empty bytes.Buffer
	if err := Status(&text, entries, "text", now); err != nil {
		t.Fatal(err)
	}
	want := `PROVIDER  STATUS                       EXPIRES                          SCOPES      STORE
ils       expired                      2026-11-23T11:00:00Z (1h0m ago)  a,b\x1b[2J  file
kc        stored for another endpoint  never                            -           file
tilia     not logged in                -                                -           file
`
	if text.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), want)
	}
	if err := Status(&js, entries[2:], "json", now); err != nil {
		t.Fatal(err)
	}
	if want := "[\n  {\n    \"provider\": \"tilia\",\n    \"state\": \"not_logged_in\",\n    \"store\": \"file\"\n  }\n]\n"; js.String() != want {
		t.Errorf("json:\n%s\nwant:\n%s", js.String(), want)
	}
	if err := Status(&empty, nil, "json", now); err != nil || empty.String() != "[]\n" {
		t.Errorf("json of no entries: %q, %v", empty.String(), err)
	}
}
