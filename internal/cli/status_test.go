package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/tokens"
)

// fakeStatus is a statusReader with fixed entries.
type fakeStatus struct {
	entries []tokens.StatusEntry
	err     error
}

func (f fakeStatus) Status(context.Context) ([]tokens.StatusEntry, error) { return f.entries, f.err }

// statusEntries are one entry in each state, a token that never expires
// and scopes with a terminal escape sequence, as of statusNow.
func statusEntries() []tokens.StatusEntry {
	at := func(d time.Duration) (*string, *int64) {
		s, secs := statusNow.Add(d).Format(time.RFC3339), int64(d.Seconds())
		return &s, &secs
	}
	record := func(expiresIn time.Duration, scopes ...string) *tokens.StatusRecord {
		r := &tokens.StatusRecord{Endpoint: "https://idp.example.com/token", ClientID: "app", Scopes: append([]string{}, scopes...),
			RequestedScopes: []string{}, ObtainedAt: statusNow.Add(-time.Hour), RefreshToken: true}
		if expiresIn != 0 {
			r.Expiry, r.ExpiresIn = at(expiresIn)
		}
		return r
	}
	return []tokens.StatusEntry{
		{Provider: "ils", State: "logged_in", Store: "keyring", StatusRecord: record(59*time.Minute+30*time.Second, "read", "write")},
		{Provider: "ils", State: "expired", Store: "keyring", StatusRecord: record(-75 * time.Hour)},
		{Provider: "kc", State: "logged_in", Store: "keyring", StatusRecord: record(0, "openid", "evil\x1b[31mred")},
		{Provider: "tiki", State: "other_endpoint", Store: "keyring", StatusRecord: record(2*time.Hour+5*time.Minute, "all")},
		{Provider: "tilia", State: "unreadable", Store: "keyring"},
		{Provider: "tiltify", State: "not_logged_in", Store: "keyring"},
	}
}

var statusNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestStatusRun(t *testing.T) {
	tests := []struct {
		name    string
		output  string
		tokens  fakeStatus
		golden  string // "" for no output
		wantErr string
	}{
		{name: "text", output: "text", tokens: fakeStatus{entries: statusEntries()}, golden: "status_text"},
		{name: "json", output: "json", tokens: fakeStatus{entries: statusEntries()}, golden: "status_json"},
		{name: "text, no providers", output: "text", golden: "status_text_empty"},
		{name: "json, no providers", output: "json", golden: "status_json_empty"},
		{name: "store error", output: "text", tokens: fakeStatus{err: errors.New("ils: the keyring is locked")}, wantErr: "ils: the keyring is locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			opts := &StatusOptions{IO: iostreams.Test(strings.NewReader(""), &out, &errOut), Tokens: tt.tokens,
				Now: func() time.Time { return statusNow }, Output: tt.output}
			err := statusRun(context.Background(), opts)
			if got := errText(err); got != tt.wantErr {
				t.Fatalf("error %q, want %q", got, tt.wantErr)
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr: %q", errOut.String())
			}
			if tt.golden == "" {
				if out.Len() != 0 {
					t.Errorf("stdout: %q", out.String())
				}
				return
			}
			if strings.Contains(out.String(), "\x1b") {
				t.Errorf("an escape sequence reached stdout:\n%s", out.String())
			}
			assertGolden(t, tt.golden, out.Bytes())
		})
	}
}

// TestNewCmdStatus checks what the command hands statusRun, and that a bad
// -o is a usage error before anything is read.
func TestNewCmdStatus(t *testing.T) {
	tests := []struct {
		args     []string
		want     string // the Output statusRun gets; "" when it must not run
		wantCode int
	}{
		{args: nil, want: "text"},
		{args: []string{"-o", "json"}, want: "json"},
		{args: []string{"-o", "yaml"}, wantCode: 2},
		{args: []string{"ils"}, wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := &Factory{IO: iostreams.Test(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}), Timeout: time.Minute}
			got := parseForTest(t, f, NewCmdStatus, tt.args, tt.wantCode)
			if tt.want == "" {
				return
			}
			if got == nil || got.Output != tt.want || got.Tokens == nil || got.Now == nil {
				t.Errorf("options %+v, want output %q with a reader and a clock", got, tt.want)
			}
		})
	}
}
