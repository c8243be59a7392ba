package main

// TestDocSnippets runs every shell snippet of README.md and every example of
// tokctl's --help exactly as written, in order, against a fake provider on
// 127.0.0.1, so the documentation cannot drift from what tokctl does.
//
// What the snippets run in is a reader's machine set up as the README says:
//   - the built tokctl on $PATH;
//   - the config file is the README's own "Configuration" example plus the
//     keycloak provider of its OpenID Connect section;
//   - each provider's address is the fake's, given the documented way
//     (TOKCTL_<NAME>_TOKEN_URL, _URL, _AUTH_URL, _ISSUER, which win over the
//     file), with the fake's demo clients as the reader's credentials
//     (TOKCTL_<NAME>_CLIENT_ID/_SECRET, and $SECRET, $TILIA_SECRET,
//     $ILS_CLIENT_ID, $ILS_CLIENT_SECRET for the snippets that name them);
//     Tiltify's registered redirect_uri is a http://localhost port found
//     free just before each snippet runs (and tried again if another
//     process took it in between);
//   - the file store in a private home (the README's keyring is the OS
//     keyring; TOKCTL_STORE=file keeps the run away from the real one);
//   - $BROWSER is the headless browser of ../shared/ci/fake-browser.sh when
//     it is there (else minibrowser, which follows the redirects the same
//     way); a --no-browser login gets the final address pasted on stdin,
//     as a user over SSH would;
//   - curl is a wrapper around the real curl that sends every https:// URL
//     (the APIs the examples call, e.g. https://api.ils.live/api/...) to the
//     fake's /api/whoami with --fail, so the snippet fails unless the token
//     it sent is one the fake issued and still live;
//   - $TOKEN is a live JWT from the fake, public.pem the fake's signing key,
//     hs256.secret a shared secret (and $TOKEN an HS256 token for the one
//     example that verifies with it).
// Each snippet runs in bash with pipefail, after the `export` lines of its
// block. A snippet that cannot run here is listed in skippedSnippets with
// the reason; a new snippet fails until it runs or is listed.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/cli"
	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/iostreams"
)

// skippedSnippets are the documented commands this test does not run, and why.
var skippedSnippets = map[string]string{
	"make demo    # builds tokctl, starts the in-repo fake provider on 127.0.0.1, gets a token from": "" +
		"CI runs it as its own step (.ci/run), and it builds tokctl again",
	"make test    # every Go test (race detector) and a short fuzzing pass; CI runs more (.ci/run)": "this test is part of it",
	"go install -trimpath -tags nethttpomithttp2 ./cmd/tokctl   # from a clone, built as releases are; into $(go env GOPATH)/bin": "" +
		"it writes into the reader's $(go env GOPATH)/bin; the binary under test is built by go test, and .ci/release-check.sh builds as released",
	`tokctl decode --jwks https://idp.example.com/.well-known/jwks.json "$TOKEN"`: "" +
		"tokctl itself fetches the placeholder host idp.example.com; decode --jwks URL is tested against a loopback server in internal/cli (TestDecode, \"--jwks URL on 127.0.0.1\")",
}

// knownFailing are snippets that fail today because of a bug being fixed
// elsewhere; they still run, and the test fails once one passes, so the mark
// is removed with the fix.
var knownFailing = map[string]string{}

// snippetEnv is what the reader has at hand for one snippet beyond the
// common environment.
var snippetEnv = map[string]func(d *docEnv) []string{
	// svc's key from a file (the other way to keep it than the keyring).
	`tokctl key public svc                 # paste into the client's JWK field`: svcKeyFile,
	`tokctl key public svc -o jwks > jwks.json`:                                 svcKeyFile,
	`tokctl key public svc -o pem`:                                              svcKeyFile,
	`tokctl decode --hmac-secret-file hs256.secret -o json "$TOKEN" | jq .signature_verified`: func(d *docEnv) []string {
		return []string{"TOKEN=" + d.hs256Token}
	},
	// The ID token of the keycloak login the README's snippets made.
	`tokctl decode --jwks keycloak "$ID_TOKEN"`: func(d *docEnv) []string {
		return []string{"ID_TOKEN=" + d.tokctl("token", "get", "keycloak", "-o", "id-token")}
	},
}

func svcKeyFile(d *docEnv) []string {
	return []string{"TOKCTL_SVC_PRIVATE_KEY=" + filepath.Join(d.dir, "svc-key.pem")}
}

