package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadRecord(t *testing.T) {
	tests := []struct {
		name    string
		raw     string // "" means nothing stored
		corrupt bool
	}{
		{"not json", "garbage", true},
		{"truncated", `{"v":1,"provider":"tiki","endpoint":"https://x","access_tok`, true},
		{"empty value", " ", true},
		{"no access token", `{"v":1,"provider":"tiki","endpoint":"https://x"}`, true},
		{"no endpoint", `{"v":1,"provider":"tiki","access_token":"at"}`, true},
		{"unknown version", `{"v":2,"provider":"tiki","endpoint":"https://x","access_token":"at"}`, true},
		{"wrong type", `{"v":"1","provider":"tiki","endpoint":"https://x","access_token":"at"}`, true},
		{"complete", `{"v":1,"provider":"tiki","endpoint":"https://x","access_token":"at"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := File{Dir: t.TempDir()}
			if err := f.Set(t.Context(), "tiki", []byte(tt.raw)); err != nil {
				t.Fatal(err)
			}
			r, err := LoadRecord(t.Context(), f, "tiki")
			var ce *CorruptError
			if got := errors.As(err, &ce); got != tt.corrupt {
				t.Fatalf("LoadRecord = %+v, %v; want corrupt=%v", r, err, tt.corrupt)
			}
			if tt.corrupt && ce.Key != "tiki" {
				t.Errorf("CorruptError.Key = %q", ce.Key)
			}
			if !tt.corrupt && (r == nil || r.AccessToken != "at") {
				t.Errorf("LoadRecord = %+v", r)
			}
		})
	}
}

func TestSaveLoadRecord(t *testing.T) {
	f := File{Dir: t.TempDir()}
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	in := &Record{Provider: "tiki", Endpoint: "https://x/token", AccessToken: "at", Expiry: exp, Scopes: []string{"a"}}
	if _, err := LoadRecord(t.Context(), f, in.Key()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("nothing stored: err = %v, want ErrNotFound", err)
	}
	if err := SaveRecord(t.Context(), f, in); err != nil {
		t.Fatal(err)
	}
	out, err := LoadRecord(t.Context(), f, in.Key())
	if err != nil {
		t.Fatal(err)
	}
	if out.AccessToken != "at" || !out.Expiry.Equal(exp) || out.Version != recordVersion || len(out.Scopes) != 1 {
		t.Errorf("round trip: %+v", out)
	}
}

// FuzzDecodeRecord holds decodeRecord to json.Unmarshal, whose work it
// does without reflection: never more lenient, and the same record whenever
// the keys are spelt exactly (json.Unmarshal also matches keys that differ
// in case, which tokctl never writes).
func FuzzDecodeRecord(f *testing.F) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
	full, err := json.Marshal(&Record{Version: 1, Provider: "tiki", Endpoint: "https://x/token", ClientID: "c",
		AccessToken: "at", TokenType: "Bearer", RefreshToken: "rt", IDToken: "id", Expiry: exp,
		Scopes: []string{"a", "b"}, RequestedScopes: []string{}, ObtainedAt: exp})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{string(full), `{}`, `null`, `[]`, `{"v":1,"v":2}`, `{"V":3}`, `{"x":{"y":[1,null]}}`,
		`{"scopes":null,"expiry":"2030-01-02T03:04:05Z"}`, `{"v":1} {}`, `{"access_token":"a\u00e9\/b"}`, `{"v":1.5}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if foldedKey(raw) {
			return
		}
		ours, oursErr := decodeRecord(raw)
		var theirs Record
		theirsErr := json.Unmarshal(raw, &theirs)
		if oursErr == nil && theirsErr != nil {
			t.Fatalf("decodeRecord accepted what json.Unmarshal refuses (%v): %q", theirsErr, raw)
		}
		if oursErr != nil {
			if theirsErr == nil && string(bytes.TrimSpace(raw)) != "null" {
				t.Fatalf("decodeRecord refused (%v) what json.Unmarshal accepts: %q", oursErr, raw)
			}
			return
		}
		if !reflect.DeepEqual(*ours, theirs) {
			t.Fatalf("decodeRecord = %+v\njson.Unmarshal = %+v\ninput %q", *ours, theirs, raw)
		}
	})
}

// foldedKey reports whether the object in raw has a key that json.Unmarshal
// would match to a Record field without being spelt like it.
func foldedKey(raw []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	fields := []string{"v", "provider", "endpoint", "client_id", "access_token", "token_type", "refresh_token",
		"id_token", "expiry", "scopes", "requested_scopes", "obtained_at"}
	for k := range m {
		for _, f := range fields {
			if k != f && strings.EqualFold(k, f) {
				return true
			}
		}
	}
	return false
}

// FuzzEncodeRecord holds encodeRecord to json.Marshal, byte for byte, and
// checks that decodeRecord reads back what it wrote.
func FuzzEncodeRecord(f *testing.F) {
	f.Add(1, "tiki", "https://x/token", "c", "at", "Bearer", "rt", "id", int64(1893553445), int64(6), "a b", "", int64(1764460800))
	f.Add(0, "", "", "", "", "", "", "", int64(0), int64(0), "", "", int64(0))
	f.Add(-7, "<&>\u2028", "\x00\xff", "é", "\"\\", "", "", "", int64(-62135596800), int64(0), "x", "y z", int64(253402300799))
	f.Fuzz(func(t *testing.T, v int, provider, endpoint, clientID, access, tokenType, refresh, id string,
		expSec, expNsec int64, scopes, requested string, obtainedSec int64) {
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, " ")
		}
		r := &Record{Version: v, Provider: provider, Endpoint: endpoint, ClientID: clientID, AccessToken: access,
			TokenType: tokenType, RefreshToken: refresh, IDToken: id, Scopes: split(scopes), RequestedScopes: split(requested)}
		if expSec != 0 || expNsec != 0 {
			r.Expiry = time.Unix(expSec, expNsec%1e9).UTC()
		}
		r.ObtainedAt = time.Unix(obtainedSec, 0).UTC()
		want, wantErr := json.Marshal(r)
		got, gotErr := encodeRecord(r)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("encodeRecord error %v, json.Marshal error %v", gotErr, wantErr)
		}
		if wantErr != nil {
			return
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("encodeRecord =\n%s\njson.Marshal =\n%s", got, want)
		}
		back, err := decodeRecord(got)
		if err != nil {
			t.Fatalf("decodeRecord(encodeRecord(r)): %v\n%s", err, got)
		}
		var viaJSON Record
		if err := json.Unmarshal(want, &viaJSON); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*back, viaJSON) {
			t.Fatalf("round trip: %+v\nwant %+v", *back, viaJSON)
		}
	})
}
