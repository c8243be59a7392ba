package oauth

import (
	"strings"
	"testing"
	"time"
	"unicode"
)

// FuzzParseDeviceAuth: any answer to a device authorization request is
// parsed without a panic, and an accepted one has what polling relies on
// and nothing that would hide or rewrite text on the terminal it is shown on.
func FuzzParseDeviceAuth(f *testing.F) {
	for _, seed := range []string{
		`{"device_code":"d","user_code":"ABCD-EFGH","verification_uri":"https://idp/device","expires_in":600,"interval":5}`,
		`{"device_code":"d","user_code":"u","verification_url":"https://idp/device","expires_in":"1800"}`,
		`{"device_code":"d","user_code":"u","verification_uri":"x","expires_in":1e300,"interval":"9300000000"}`,
		`{"device_code":"d","user_code":"AB\u00adCD\u202e","verification_uri":"https://idp/device","expires_in":600}`,
		`<html></html>`, `{}`, `{"device_code":null}`, `[1]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		da, err := ParseDeviceAuth(body)
		if err != nil {
			return
		}
		if da.DeviceCode == "" || da.UserCode == "" || da.VerificationURI == "" {
			t.Fatalf("accepted without a required field: %+v", da)
		}
		if da.Interval <= 0 || da.ExpiresIn <= 0 || da.Interval > 1e7*time.Second || da.ExpiresIn > 1e7*time.Second {
			t.Fatalf("interval %v, expires_in %v out of range", da.Interval, da.ExpiresIn)
		}
		// U+FFFD may stay: JSON puts it for bytes that are not UTF-8, and it shows.
		hidden := func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }
		for name, v := range map[string]string{"user_code": da.UserCode, "verification_uri": da.VerificationURI, "verification_uri_complete": da.VerificationURIComplete} {
			if strings.ContainsFunc(v, hidden) {
				t.Fatalf("%s %q is shown with a control or invisible character", name, v)
			}
		}
	})
}
