package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
)

// MaxResponseBytes caps a token endpoint's answer; larger ones are refused.
const MaxResponseBytes = 1 << 20

// Client sends token requests. The zero value is usable; the underlying
// http.Client is built on first use so that commands that never touch the
// network never pay for it.
type Client struct {
	// UserAgent is sent with every request ("tokctl/<version>").
	UserAgent string
	// Verbose, when set, receives a redacted log of every request and response.
	Verbose io.Writer
	// MaxAttempts bounds tries of one request (default 4).
	MaxAttempts int
	// MaxRetryWait bounds the total time spent waiting between tries (default 20s).
	MaxRetryWait time.Duration
	// RequestTimeout bounds one try, connection included (default 30s).
	RequestTimeout time.Duration
	// HTTPClient replaces the default transport (tests).
	HTTPClient *http.Client

	once sync.Once
	hc   *http.Client

	// now and sleep are the clock of the retries; nil means the real one
	// (tests run the retries on a fake clock).
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func (c *Client) clockNow() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	return sleep(ctx, d)
}

// BasicAuth is HTTP Basic client authentication.
type BasicAuth struct {
	User, Password string
	// FormEncode applies RFC 6749 §2.3.1: form-urlencode both parts before base64.
	FormEncode bool
}

// Request is one token-endpoint request. Exactly one of Form and JSON may be
// set; Query is appended to URL.
type Request struct {
	Provider string
	Method   string
	URL      string
	Query    url.Values
	Form     url.Values
	JSON     any
	Basic    *BasicAuth
	// Bearer, when set, is sent as "Authorization: Bearer …" (a CI
	// platform's request token).
	Bearer string
	// Sign, when set, runs before every try and may set form fields that
	// must differ between tries: a JWT client assertion's jti is good for
	// one request only.
	Sign func(ctx context.Context, form url.Values) error
	// RetryAfter reads a provider-specific wait hint from a 429 or 5xx answer
	// (its status and headers) that has no Retry-After header (e.g. ILS's
	// X-Rate-Limit-Reset, a wait only once the quota is spent). No hint means
	// the normal backoff.
	RetryAfter func(status int, h http.Header) (time.Duration, bool)
	// Accept is the Accept header; empty means application/json.
	Accept string
}

// tooLarge is the Detail of the error for an answer over MaxResponseBytes.
const tooLarge = "response larger than 1 MiB refused"

// IsTooLarge reports whether err is Do's refusal of an answer over
// MaxResponseBytes, for callers that say it in their own words.
func IsTooLarge(err error) bool {
	var ue *failure.UnavailableError
	return errors.As(err, &ue) && ue.Detail == tooLarge
}

// Response is a token endpoint's answer, its body capped at MaxResponseBytes.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends r, retrying network errors, 5xx and 429 with exponential backoff
// and jitter (honouring Retry-After), bounded by MaxAttempts and
// MaxRetryWait. A 5xx or 429 that outlives the retries is returned as a
// Response for the caller to classify; a network failure as an error.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	if err := CheckEndpoint(r.Provider, r.URL); err != nil {
		return nil, err
	}
	maxAttempts := orDefault(c.MaxAttempts, 4)
	maxWait := orDefault(c.MaxRetryWait, 20*time.Second)
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		resp, err := c.try(ctx, r)
		if ctx.Err() != nil {
			return nil, &failure.UnavailableError{Provider: r.Provider, Detail: "gave up", Err: timeoutErr(ctx)}
		}
		if !retryable(resp, err) || attempt >= maxAttempts {
			return resp, wrapNetErr(r.Provider, err)
		}
		wait := backoff(attempt)
		if resp != nil {
			if hint, ok := retryHint(c.clockNow(), resp.Status, resp.Header, r.RetryAfter); ok {
				wait = hint
			}
		}
		if waited+wait > maxWait {
			return resp, wrapNetErr(r.Provider, err)
		}
		c.logf("tokctl: retrying in %s (attempt %d of %d)\n", wait.Round(time.Millisecond), attempt+1, maxAttempts)
		if err := c.wait(ctx, wait); err != nil {
			return nil, &failure.UnavailableError{Provider: r.Provider, Detail: "gave up", Err: timeoutErr(ctx)}
		}
		waited += wait
	}
}

// orDefault is v when it is set (positive), def otherwise.
func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func retryable(resp *Response, err error) bool {
	// An answer read and refused (too large) or a request that cannot be
	// built (a client assertion that cannot be made) gives the same result
	// when tried again.
	if isFinal(err) {
		return false
	}
	if err != nil {
		return true
	}
	return resp.Status == http.StatusTooManyRequests || resp.Status >= 500
}

// backoff is full-jitter exponential backoff: 250ms, 500ms, 1s, … capped at 4s.
func backoff(attempt int) time.Duration {
	base := 4 * time.Second
	if attempt <= 5 { // larger shifts overflow
		base = min(250*time.Millisecond<<(attempt-1), base)
	}
	return base/2 + rand.N(base/2+1)
}

// maxRetryAfter caps a Retry-After in seconds; anything near it exceeds MaxRetryWait anyway.
const maxRetryAfter = 24 * 3600

