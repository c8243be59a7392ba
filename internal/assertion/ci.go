package assertion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/oauth"
)

// The CI sources of `client_assertion`.
const (
	// GitHubActions fetches the job's OIDC token from the Actions runtime.
	GitHubActions = "github-actions"
	envPrefix     = "env:"
	filePrefix    = "file:"
)

// GitHub's variables for the job's ID token request; set only in a job
// with `permissions: id-token: write`.
const (
	GitHubRequestURLVar   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	GitHubRequestTokenVar = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
)

// expiryMargin: a CI token with less left is fetched (or read) again
// rather than sent, so that it cannot expire on its way.
const expiryMargin = 30 * time.Second

// CheckCISource reports whether spec is a valid `client_assertion`:
// github-actions, env:VAR or file:PATH.
func CheckCISource(spec string) error {
	switch {
	case spec == GitHubActions:
	case strings.HasPrefix(spec, envPrefix) && len(spec) > len(envPrefix):
	case strings.HasPrefix(spec, filePrefix) && len(spec) > len(filePrefix):
	default:
		return fmt.Errorf("client_assertion must be %s, env:VARIABLE or file:PATH, not %q", GitHubActions, spec)
	}
	return nil
}

// CISource hands out an ID token the CI platform issued to the job, to be
// sent as the client assertion. It keeps the token it has while it is
// valid and gets another (GitHub: a new request; env and file: read
// again, since the platform may have rotated it) once it has expired.
type CISource struct {
	// Spec is the `client_assertion` setting.
	Spec string
	// Audience is asked for in GitHub's request (`client_assertion_audience`);
	// empty leaves GitHub's default.
	Audience string
	// Provider names the provider in errors.
	Provider string
	// HTTP sends GitHub's request.
	HTTP *oauth.Client
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	held    string
	heldExp time.Time
}

// Token returns a CI token with time left.
func (s *CISource) Token(ctx context.Context) (string, error) {
	now := s.now()
	if s.held != "" && (s.heldExp.IsZero() || s.heldExp.Sub(now) > expiryMargin) {
		return s.held, nil
	}
	s.held = ""
	// GitHub may hand out a token that is about to expire (or has, by a
	// skewed clock): ask once more before giving up.
	tries := 1
	if s.Spec == GitHubActions {
		tries = 2
	}
	var exp time.Time
	for range tries {
		tok, err := s.fetch(ctx)
		if err != nil {
			return "", err
		}
		exp = expiry(tok)
		if exp.IsZero() || exp.Sub(now) > expiryMargin {
			s.held, s.heldExp = tok, exp
			return tok, nil
		}
	}
	return "", &failure.LoginRequiredError{Provider: s.Provider,
		Reason: fmt.Sprintf("the CI token from %s expired at %s", s.where(), exp.UTC().Format(time.RFC3339)),
		Hint:   s.expiredHint()}
}

func (s *CISource) fetch(ctx context.Context) (string, error) {
	switch {
	case s.Spec == GitHubActions:
		return s.github(ctx)
	case strings.HasPrefix(s.Spec, envPrefix):
		name := strings.TrimPrefix(s.Spec, envPrefix)
		tok := strings.TrimSpace(s.getenv(name))
		if tok == "" {
			return "", &failure.LoginRequiredError{Provider: s.Provider,
				Reason: fmt.Sprintf("client_assertion is env:%s, but $%s is empty or not set", name, name),
				Hint:   fmt.Sprintf("have the CI job provide it (GitLab: declare %s under the job's `id_tokens:` with the `aud` the provider expects)", name)}
		}
		return tok, nil
	default:
		path := strings.TrimPrefix(s.Spec, filePrefix)
		raw, err := readSmall(path)
		tok := strings.TrimSpace(string(raw))
		if err != nil || tok == "" {
			reason := fmt.Sprintf("the CI token file %s is empty", path)
			if err != nil {
				reason = fmt.Sprintf("cannot read the CI token file: %v", err)
			}
			return "", &failure.LoginRequiredError{Provider: s.Provider, Reason: reason,
				Hint: "have the platform write it there (Kubernetes: a projected serviceAccountToken volume)"}
		}
		return tok, nil
	}
}