// snippet is one documented command.
type snippet struct {
	where string // README.md:LINE or `tokctl CMD --help`
	text  string
	// exports are the export lines of its block before it.
	exports []string
}

func TestDocSnippets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every documented command")
	}
	snippets := append(readmeSnippets(t, filepath.Join("..", "..", "README.md")), helpSnippets()...)
	d := newDocEnv(t)
	seen := map[string]bool{}
	for _, s := range snippets {
		seen[s.text] = true
		if reason, ok := skippedSnippets[s.text]; ok {
			t.Logf("%s: skipped (%s): %s", s.where, reason, s.text)
			continue
		}
		if tool := missingTool(s.text); tool != "" {
			if os.Getenv("CI") == "true" {
				t.Errorf("%s: %s is not installed (the docs' examples need it): %s", s.where, tool, s.text)
			} else {
				t.Logf("%s: skipped, %s is not installed: %s", s.where, tool, s.text)
			}
			continue
		}
		before := d.tokenRequests()
		out, err := d.run(s)
		// A snippet whose comment promises "no request" is held to it.
		if err == nil && strings.Contains(s.text, "no request") {
			if n := d.tokenRequests() - before; n != 0 {
				err = fmt.Errorf("its comment says no request, but it made %d token requests", n)
			}
		}
		// Tiltify's registered redirect_uri is a fixed port, chosen free just
		// before each run; on this shared machine another process may take
		// it in between, which tokctl reports before opening the browser.
		for try := 0; err != nil && try < 3 && strings.Contains(out, "is already in use by another program"); try++ {
			out, err = d.run(s)
		}
		reason, known := knownFailing[s.text]
		switch {
		case err != nil && known:
			t.Logf("%s: known failing (%s): %s\n%v\n%s", s.where, reason, s.text, err, out)
		case err != nil:
			t.Errorf("%s: %s\n%v\n%s", s.where, s.text, err, out)
		case known:
			t.Errorf("%s: passes now; remove it from knownFailing (%s): %s", s.where, reason, s.text)
		default:
			t.Logf("%s: ran: %s", s.where, s.text)
		}
	}
	for text := range skippedSnippets {
		if !seen[text] {
			t.Errorf("skippedSnippets lists a command the docs no longer have: %s", text)
		}
	}
	for text := range knownFailing {
		if !seen[text] {
			t.Errorf("knownFailing lists a command the docs no longer have: %s", text)
		}
	}
}

// TestDocMessages: the error messages the documentation quotes are the
// ones tokctl prints in the situation it describes (a quote ending in "…"
// is the beginning of the message).
func TestDocMessages(t *testing.T) {
	tests := []struct {
		doc, start string
		prov       string
		env        []string
		fault      *fakeprovider.Fault
		code       int
	}{
		{doc: "docs/guides/exit-codes.md", start: "ils: token endpoint unavailable: ", prov: "ils", code: 5,
			fault: &fakeprovider.Fault{Action: fakeprovider.FaultRespond, Status: 429,
				Header: map[string]string{"X-Rate-Limit-Reset": "300", "X-Rate-Limit-Remaining": "0"},
				Body:   `{"errors":[{"message":"too many requests"}],"statusCode":"429"}`}},
		{doc: "README.md", start: "tokctl: tilia: the provider rejected the client credentials: ", prov: "tilia", code: 4,
			env: []string{"TOKCTL_TILIA_CLIENT_SECRET=00000000-0000-0000-0000-000000000000"}},
	}
	for _, tt := range tests {
		t.Run(tt.doc+": "+tt.start, func(t *testing.T) {
			quote := docQuote(t, tt.doc, tt.start)
			h := newHarness(t)
			p := provider(tt.prov)
			if tt.fault != nil {
				h.inject(p.route, *tt.fault)
			}
			r := h.run(append(p.env(h.fake.URL()), tt.env...), "token", "get", p.name)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.code, r)
			}
			got := strings.TrimSuffix(r.stderr, "\n")
			if !strings.HasPrefix(quote, "tokctl: ") {
				got = strings.TrimPrefix(got, "tokctl: ")
			}
			if prefix, cut := strings.CutSuffix(quote, "…"); cut {
				if !strings.HasPrefix(got, strings.TrimSpace(prefix)) {
					t.Errorf("%s quotes\n  %s\nbut tokctl prints\n  %s", tt.doc, quote, got)
				}
			} else if got != quote {
				t.Errorf("%s quotes\n  %s\nbut tokctl prints\n  %s", tt.doc, quote, got)
			}
		})
	}
}

