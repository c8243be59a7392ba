package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/cli"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// The in-process share of tokctl's hot path, whole commands run as main
// runs them: building the command tree, flags, config, the file store read,
// the output. Process start-up (runtime, package init, page faults), the
// larger share, is measured by `make bench`; see docs/performance.md.

const (
	benchClientID = "3f2bfe5b-19b8-41c1-88d7-70a1586bce94"
	// benchEndpoint is unreachable on purpose: a benchmark that missed the
	// store would fail fast (see --timeout below) rather than measure a fetch.
	benchEndpoint = "http://127.0.0.1:9/token"
)

// benchToken is a Tilia-shaped JWT (header, claims, signature).
var benchToken = "eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9." +
	"eyJhY2NvdW50X2lkIjoiIiwiY2xpZW50X2lkIjoiM2YyYmZlNWItMTliOC00MWMxLTg4ZDctNzBhMTU4NmJjZTk0IiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3OTU5ODg4NjAsImludGVncmF0b3IiOiJkZW1vIiwianRpIjoiZmYxMWExMTYiLCJuYmYiOjAsInNjb3BlcyI6WyJ3cml0ZV9yZWdpc3RyYXRpb25zIiwidXNlcl9pbmZvIl0sInRva2VuX3R5cGUiOiJjbGllbnRfY3JlZGVudGlhbHMiLCJ1c2VybmFtZSI6IiJ9." +
	strings.Repeat("c2ln", 85) + "cw"

// benchSetup gives tokctl a private environment, with Tilia configured in
// TOKCTL_* variables (as in CI) and a valid token in the file store.
func benchSetup(b *testing.B) {
	b.Helper()
	dir := b.TempDir()
	for _, key := range provider.Keys {
		b.Setenv(provider.EnvVar("tilia", key), "")
	}
	b.Setenv("HOME", dir)
	b.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	b.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	b.Setenv("TOKCTL_CONFIG", "")
	b.Setenv("TOKCTL_STORE", "file")
	b.Setenv("NO_COLOR", "1")
	b.Setenv("TOKCTL_TILIA_TOKEN_URL", benchEndpoint)
	b.Setenv("TOKCTL_TILIA_CLIENT_ID", benchClientID)
	b.Setenv("TOKCTL_TILIA_CLIENT_SECRET", "9bc00ca4-937e-4946-bdb5-0814b603334d")
	b.Setenv("TOKCTL_TILIA_SCOPES", "write_registrations,user_info")
	now := time.Now().UTC()
	rec := &store.Record{
		Provider:        "tilia",
		Endpoint:        benchEndpoint,
		ClientID:        benchClientID,
		AccessToken:     benchToken,
		TokenType:       "Bearer",
		Expiry:          now.Add(time.Hour),
		Scopes:          []string{"write_registrations", "user_info"},
		RequestedScopes: []string{"write_registrations", "user_info"},
		ObtainedAt:      now,
	}
	fs := store.File{Dir: filepath.Join(dir, "state", "tokctl")}
	if err := store.SaveRecord(context.Background(), fs, rec); err != nil {
		b.Fatal(err)
	}
}

// runTokctl runs one tokctl command in-process, as cli.Main does, and
// returns its stdout.
func runTokctl(b *testing.B, out *bytes.Buffer, args ...string) {
	out.Reset()
	var errOut bytes.Buffer
	f := &cli.Factory{IO: iostreams.Test(strings.NewReader(""), out, &errOut), Build: cli.BuildInfo{Version: "bench"}}
	root := cli.NewCmdRoot(f)
	root.SetArgs(args)
	if err := root.ExecuteContext(context.Background()); err != nil || errOut.Len() > 0 {
		b.Fatalf("tokctl %s: %v; stderr: %s", strings.Join(args, " "), err, errOut.String())
	}
}

// BenchmarkNewCmdRoot builds the command tree, which every start pays.
func BenchmarkNewCmdRoot(b *testing.B) {
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		cli.NewCmdRoot(&cli.Factory{IO: iostreams.Test(nil, &out, &out)})
	}
}

// BenchmarkTokenGetCached is a cached `token get` from the file store, in
// each output format.
func BenchmarkTokenGetCached(b *testing.B) {
	for _, output := range []string{"token", "header", "env", "json"} {
		b.Run(output, func(b *testing.B) {
			benchSetup(b)
			var out bytes.Buffer
			args := []string{"token", "get", "tilia", "-o", output, "--timeout", "2s"}
			runTokctl(b, &out, args...)
			if !strings.Contains(out.String(), benchToken) {
				b.Fatalf("output %q does not hold the stored token", out.String())
			}
			b.ReportAllocs()
			for b.Loop() {
				runTokctl(b, &out, args...)
			}
		})
	}
}

// BenchmarkTokenGetCachedRun is a cached `token get` through cli.Run, the
// path of the binary: only the `token get` command is built (the benchmarks
// above build the whole tree, as `tokctl --help` does).
func BenchmarkTokenGetCachedRun(b *testing.B) {
	benchSetup(b)
	var out, errOut bytes.Buffer
	args := []string{"token", "get", "tilia", "--timeout", "2s"}
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		f := &cli.Factory{IO: iostreams.Test(strings.NewReader(""), &out, &errOut), Build: cli.BuildInfo{Version: "bench"}}
		if code := cli.Run(f, args); code != 0 || !strings.Contains(out.String(), benchToken) {
			b.Fatalf("tokctl %s: exit %d; stdout %q; stderr: %s", strings.Join(args, " "), code, out.String(), errOut.String())
		}
	}
}

// BenchmarkVersion is `tokctl version`: the command tree and one line.
func BenchmarkVersion(b *testing.B) {
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		runTokctl(b, &out, "version")
	}
}

// BenchmarkDecode is `tokctl decode TOKEN` on a Tilia-shaped JWT.
func BenchmarkDecode(b *testing.B) {
	benchSetup(b)
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		runTokctl(b, &out, "decode", benchToken)
	}
}
