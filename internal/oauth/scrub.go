package oauth

import (
	"encoding/json"
	"net/url"
	"strings"
)

// A provider's error text or logged body may quote a token or the secret
// tokctl just sent ("refresh token abc… is revoked"). What is shown of it
// goes through redactJWTs and scrubSent first.

// redactJWTs replaces anything shaped like a JWT (base64url parts joined by
// two dots, the first starting "eyJ") with its redacted prefix. It runs in
// linear time: provider text can be up to 1 MiB.
func redactJWTs(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "eyJ")
		if i < 0 {
			if b.Len() == 0 {
				return s
			}
			b.WriteString(s)
			return b.String()
		}
		n, ok := jwtLen(s[i:])
		b.WriteString(s[:i])
		if ok {
			b.WriteString(Redact(s[i : i+n]))
		} else {
			// No JWT starts anywhere in the scanned run either: from a later
			// "eyJ" the scan would end at the same place with fewer dots.
			b.WriteString(s[i : i+n])
		}
		s = s[i+n:]
	}
}

// jwtLen scans the base64url parts at the start of s and reports their
// length (at least 3) and whether they make a JWT.
func jwtLen(s string) (int, bool) {
	dots, n := 0, 0
	for ; n < len(s); n++ {
		c := s[n]
		if c == '.' && dots < 2 && n > 0 && s[n-1] != '.' {
			dots++
			continue
		}
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			break
		}
	}
	return max(n, 3), dots == 2
}

// minScrub is the shortest sent value scrubbed from provider text: shorter
// ones (a scope, "x") would mangle messages and are no secret.
const minScrub = 8

// sentSecrets are the secret and token values r sends: client secret,
// refresh token, code, code verifier, password.
func sentSecrets(r *Request) []string {
	var out []string
	add := func(name, v string) {
		if _, redacted := redactField(name, v); redacted && len(v) >= minScrub {
			out = append(out, v)
		}
	}
	for _, vals := range []url.Values{r.Form, r.Query} {
		for k, vs := range vals {
			for _, v := range vs {
				add(k, v)
			}
		}
	}
	if r.JSON != nil {
		var m map[string]any
		if b, err := json.Marshal(r.JSON); err == nil && json.Unmarshal(b, &m) == nil {
			for k, v := range m {
				if s, ok := v.(string); ok {
					add(k, s)
				}
			}
		}
	}
	if r.Basic != nil && len(r.Basic.Password) >= minScrub {
		out = append(out, r.Basic.Password, url.QueryEscape(r.Basic.Password))
	}
	return out
}

// scrubSent replaces every sent secret in s, and the start of one where
// clean's truncation ("…") cut it.
func scrubSent(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	head, cut := strings.CutSuffix(s, "…")
	if !cut {
		return s
	}
	for _, v := range secrets {
		for n := min(len(v)-1, len(head), 300); n >= 4; n-- { // clean keeps 300 bytes
			if strings.HasSuffix(head, v[:n]) {
				return head[:len(head)-n] + "[redacted]…"
			}
		}
	}
	return s
}