// TestDocsInstallAsReleased: every `go install` the documentation shows
// builds tokctl with the release's flags and tags (.goreleaser.yaml).
func TestDocsInstallAsReleased(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yaml"))
	must(t, err)
	var want []string
	for _, key := range []string{"flags", "tags"} {
		m := regexp.MustCompile(`(?m)^\s*` + key + `: \[([^\]]*)\]`).FindStringSubmatch(string(raw))
		if m == nil {
			t.Fatalf(".goreleaser.yaml has no %s: [...] line", key)
		}
		for _, v := range strings.Split(m[1], ",") {
			v = strings.TrimSpace(v)
			if key == "tags" {
				v = "-tags " + v
			}
			want = append(want, v)
		}
	}
	docs, err := filepath.Glob(filepath.Join("..", "..", "docs", "guides", "*.md"))
	must(t, err)
	found := 0
	for _, doc := range append(docs, filepath.Join("..", "..", "README.md")) {
		raw, err := os.ReadFile(doc)
		must(t, err)
		for i, line := range strings.Split(string(raw), "\n") {
			if !strings.Contains(line, "go install ") {
				continue
			}
			found++
			for _, w := range want {
				if !strings.Contains(line, w) {
					t.Errorf("%s:%d: go install without %s, which releases use: %s", filepath.Base(doc), i+1, w, strings.TrimSpace(line))
				}
			}
		}
	}
	if found == 0 {
		t.Error("no go install in the docs: update this test")
	}
}

// docQuote is the `code span` of doc (from the repository root) that
// begins with start, its line breaks made spaces.
func docQuote(t *testing.T, doc, start string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", doc))
	must(t, err)
	text := string(raw)
	i := strings.Index(text, "`"+start)
	if i < 0 {
		t.Fatalf("%s no longer quotes a message beginning %q: update TestDocMessages", doc, start)
	}
	quote, _, ok := strings.Cut(text[i+1:], "`")
	if !ok {
		t.Fatalf("%s: unterminated quote at %q", doc, start)
	}
	return strings.Join(strings.Fields(quote), " ")
}

// missingTool is a program the snippet runs that this machine lacks; the
// README asks for curl and jq besides Go and make.
func missingTool(text string) string {
	for _, tool := range []string{"jq", "curl"} {
		if regexp.MustCompile(`(^|[|;&(]\s*)` + tool + `\b`).MatchString(text) {
			if _, err := exec.LookPath(tool); err != nil {
				return tool
			}
		}
	}
	return ""
}

// readmeSnippets are the commands of the ```sh blocks of path: one per
// line (continuations joined), comment lines dropped.
func readmeSnippets(t *testing.T, path string) []snippet {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []snippet
	var exports []string
	inSh, inOther := false, false
	pending, pendingLine := "", 0
	for i, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case !inSh && !inOther && strings.HasPrefix(trimmed, "```"):
			lang := strings.TrimPrefix(trimmed, "```")
			inSh, inOther = lang == "sh" || lang == "bash" || lang == "shell", !(lang == "sh" || lang == "bash" || lang == "shell")
			exports = nil
			continue
		case (inSh || inOther) && trimmed == "```":
			inSh, inOther = false, false
			continue
		case !inSh:
			continue
		}
		if pending == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if pending == "" {
			pendingLine = i + 1
		}
		if strings.HasSuffix(line, "\\") {
			pending += strings.TrimSuffix(line, "\\") + "\n"
			continue
		}
		text := pending + line
		pending = ""
		if strings.HasPrefix(strings.TrimSpace(text), "export ") {
			exports = append(exports, text)
		}
		out = append(out, snippet{where: fmt.Sprintf("%s:%d", filepath.Base(path), pendingLine), text: strings.TrimSpace(text), exports: append([]string(nil), exports...)})
	}
	return out
}

// helpSnippets are the Examples of every command, as --help prints them.
func helpSnippets() []snippet {
	f := &cli.Factory{IO: iostreams.Test(nil, &bytes.Buffer{}, &bytes.Buffer{}), Build: cli.BuildInfo{Version: "dev"}}
	var out []snippet
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, line := range strings.Split(c.Example, "\n") {
			text := strings.TrimSpace(line)
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
			out = append(out, snippet{where: "`" + c.CommandPath() + " --help`", text: text})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cli.NewCmdRoot(f))
	return out
}

// docEnv is the reader's machine: one fake provider, one home.
type docEnv struct {
	t          *testing.T
	fake       *fakeprovider.Server
	dir        string // working directory, with public.pem and hs256.secret
	env        []string
	hs256Token string
}

