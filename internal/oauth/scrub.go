package oauth

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
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

// sentSecrets are the secret and token values r sends (client secret,
// refresh token, code, code verifier, password, a token being revoked), each
// in every form a provider might echo it: raw, form-encoded
// (url.QueryEscape), path-encoded, and for HTTP Basic the base64 of
// "id:secret" both plain and form-encoded as RFC 6749 §2.3.1 sends it.
func sentSecrets(r *Request) []string {
	var out []string
	add := func(v string) {
		if len(v) < minScrub {
			return
		}
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			if !slices.Contains(out, form) {
				out = append(out, form)
			}
		}
	}
	addField := func(name, v string) {
		if _, redacted := redactField(name, v); redacted {
			add(v)
		}
	}
	for _, vals := range []url.Values{r.Form, r.Query} {
		for k, vs := range vals {
			for _, v := range vs {
				addField(k, v)
			}
		}
	}
	if r.JSON != nil {
		var m map[string]any
		if b, err := json.Marshal(r.JSON); err == nil && json.Unmarshal(b, &m) == nil {
			for k, v := range m {
				if s, ok := v.(string); ok {
					addField(k, s)
				}
			}
		}
	}
	if len(r.Bearer) >= minScrub {
		add(r.Bearer)
	}
	if b := r.Basic; b != nil && len(b.Password) >= minScrub {
		add(b.Password)
		for _, pair := range []string{b.User + ":" + b.Password, url.QueryEscape(b.User) + ":" + url.QueryEscape(b.Password)} {
			// Padded and not: the longer one is replaced first.
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
				if e := enc.EncodeToString([]byte(pair)); !slices.Contains(out, e) {
					out = append(out, e)
				}
			}
		}
	}
	// Longest first, so that a form containing another is replaced whole.
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// ReadError reads a provider's error answer to r with parse (RFC 6749 §5.2
// when nil) and removes from it every secret r sent, in any of the forms
// sentSecrets knows. Every path that turns an error body into a message
// (token, device authorization, revocation) goes through it.
func ReadError(r *Request, resp *Response, parse func(status int, body []byte) ErrorInfo) ErrorInfo {
	if parse == nil {
		parse = ParseRFC6749Error
	}
	info := parse(resp.Status, resp.Body)
	secrets := sentSecrets(r)
	info.Code, info.Description = scrubSent(info.Code, secrets), scrubSent(info.Description, secrets)
	if info.Code == "" && info.Description == "" && !looksJSON(resp.Body) && len(resp.Body) > 0 {
		info.Description = describeNonJSON(resp.Body)
	}
	return info
}

// HideUserinfo returns the URL raw without its userinfo ("user:password@"),
// for messages and listings; raw need not parse.
func HideUserinfo(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		rest, scheme = raw, ""
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	if ok {
		return scheme + "://" + rest[at+1:]
	}
	return rest[at+1:]
}

// scrubSent replaces every sent secret in s, and the start of one where
// Clean's truncation ("…") cut it.
func scrubSent(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	head, cut := strings.CutSuffix(s, "…")
	if !cut {
		return s
	}
	for _, v := range secrets {
		for n := min(len(v)-1, len(head), 300); n >= 4; n-- { // Clean keeps 300 bytes
			if strings.HasSuffix(head, v[:n]) {
				return head[:len(head)-n] + "[redacted]…"
			}
		}
	}
	return s
}
