package fakeprovider

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxBody bounds request bodies; real token requests are a few hundred bytes.
const maxBody = 64 << 10

const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

// fields is a request's parameters, each present exactly once.
type fields map[string]string

// readForm reads a POST whose only input is a form-encoded body.
func readForm(w http.ResponseWriter, r *http.Request) (fields, error) {
	body, err := readBody(w, r, formType)
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errors.New("body is not valid form encoding")
	}
	return unique(v)
}

// readJSON reads a POST whose only input is a JSON object of string values.
func readJSON(w http.ResponseWriter, r *http.Request) (fields, error) {
	body, err := readBody(w, r, jsonType)
	if err != nil {
		return nil, err
	}
	return decodeStringObject(body)
}

// readQuery reads a GET whose only input is its query string.
func readQuery(r *http.Request) (fields, error) {
	if r.Method != http.MethodGet {
		return nil, fmt.Errorf("method %s not allowed: use GET with query parameters", r.Method)
	}
	if r.ContentLength != 0 {
		return nil, errors.New("a request body is not allowed: send query parameters")
	}
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errors.New("query string is not valid form encoding")
	}
	return unique(v)
}

func readBody(w http.ResponseWriter, r *http.Request, contentType string) ([]byte, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("method %s not allowed: use POST", r.Method)
	}
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		return nil, errors.New("query parameters are not allowed: send them in the body")
	}
	if err := checkContentType(r, contentType); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, errors.New("body is unreadable or too large")
	}
	return body, nil
}

// checkContentType accepts the media type with at most a UTF-8 charset parameter.
func checkContentType(r *http.Request, want string) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != want {
		return fmt.Errorf("Content-Type must be %s", want)
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return fmt.Errorf("Content-Type must be %s", want)
		}
	}
	return nil
}

func unique(v url.Values) (fields, error) {
	out := make(fields, len(v))
	for k, vals := range v {
		if len(vals) != 1 {
			return nil, fmt.Errorf("parameter %q is repeated", k)
		}
		out[k] = vals[0]
	}
	return out, nil
}

// decodeStringObject parses exactly one JSON object whose values are all strings.
// It compares keys exactly, unlike encoding/json's case-insensitive struct matching,
// so "ClientId" or "client_id" never pass for "clientId".
func decodeStringObject(body []byte) (fields, error) {
	errShape := errors.New("body must be one JSON object with string values")
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errShape
	}
	out := fields{}
	for dec.More() {
		key, val, err := nextStringMember(dec)
		if err != nil {
			return nil, errShape
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("field %q is repeated", key)
		}
		out[key] = val
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errShape
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errShape
	}
	return out, nil
}

func nextStringMember(dec *json.Decoder) (string, string, error) {
	tok, err := dec.Token()
	key, ok := tok.(string)
	if err != nil || !ok {
		return "", "", errors.New("bad key")
	}
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil || len(raw) == 0 || raw[0] != '"' {
		return "", "", errors.New("bad value")
	}
	var val string
	err = json.Unmarshal(raw, &val)
	return key, val, err
}

// only checks that f holds every required field, non-empty, and nothing else but optional ones.
func (f fields) only(required, optional []string) error {
	for _, k := range required {
		if _, ok := f[k]; !ok {
			return fmt.Errorf("missing required parameter %q", k)
		}
	}
	for k, v := range f {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			return fmt.Errorf("unexpected parameter %q", k)
		}
		if v == "" {
			return fmt.Errorf("parameter %q is empty", k)
		}
	}
	return nil
}

// has reports whether the parameter was sent.
func (f fields) has(k string) bool {
	_, ok := f[k]
	return ok
}

// basicAuth decodes an RFC 6749 §2.3.1 Basic header: base64 of the form-urlencoded
// id and secret joined by a colon. ok is false when there is no Authorization header.
func basicAuth(r *http.Request) (id, secret string, ok bool, err error) {
	h := r.Header.Values("Authorization")
	if len(h) == 0 {
		return "", "", false, nil
	}
	errBad := errors.New("malformed Authorization header: want Basic base64(urlencode(id):urlencode(secret))")
	scheme, payload, found := strings.Cut(h[0], " ")
	if len(h) > 1 || !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", true, errBad
	}
	raw, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return "", "", true, errBad
	}
	rawID, rawSecret, found := strings.Cut(string(raw), ":")
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	if !found || err1 != nil || err2 != nil || id == "" {
		return "", "", true, errBad
	}
	return id, secret, true, nil
}

// splitScope splits a scope parameter on sep; every part must be non-empty and free of
// whitespace. An absent or empty parameter gives no scopes.
func splitScope(s, sep string) ([]string, bool) {
	if s == "" {
		return []string{}, true
	}
	parts := strings.Split(s, sep)
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, " \t\r\n") {
			return nil, false
		}
	}
	return parts, true
}

// subset reports whether every requested scope is among the granted ones.
func subset(requested, granted []string) bool {
	for _, s := range requested {
		if !slices.Contains(granted, s) {
			return false
		}
	}
	return true
}