func newDocEnv(t *testing.T) *docEnv {
	t.Helper()
	h := newHarness(t)
	d := &docEnv{t: t, fake: h.fake, dir: h.home}
	fake := h.fake.URL()
	bin := filepath.Join(h.home, "bin")
	must(t, os.MkdirAll(bin, 0o755))
	realCurl, err := exec.LookPath("curl")
	switch {
	case err != nil && os.Getenv("CI") == "true":
		t.Fatal("curl is not installed (the docs' examples need it)")
	case err != nil:
		t.Skip("curl is not installed (the docs' examples need it)")
	}
	// The APIs the examples call are the fake's /api/whoami.
	wrapper := `#!/usr/bin/env bash
# curl for the documentation's examples: every https:// URL is the fake
# provider's /api/whoami, which answers 401 unless the bearer token is live.
args=()
for a in "$@"; do
  case "$a" in
    https://*) args+=("$DOCS_API_URL") ;;
    *) args+=("$a") ;;
  esac
done
exec ` + realCurl + ` --fail --silent --show-error "${args[@]}"
`
	must(t, os.WriteFile(filepath.Join(bin, "curl"), []byte(wrapper), 0o755))

	browser := "minibrowser"
	if haveBrowser() {
		browser = fakeBrowser
	}
	clients := map[string]fakeprovider.Client{}
	for _, c := range h.fake.Clients() {
		if _, ok := clients[c.Provider]; !ok {
			clients[c.Provider] = c
		}
	}
	env := append([]string{}, h.env...)
	env[0] = "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
	env = append(env,
		"XDG_CACHE_HOME="+filepath.Join(h.home, ".cache"),
		"BROWSER="+browser,
		"DOCS_API_URL="+fake+"/api/whoami",
		"TOKCTL_TILIA_TOKEN_URL="+fake+"/tilia/token",
		"TOKCTL_TILIA_CLIENT_ID="+clients["tilia"].ID,
		"TOKCTL_TILIA_CLIENT_SECRET="+clients["tilia"].Secret,
		"SECRET="+clients["tilia"].Secret,
		"TILIA_SECRET="+clients["tilia"].Secret,
		"TOKCTL_ILS_TOKEN_URL="+fake+"/ils/api/oauth/token",
		"TOKCTL_ILS_CLIENT_ID="+clients["ils"].ID,
		"TOKCTL_ILS_CLIENT_SECRET="+clients["ils"].Secret,
		"ILS_CLIENT_ID="+clients["ils"].ID,
		"ILS_CLIENT_SECRET="+clients["ils"].Secret,
		"TOKCTL_TIKI_URL="+fake+"/tiki",
		"TOKCTL_TIKI_CLIENT_ID="+clients["tiki"].ID,
		"TOKCTL_TIKI_CLIENT_SECRET="+clients["tiki"].Secret,
		"TOKCTL_TILTIFY_TOKEN_URL="+fake+"/tiltify/oauth/token",
		"TOKCTL_TILTIFY_AUTH_URL="+fake+"/tiltify/oauth/authorize",
		"TOKCTL_TILTIFY_CLIENT_ID="+clients["tiltify"].ID,
		"TOKCTL_TILTIFY_CLIENT_SECRET="+clients["tiltify"].Secret,
		"TOKCTL_KEYCLOAK_ISSUER="+h.fake.OIDCIssuer(),
		"TOKCTL_KEYCLOAK_CLIENT_ID="+fakeprovider.OIDCPublicClientID,
		"TOKCTL_SVC_ISSUER="+h.fake.OIDCIssuer(),
		"TOKCTL_SVC_CLIENT_ID="+fakeprovider.OIDCKeyRSAClientID,
	)
	// svc's private key, as the reader saved it from the provider's console.
	must(t, os.WriteFile(filepath.Join(h.home, "svc-key.pem"), []byte(fakeprovider.OIDCKeyRSAPEM), 0o600))
	d.env = env
	must(t, os.MkdirAll(filepath.Join(h.home, ".config", "tokctl"), 0o700))
	must(t, os.WriteFile(filepath.Join(h.home, ".config", "tokctl", "config.yaml"), []byte(readmeConfig(t)), 0o600))

	der, err := x509.MarshalPKIXPublicKey(h.fake.PublicKey())
	must(t, err)
	must(t, os.WriteFile(filepath.Join(h.home, "public.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644))
	secret := "a-shared-secret-of-32-characters"
	must(t, os.WriteFile(filepath.Join(h.home, "hs256.secret"), []byte(secret+"\n"), 0o600))
	d.hs256Token = hs256JWT(secret, time.Now().Add(time.Hour))

	// $TOKEN: a live JWT the reader got earlier, without touching the store.
	r := h.run(d.env, "token", "get", "tilia", "--no-cache")
	if r.code != 0 {
		t.Fatalf("getting $TOKEN: %v", r)
	}
	d.env = append(d.env, "TOKEN="+strings.TrimSpace(r.stdout))
	return d
}

// readmeConfig is the config file the README's Configuration section shows,
// with the keycloak provider of its OpenID Connect section added.
func readmeConfig(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	must(t, err)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(raw), -1)
	var config, keycloak string
	for _, b := range blocks {
		switch {
		case strings.HasPrefix(b[1], "store: "):
			config = b[1]
		case strings.HasPrefix(b[1], "providers:\n  keycloak:"):
			keycloak = strings.TrimPrefix(b[1], "providers:\n")
		}
	}
	if config == "" || keycloak == "" {
		t.Fatal("README.md: the Configuration example (store: …) or the keycloak example is gone; update readmeConfig")
	}
	return config + keycloak
}

// run runs one snippet in bash; a --no-browser login gets its final
// address pasted, as a user whose browser runs elsewhere would.
func (d *docEnv) run(s snippet) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	script := "set -o pipefail\n" + strings.Join(s.exports, "\n") + "\n" + s.text + "\n"
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = d.dir
	cmd.Env = append(append([]string{}, d.env...), "TOKCTL_TILTIFY_REDIRECT_URI=http://localhost:"+freePort(d.t))
	if extra, ok := snippetEnv[s.text]; ok {
		cmd.Env = append(cmd.Env, extra(d)...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	if !strings.Contains(s.text, "--no-browser") {
		cmd.Stderr = &stderr
		err := cmd.Run()
		return "stdout:\n" + stdout.String() + "stderr:\n" + stderr.String(), err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	pasteErr := make(chan error, 1)
	go func() { pasteErr <- pasteRedirect(errPipe, stdin, &stderr) }()
	perr := <-pasteErr // the stderr pipe is drained before Wait
	err = cmd.Wait()
	out := "stdout:\n" + stdout.String() + "stderr:\n" + stderr.String()
	if perr != nil {
		return out, perr
	}
	return out, err
}

// pasteRedirect reads tokctl's stderr until it shows the login URL, plays
// the browser on another machine (approve at the provider, end on the
// redirect that does not load there) and pastes that address on stdin.
func pasteRedirect(stderr io.Reader, stdin io.WriteCloser, copyTo *bytes.Buffer) error {
	defer stdin.Close()
	sc := bufio.NewScanner(stderr)
	pasted := false
	var err error
	for sc.Scan() {
		line := sc.Text()
		copyTo.WriteString(line + "\n")
		if pasted || !strings.HasPrefix(line, "    http") {
			continue
		}
		pasted = true
		var final string
		if final, err = approveElsewhere(strings.TrimSpace(line)); err == nil {
			_, err = io.WriteString(stdin, final+"\n")
		}
	}
	if !pasted && err == nil {
		err = errors.New("no login URL on stderr")
	}
	return errors.Join(err, sc.Err())
}

// approveElsewhere opens the authorization URL and returns where the
// provider sends the browser, without going there.
func approveElsewhere(authURL string) (string, error) {
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "", fmt.Errorf("the authorization page answered %s, not a redirect", resp.Status)
	}
	return loc, nil
}

// hs256JWT is a token signed with secret, valid until exp.
func hs256JWT(secret string, exp time.Time) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{"sub": "docs", "iat": time.Now().Unix(), "exp": exp.Unix()})
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

// tokenRequests is how many requests the fake's token endpoints have had.
func (d *docEnv) tokenRequests() int {
	n := 0
	for route, c := range d.fake.Counts() {
		if strings.HasSuffix(route, ".token") {
			n += c
		}
	}
	return n
}

// tokctl runs tokctl in the reader's environment and returns its stdout.
func (d *docEnv) tokctl(args ...string) string {
	d.t.Helper()
	cmd := exec.Command("tokctl", args...)
	cmd.Dir, cmd.Env = d.dir, d.env
	out, err := cmd.Output()
	if err != nil {
		d.t.Fatalf("tokctl %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// freePort is a loopback port nothing listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
