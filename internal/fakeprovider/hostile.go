package fakeprovider

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"text/template"
)

// The hostile side of fault injection: a provider that echoes what the client
// sent (FaultRequest in a templated Body or Patch) or rewrites fields of its
// own answers (FaultPatch), for tests of what tokctl does with text it must
// not trust.

// FaultRequest is what a templated fault sees of the request it answers.
type FaultRequest struct {
	// Form holds the form body's and the query's parameters (first values).
	Form map[string]string
	// JSON holds the string fields of a JSON object body.
	JSON map[string]string
	// Header holds the request's headers (first values), e.g. "Authorization".
	Header map[string]string
	// BasicUser and BasicPassword are the HTTP Basic credentials as sent, before
	// any form-decoding (RFC 6749 §2.3.1 form-encodes them).
	BasicUser, BasicPassword string
}

// faultFuncs encode echoed values the ways a provider might quote them.
var faultFuncs = template.FuncMap{
	"query": url.QueryEscape,
	// unquery form-decodes, e.g. a Basic password sent form-encoded.
	"unquery": func(s string) string {
		if u, err := url.QueryUnescape(s); err == nil {
			return u
		}
		return s
	},
	"path":   url.PathEscape,
	"base64": func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	// json escapes s for the inside of a JSON string.
	"json": func(s string) string {
		b, _ := json.Marshal(s)
		return string(b[1 : len(b)-1])
	},
}

// maxEchoBody bounds how much of a request a templated fault reads.
const maxEchoBody = 1 << 20

// readFaultRequest collects r's parameters and puts its body back for the
// route, which may still read it (FaultPatch).
func readFaultRequest(r *http.Request) *FaultRequest {
	fr := &FaultRequest{Form: map[string]string{}, JSON: map[string]string{}, Header: map[string]string{}}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxEchoBody))
	r.Body = io.NopCloser(bytes.NewReader(body))
	for k := range r.Header {
		fr.Header[k] = r.Header.Get(k)
	}
	fr.BasicUser, fr.BasicPassword, _ = r.BasicAuth()
	add := func(v url.Values) {
		for k := range v {
			fr.Form[k] = v.Get(k)
		}
	}
	if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
		add(q)
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), formType) {
		if v, err := url.ParseQuery(string(body)); err == nil {
			add(v)
		}
	}
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil {
		for k, v := range obj {
			if s, ok := v.(string); ok {
				fr.JSON[k] = s
			}
		}
	}
	return fr
}

// expand returns f with its Body and Patch strings expanded for req.
func (f Fault) expand(req *FaultRequest) (Fault, error) {
	run := func(text string) (string, error) {
		t, err := template.New("fault").Funcs(faultFuncs).Option("missingkey=zero").Parse(text)
		if err != nil {
			return "", fmt.Errorf("fakeprovider: bad fault template: %v", err)
		}
		var b strings.Builder
		if err := t.Execute(&b, req); err != nil {
			return "", fmt.Errorf("fakeprovider: fault template: %v", err)
		}
		return b.String(), nil
	}
	var err error
	if f.Body, err = run(f.Body); err != nil {
		return f, err
	}
	if f.Patch != nil {
		f.Patch = maps.Clone(f.Patch)
		for k, v := range f.Patch {
			if s, ok := v.(string); ok {
				if f.Patch[k], err = run(s); err != nil {
					return f, err
				}
			}
		}
	}
	return f, nil
}

// patchResponse runs the route's handler h and answers with its answer,
// patch applied to its JSON object body; any other body is passed on as is.
func patchResponse(w http.ResponseWriter, r *http.Request, patch map[string]any, h http.HandlerFunc) {
	rec := httptest.NewRecorder()
	h(rec, r)
	body := rec.Body.Bytes()
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil && obj != nil {
		for k, v := range patch {
			if v == nil {
				delete(obj, k)
			} else {
				obj[k] = v
			}
		}
		body, _ = json.Marshal(obj)
	}
	maps.Copy(w.Header(), rec.Header())
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}
