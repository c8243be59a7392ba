package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenFields are fields whose values a log shows only by a short prefix,
// enough to tell two tokens apart.
var tokenFields = map[string]bool{
	"access_token": true, "refresh_token": true, "id_token": true, "token": true,
	"code": true, "device_code": true,
}

// secretFields are fields whose values a log never shows at all.
var secretFields = map[string]bool{
	"password": true, "assertion": true, "client_assertion": true, "code_verifier": true,
}

func isSecretField(name string) bool {
	n := strings.ToLower(name)
	return secretFields[n] || strings.Contains(n, "secret")
}

// redactField returns the loggable form of a field's value.
func redactField(name, v string) (string, bool) {
	switch {
	case isSecretField(name):
		return "[redacted]", true
	case tokenFields[strings.ToLower(name)]:
		return Redact(v), true
	}
	return v, false
}

// Redact keeps a short prefix of a token-like value so that logs can tell
// tokens apart without revealing them.
func Redact(v string) string {
	if len(v) <= 12 {
		return "[redacted]"
	}
	return v[:6] + "…[redacted]"
}

func (c *Client) logf(format string, args ...any) {
	if c.Verbose != nil {
		fmt.Fprintf(c.Verbose, format, args...)
	}
}

func (c *Client) logRequest(req *http.Request, r *Request) {
	if c.Verbose == nil {
		return
	}
	u := *req.URL
	u.RawQuery = encodeRedacted(u.Query())
	c.logf("> %s %s\n", req.Method, HideUserinfo(u.String()))
	for _, k := range []string{"Content-Type", "Authorization", "User-Agent"} {
		if v := req.Header.Get(k); v != "" {
			if k == "Authorization" {
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " [redacted]"
			}
			c.logf("> %s: %s\n", k, v)
		}
	}
	switch {
	case r.Form != nil:
		c.logf("> %s\n", encodeRedacted(r.Form))
	case r.JSON != nil:
		b, _ := json.Marshal(r.JSON)
		c.logf("> %s\n", redactJSON(b))
	}
}

func (c *Client) logResponse(resp *Response, took time.Duration, sent []string) {
	if c.Verbose == nil {
		return
	}
	c.logf("< %d %s (%s)\n", resp.Status, http.StatusText(resp.Status), took.Round(time.Millisecond))
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		c.logf("< Content-Type: %s\n", ct)
	}
	c.logf("< %s\n", scrubSent(redactJSON(resp.Body), sent))
}

// encodeRedacted form-encodes v with secret values redacted, leaving the
// redaction marks readable.
func encodeRedacted(v url.Values) string {
	s := redactValues(v).Encode()
	return strings.NewReplacer("%5Bredacted%5D", "[redacted]", "%E2%80%A6", "…").Replace(s)
}

func redactValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vals := range v {
		for _, val := range vals {
			val, _ = redactField(k, val)
			out.Add(k, val)
		}
	}
	return out
}

// redactJSON returns body with secret fields redacted; a body that is not
// JSON is described, not shown, since it could hold anything.
func redactJSON(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Sprintf("(%d bytes, not JSON)", len(body))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(redactAny(v))
	return strings.TrimSpace(buf.String())
}

func redactAny(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if s, ok := val.(string); ok {
				if r, redacted := redactField(k, s); redacted {
					t[k] = r
					continue
				}
			}
			t[k] = redactAny(val)
		}
	case []any:
		for i := range t {
			t[i] = redactAny(t[i])
		}
	case string:
		return redactJWTs(t) // a provider's text may quote a token
	}
	return v
}