// github asks the Actions runtime for the job's ID token: GET
// $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD with the request token as
// a bearer token; the answer is {"value": "<JWT>"}.
func (s *CISource) github(ctx context.Context) (string, error) {
	rawURL, reqToken := s.getenv(GitHubRequestURLVar), s.getenv(GitHubRequestTokenVar)
	if rawURL == "" || reqToken == "" {
		return "", &failure.LoginRequiredError{Provider: s.Provider,
			Reason: fmt.Sprintf("client_assertion is github-actions, but %s and %s are not set, so GitHub gave this job no ID token", GitHubRequestURLVar, GitHubRequestTokenVar),
			Hint:   "grant the job `permissions: id-token: write` in the workflow (and run tokctl in that job's steps)"}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", &failure.ConfigError{Provider: s.Provider, Msg: fmt.Sprintf("%s is not a URL", GitHubRequestURLVar)}
	}
	q := u.Query()
	if s.Audience != "" {
		q.Set("audience", s.Audience)
	}
	u.RawQuery = q.Encode()
	resp, err := s.HTTP.Do(ctx, &oauth.Request{Provider: s.Provider, Method: "GET", URL: u.String(), Bearer: reqToken})
	if err != nil {
		return "", err
	}
	what := "GitHub's ID token endpoint"
	switch {
	case resp.Status == 401 || resp.Status == 403:
		return "", &failure.CredentialsRejectedError{Provider: s.Provider, Status: resp.Status,
			Detail: what + " refused the request token",
			Hint:   "check that the job has `permissions: id-token: write` and that the request runs in the same job"}
	case resp.Status >= 500 || resp.Status == 429:
		return "", &failure.UnavailableError{Provider: s.Provider, Status: resp.Status, Detail: what + " is failing"}
	case resp.Status != 200:
		return "", &failure.ProviderError{Provider: s.Provider, Status: resp.Status, Detail: what + " refused the request",
			Hint: "check client_assertion_audience"}
	}
	var body struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil || body.Value == "" {
		return "", &failure.UnavailableError{Provider: s.Provider, Status: resp.Status, Detail: what + " sent no token (want JSON with a \"value\")"}
	}
	return body.Value, nil
}

func (s *CISource) where() string {
	switch {
	case s.Spec == GitHubActions:
		return "GitHub Actions"
	case strings.HasPrefix(s.Spec, envPrefix):
		return "$" + strings.TrimPrefix(s.Spec, envPrefix)
	}
	return strings.TrimPrefix(s.Spec, filePrefix)
}

func (s *CISource) expiredHint() string {
	if s.Spec == GitHubActions {
		return "check the runner's clock"
	}
	return "CI tokens are short-lived: have the platform issue a fresh one (re-run the job, or let the kubelet rotate the file)"
}

func (s *CISource) getenv(name string) string {
	if s.Getenv != nil {
		return s.Getenv(name)
	}
	return os.Getenv(name)
}

func (s *CISource) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// expiry is the exp of a JWT, read without verification (the provider
// verifies it); zero when tok is no JWT or has no exp.
func expiry(tok string) time.Time {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	raw, err := b64Decode(parts[1])
	if err != nil {
		return time.Time{}
	}
	var c struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return time.Time{}
	}
	secs, err := c.Exp.Int64()
	if err != nil {
		if f, ferr := c.Exp.Float64(); ferr == nil {
			secs = int64(f)
		} else {
			return time.Time{}
		}
	}
	return time.Unix(secs, 0)
}

// readSmall reads a token file of at most 64 KiB.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, 64<<10+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > 64<<10 {
		return nil, errors.New(path + " is larger than 64 KiB")
	}
	return raw, nil
}
