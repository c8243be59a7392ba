package main

// A harness for Go tests that run the real tokctl binary as a black box (the
// fault matrix, concurrency, kill and redaction tests). TestMain puts the
// test binary on $PATH as "tokctl" (testscript.Main); each run gets a
// private environment built from nothing: its own home, config and file
// store, and only the variables the test sets.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/store"
)

// signingKey is shared by every fake the harness starts: generating an RSA
// key per fake would cost more than the runs themselves.
var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// harness is one fake provider and one private tokctl home.
type harness struct {
	t    *testing.T
	fake *fakeprovider.Server
	home string
	env  []string // base environment of every run

	// What harvest found in the store: access tokens, and refresh tokens,
	// ID tokens and client secrets.
	accessTokens, secrets map[string]bool
	// fetched are access tokens printed but never stored (--no-cache).
	fetched []string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	fake := fakeprovider.StartTest(t, fakeprovider.Options{Key: signingKey()})
	home := t.TempDir()
	return &harness{t: t, fake: fake, home: home, env: []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_RUNTIME_DIR=" + filepath.Join(home, "run"),
		"TOKCTL_STORE=file",
		"DBUS_SESSION_BUS_ADDRESS=",
		"NO_COLOR=1",
		"BROWSER=",
		// The race detector sleeps 1s at exit by default; these are many short runs.
		"GORACE=atexit_sleep_ms=0",
	}}
}

// storeDir is the file store's directory.
func (h *harness) storeDir() string { return filepath.Join(h.home, ".local", "state", "tokctl") }

// recordFile is the file-store file of the record that answers tokctl's
// request for p as environ configures it: Tilia with its scopes, the others
// with their default scope set.
func (h *harness) recordFile(p prov) string {
	var scopes []string
	if p.kind == "tilia" {
		scopes = p.scopes
	}
	return filepath.Join(h.storeDir(), store.RecordKey(p.name, p.endpoint(h.fake.URL()), scopes)+".value")
}

// file is the file store as the tests read it.
func (h *harness) file() store.File { return store.File{Dir: h.storeDir()} }