// retryHint reads Retry-After (seconds or HTTP-date, from now), else the provider's own hint.
func retryHint(now time.Time, status int, h http.Header, providerHint func(int, http.Header) (time.Duration, bool)) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
			// Cap before multiplying: a huge value would overflow to a negative wait.
			return time.Duration(min(secs, maxRetryAfter)) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if providerHint != nil {
		return providerHint(status, h)
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func timeoutErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return errors.New("timed out (see --timeout)")
	}
	return errors.New("interrupted")
}

func wrapNetErr(provider string, err error) error {
	if err == nil {
		return nil
	}
	if isFinal(err) {
		return err
	}
	return &failure.UnavailableError{Provider: provider, Err: err}
}

// isFinal reports whether err already says what went wrong, with its exit
// code: no retry, no wrapping.
func isFinal(err error) bool {
	var (
		ue *failure.UnavailableError
		ce *failure.ConfigError
		le *failure.LoginRequiredError
		re *failure.CredentialsRejectedError
		pe *failure.ProviderError
	)
	return errors.As(err, &ue) || errors.As(err, &ce) || errors.As(err, &le) || errors.As(err, &re) || errors.As(err, &pe)
}

// try sends r once.
func (c *Client) try(ctx context.Context, r *Request) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(c.RequestTimeout, 30*time.Second))
	defer cancel()
	req, err := c.build(ctx, r)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	c.logRequest(req, r)
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, describeNetErr(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, describeNetErr(err)
	}
	if len(body) > MaxResponseBytes {
		return nil, &failure.UnavailableError{Provider: r.Provider, Status: resp.StatusCode, Detail: tooLarge}
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	c.logResponse(out, time.Since(start), sentSecrets(r))
	return out, nil
}

// build turns r into an *http.Request.
func (c *Client) build(ctx context.Context, r *Request) (*http.Request, error) {
	if r.Sign != nil {
		if err := r.Sign(ctx, r.Form); err != nil {
			return nil, err
		}
	}
	u := r.URL
	if len(r.Query) > 0 {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + r.Query.Encode()
	}
	var body io.Reader
	var contentType string
	switch {
	case r.Form != nil:
		body, contentType = strings.NewReader(r.Form.Encode()), "application/x-www-form-urlencoded"
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, err
		}
		body, contentType = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u, body)
	if err != nil {
		// url.Error quotes the whole URL, userinfo included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &failure.ConfigError{Provider: r.Provider, Msg: fmt.Sprintf("invalid token URL %s: %v", HideUserinfo(r.URL), err)}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	accept := r.Accept
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.userAgent())
	if r.Basic != nil {
		user, pass := r.Basic.User, r.Basic.Password
		if r.Basic.FormEncode {
			user, pass = url.QueryEscape(user), url.QueryEscape(pass)
		}
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	}
	if r.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.Bearer)
	}
	return req, nil
}

func (c *Client) userAgent() string {
	if c.UserAgent != "" {
		return c.UserAgent
	}
	return "tokctl"
}

func (c *Client) client() *http.Client {
	c.once.Do(func() {
		if c.HTTPClient != nil {
			c.hc = c.HTTPClient
			return
		}
		dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
		c.hc = &http.Client{
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           dialer.DialContext,
				TLSHandshakeTimeout:   10 * time.Second,
				ResponseHeaderTimeout: 30 * time.Second,
				// HTTP/1.1 only, whatever the build: one request per run gains
				// nothing from HTTP/2, and releases leave it out of the binary
				// (-tags nethttpomithttp2, see .goreleaser.yaml).
			},
			// A token endpoint that redirects is misconfigured; following it
			// could resend credentials elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
	return c.hc
}

// describeNetErr shortens net/http's errors, which repeat the URL.
func describeNetErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errors.New("request timed out")
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		inner := oe.Err
		var se *os.SyscallError // "connect: connection refused" would say connect twice
		if errors.As(inner, &se) {
			inner = se.Err
		}
		return fmt.Errorf("cannot connect: %v", inner)
	}
	// A bare "EOF" tells a user nothing.
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the connection closed in the middle of the answer")
	}
	if errors.Is(err, io.EOF) {
		return errors.New("the connection closed without an answer")
	}
	return err
}

// CheckEndpoint refuses anything but https, except plain http on loopback.
func CheckEndpoint(provider, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return &failure.ConfigError{Provider: provider, Msg: fmt.Sprintf("invalid endpoint URL %q", HideUserinfo(raw))}
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return &failure.ConfigError{Provider: provider, Msg: fmt.Sprintf("refusing plain-http endpoint %s: use https (http is allowed only on loopback)", HideUserinfo(raw))}
	}
	return &failure.ConfigError{Provider: provider, Msg: fmt.Sprintf("unsupported URL scheme %q in %s", u.Scheme, HideUserinfo(raw))}
}

// IsLoopback reports whether host (a URL's Hostname) is localhost or a loopback
// IP address. It is the one rule for where plain http is allowed: token and
// discovery endpoints, JWKS URLs, pages handed to a browser. (The redirect
// listener accepts only the three host forms it binds; see package loopback.)
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
