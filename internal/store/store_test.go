package store

import (
	"errors"
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
			if err := f.Set(t.Context(), TokenKey("tiki"), []byte(tt.raw)); err != nil {
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
	if _, err := LoadRecord(t.Context(), f, "tiki"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("nothing stored: err = %v, want ErrNotFound", err)
	}
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	in := &Record{Provider: "tiki", Endpoint: "https://x/token", AccessToken: "at", Expiry: exp, Scopes: []string{"a"}}
	if err := SaveRecord(t.Context(), f, in); err != nil {
		t.Fatal(err)
	}
	out, err := LoadRecord(t.Context(), f, "tiki")
	if err != nil {
		t.Fatal(err)
	}
	if out.AccessToken != "at" || !out.Expiry.Equal(exp) || out.Version != recordVersion || len(out.Scopes) != 1 {
		t.Errorf("round trip: %+v", out)
	}
}