// result is one finished tokctl run.
type result struct {
	args           []string
	code           int
	stdout, stderr string
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("tokctl %s: exit %d after %v\nstdout: %q\nstderr: %q", strings.Join(r.args, " "), r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

// command prepares tokctl args with the harness environment plus env.
func (h *harness) command(ctx context.Context, env []string, stdin string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, "tokctl", args...)
	cmd.Env = append(append([]string{}, h.env...), env...)
	cmd.Dir = h.home
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// run runs tokctl to the end; a run that outlives a minute is killed.
func (h *harness) run(env []string, args ...string) result {
	return h.runStdin(env, "", args...)
}

func (h *harness) runStdin(env []string, stdin string, args ...string) result {
	h.t.Helper()
	r, err := h.exec(env, stdin, args...)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// exec is run for other goroutines than the test's: it returns what run
// would fail the test with.
func (h *harness) exec(env []string, stdin string, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd, stdout, stderr := h.command(ctx, env, stdin, args...)
	begin := time.Now()
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String(), took: time.Since(begin)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		return r, fmt.Errorf("running tokctl: %w", err)
	}
	if r.code == 66 { // the race detector's exit code
		return r, fmt.Errorf("data race in tokctl:\n%s", r.stderr)
	}
	return r, nil
}

// snapshot is every file of the store directory (locks aside) and its bytes.
func (h *harness) snapshot() map[string]string {
	h.t.Helper()
	out, err := h.readSnapshot()
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

func (h *harness) readSnapshot() (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(h.storeDir(), func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "locks" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out[strings.TrimPrefix(path, h.storeDir()+"/")] = string(b)
		}
		return nil
	})
	return out, err
}

// save writes a record into the file store as tokctl would.
func (h *harness) save(rec *store.Record) {
	h.t.Helper()
	if err := store.SaveRecord(context.Background(), h.file(), rec); err != nil {
		h.t.Fatal(err)
	}
}

// load reads a provider's most recently written record back.
func (h *harness) load(name string) (*store.Record, error) {
	recs, err := storedRecords(h.file(), name)
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

// storedRecords are provider name's readable records, most recently
// written first; store.ErrNotFound when there are none.
func storedRecords(b store.Backend, name string) ([]*store.Record, error) {
	all, err := store.Records(context.Background(), b, name)
	if err != nil {
		return nil, err
	}
	var recs []*store.Record
	for _, sr := range all {
		if sr.Record != nil {
			recs = append(recs, sr.Record)
		}
	}
	if len(recs) == 0 {
		return nil, store.ErrNotFound
	}
	return recs, nil
}

// inject adds a fault to a route of the fake.
func (h *harness) inject(route string, f fakeprovider.Fault) {
	h.t.Helper()
	if err := h.fake.InjectFault(route, f); err != nil {
		h.t.Fatal(err)
	}
}

// prov is one client-credentials provider as tokctl is configured for the fake.
type prov struct {
	name  string // the provider instance tokctl is asked for
	kind  string
	route string // the fake's count key
	// path is the token endpoint below the fake's URL.
	path string
	// scopes are the scopes tokctl asks for, as it stores them.
	scopes []string
	// id, secret are the client credentials.
	id, secret string
	// rejected is a 401 body in the provider's own error format, and what
	// tokctl quotes of it.
	rejected, rejectedText string
}

// endpoint is the token URL tokctl resolves for p on base.
func (p prov) endpoint(base string) string { return base + p.path }

// environ configures an instance called name of p's kind against base (the
// fake's URL, or another).
func (p prov) environ(name, base string) []string {
	v := func(key, value string) string {
		return "TOKCTL_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_" + key + "=" + value
	}
	env := []string{v("CLIENT_ID", p.id), v("CLIENT_SECRET", p.secret)}
	if name != p.kind {
		env = append(env, v("KIND", p.kind))
	}
	if p.kind == "tiki" {
		env = append(env, v("URL", base+"/tiki"))
	} else {
		env = append(env, v("TOKEN_URL", base+p.path))
	}
	if p.kind == "tilia" {
		env = append(env, v("SCOPES", strings.Join(p.scopes, ",")))
	}
	return env
}

// env configures p itself against base.
func (p prov) env(base string) []string { return p.environ(p.name, base) }

// fakeName is the provider name the fake files p's grants under.
func (p prov) fakeName() string { return strings.TrimSuffix(p.route, ".token") }

// providers are the five client-credentials kinds; the generic kind runs as
// a named instance ("idp"), as users configure it.
func providers() []prov {
	rfcRejected := `{"error":"invalid_client","error_description":"Client authentication failed"}`
	return []prov{
		{name: "tilia", kind: "tilia", route: "tilia.token", path: "/tilia/token", scopes: []string{"user_info"},
			id: fakeprovider.TiliaClientID, secret: fakeprovider.TiliaClientSecret,
			rejected:     `{"status":"Failure","message":["Unauthorized client or scope"],"codes":["UNAUTHORIZED"]}`,
			rejectedText: "Unauthorized client or scope [UNAUTHORIZED] (HTTP 401 Unauthorized)"},
		{name: "ils", kind: "ils", route: "ils.token", path: "/ils/api/oauth/token",
			id: fakeprovider.ILSClientID, secret: fakeprovider.ILSClientSecret,
			rejected:     `{"errors":[{"location":"clientSecret","reason":"invalid","message":"invalid client credentials"}],"statusCode":"401","statusInfoSet":{"ils_codeMajor":"failure","ils_codeMinor":"unauthorized","ils_codeSeverity":"error","ils_description":"invalid client credentials"}}`,
			rejectedText: "unauthorized: invalid client credentials (HTTP 401 Unauthorized)"},
		{name: "tiki", kind: "tiki", route: "tiki.token", path: "/tiki/api/oauth/access_token",
			id: fakeprovider.TikiClientID, secret: fakeprovider.TikiClientSecret,
			rejected:     `{"code":401,"errortitle":"Unauthorized","message":"Client authentication failed"}`,
			rejectedText: "Unauthorized: Client authentication failed (HTTP 401 Unauthorized)"},
		{name: "tiltify", kind: "tiltify", route: "tiltify.token", path: "/tiltify/oauth/token", scopes: []string{"public"},
			id: fakeprovider.TiltifyClientID, secret: fakeprovider.TiltifyClientSecret,
			rejected:     rfcRejected,
			rejectedText: "invalid_client: Client authentication failed (HTTP 401 Unauthorized)"},
		{name: "idp", kind: "oauth2", route: "oauth2.token", path: "/oauth2/token",
			id: fakeprovider.OAuth2BasicClientID, secret: fakeprovider.OAuth2BasicClientSecret,
			rejected:     rfcRejected,
			rejectedText: "invalid_client: Client authentication failed (HTTP 401 Unauthorized)"},
	}
}

// provider returns the entry of providers() called name.
func provider(name string) prov {
	for _, p := range providers() {
		if p.name == name {
			return p
		}
	}
	panic("no provider " + name)
}

// expiredRecord is a complete record for p that tokctl must replace: it
// expired an hour ago.
func expiredRecord(p prov, base string) *store.Record {
	now := time.Now().UTC().Truncate(time.Second)
	return &store.Record{
		Provider:        p.name,
		Endpoint:        p.endpoint(base),
		ClientID:        p.id,
		AccessToken:     "old-access-token-" + p.name + "-0123456789",
		TokenType:       "Bearer",
		Expiry:          now.Add(-time.Hour),
		Scopes:          p.scopes,
		RequestedScopes: p.scopes,
		ObtainedAt:      now.Add(-2 * time.Hour),
		// Only Tilia is configured with scopes (environ): the others'
		// requests name none, the provider's default scope set.
		DefaultScopes: p.kind != "tilia",
	}
}

// closedPort is a loopback URL where nothing listens: port 1 (tcpmux) is
// privileged and unused; a port picked by listening and closing could be
// reused by the next fake a test starts.
const closedPort = "http://127.0.0.1:1"

// oneLine asserts that a failing run printed exactly one line on stderr,
// naming the provider.
func oneLine(t *testing.T, r result, provider string) {
	t.Helper()
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("stderr is not one line:\n%s", r)
	}
	if !strings.HasPrefix(r.stderr, "tokctl: "+provider+": ") {
		t.Errorf("stderr does not start with %q:\n%s", "tokctl: "+provider+": ", r)
	}
}
