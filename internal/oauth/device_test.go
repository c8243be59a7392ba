package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
)

func TestParseDeviceAuth(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    *DeviceAuth
		wantErr string // substring of the error; the error must wrap ErrMalformed
	}{
		{
			name: "valid with verification_uri_complete",
			body: `{"device_code":"dc-1","user_code":"WDJB-MJHT","verification_uri":"https://idp.example.com/device",
				"verification_uri_complete":"https://idp.example.com/device?user_code=WDJB-MJHT","expires_in":1800,"interval":5}`,
			want: &DeviceAuth{DeviceCode: "dc-1", UserCode: "WDJB-MJHT", VerificationURI: "https://idp.example.com/device",
				VerificationURIComplete: "https://idp.example.com/device?user_code=WDJB-MJHT", ExpiresIn: 1800 * time.Second, Interval: 5 * time.Second},
		},
		{
			name: "valid without verification_uri_complete",
			body: `{"device_code":"dc-1","user_code":"WDJB-MJHT","verification_uri":"https://idp.example.com/device","expires_in":600,"interval":7}`,
			want: &DeviceAuth{DeviceCode: "dc-1", UserCode: "WDJB-MJHT", VerificationURI: "https://idp.example.com/device",
				ExpiresIn: 600 * time.Second, Interval: 7 * time.Second},
		},
		{
			name: "google verification_url spelling",
			body: `{"device_code":"dc-g","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800,"interval":5}`,
			want: &DeviceAuth{DeviceCode: "dc-g", UserCode: "GQVQ-JKEC", VerificationURI: "https://www.google.com/device",
				ExpiresIn: 1800 * time.Second, Interval: 5 * time.Second},
		},
		{
			name: "verification_uri wins over verification_url",
			body: `{"device_code":"d","user_code":"u","verification_uri":"https://a.example/device","verification_url":"https://b.example/device","expires_in":60}`,
			want: &DeviceAuth{DeviceCode: "d", UserCode: "u", VerificationURI: "https://a.example/device", ExpiresIn: time.Minute, Interval: 5 * time.Second},
		},
		{
			name: "interval absent defaults to 5 s",
			body: `{"device_code":"d","user_code":"u","verification_uri":"https://idp.example.com/device","expires_in":300}`,
			want: &DeviceAuth{DeviceCode: "d", UserCode: "u", VerificationURI: "https://idp.example.com/device", ExpiresIn: 300 * time.Second, Interval: 5 * time.Second},
		},
		{
			name: "numeric strings",
			body: `{"device_code":"d","user_code":"u","verification_uri":"https://idp.example.com/device","expires_in":" 900 ","interval":"3"}`,
			want: &DeviceAuth{DeviceCode: "d", UserCode: "u", VerificationURI: "https://idp.example.com/device", ExpiresIn: 900 * time.Second, Interval: 3 * time.Second},
		},
		{
			name: "surrounding white space",
			body: "\n  {\"device_code\":\"d\",\"user_code\":\"u\",\"verification_uri\":\"https://idp.example.com/device\",\"expires_in\":60}\n",
			want: &DeviceAuth{DeviceCode: "d", UserCode: "u", VerificationURI: "https://idp.example.com/device", ExpiresIn: time.Minute, Interval: 5 * time.Second},
		},
		{
			name: "control characters in user_code are escaped",
			body: `{"device_code":"d","user_code":"ABCD\u001b[31m-EFGH\u009b\r\n","verification_uri":" https://idp.example.com/device\n","expires_in":60}`,
			want: &DeviceAuth{DeviceCode: "d", UserCode: `ABCD\x1b[31m-EFGH\x9b`, VerificationURI: "https://idp.example.com/device", ExpiresIn: time.Minute, Interval: 5 * time.Second},
		},
		{
			name: "loopback http verification_uri",
			body: `{"device_code":"d","user_code":"u","verification_uri":"http://127.0.0.1:8080/device","verification_uri_complete":"http://localhost/device?user_code=u","expires_in":60}`,
			want: &DeviceAuth{DeviceCode: "d", UserCode: "u", VerificationURI: "http://127.0.0.1:8080/device", VerificationURIComplete: "http://localhost/device?user_code=u", ExpiresIn: time.Minute, Interval: 5 * time.Second},
		},
		{name: "control character in verification_uri", body: `{"device_code":"d","user_code":"u","verification_uri":"https://idp.example.com/device\u0007","expires_in":60}`, wantErr: "verification_uri holds a character that is not printable ASCII"},
		{name: "javascript verification_uri", body: `{"device_code":"d","user_code":"u","verification_uri":"javascript:alert(1)","expires_in":60}`, wantErr: "verification_uri is not an absolute URL"},
		{name: "javascript with slashes", body: `{"device_code":"d","user_code":"u","verification_uri":"javascript://x/%0aalert(1)","expires_in":60}`, wantErr: "verification_uri is not an https URL"},
		{name: "file verification_uri", body: `{"device_code":"d","user_code":"u","verification_uri":"file:///etc/passwd","expires_in":60}`, wantErr: "verification_uri is not an absolute URL"},
		{name: "option as verification_uri_complete", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","verification_uri_complete":"--renderer-cmd-prefix=sh -c id","expires_in":60}`, wantErr: "verification_uri_complete holds a character that is not printable ASCII"},
		{name: "option without spaces", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","verification_uri_complete":"--renderer-cmd-prefix=/tmp/x","expires_in":60}`, wantErr: "verification_uri_complete is not an absolute URL"},
		{name: "plain http elsewhere", body: `{"device_code":"d","user_code":"u","verification_uri":"http://idp.example.com/device","expires_in":60}`, wantErr: "verification_uri is plain http on a host that is not loopback"},
		{name: "relative verification_uri", body: `{"device_code":"d","user_code":"u","verification_uri":"/device","expires_in":60}`, wantErr: "verification_uri is not an absolute URL"},
		{name: "missing device_code", body: `{"user_code":"u","verification_uri":"https://x/device","expires_in":60}`, wantErr: "no device_code"},
		{name: "blank device_code", body: `{"device_code":"  ","user_code":"u","verification_uri":"https://x/device","expires_in":60}`, wantErr: "no device_code"},
		{name: "missing user_code", body: `{"device_code":"d","verification_uri":"https://x/device","expires_in":60}`, wantErr: "no user_code"},
		{name: "missing verification_uri", body: `{"device_code":"d","user_code":"u","expires_in":60}`, wantErr: "no verification_uri"},
		{name: "null verification_uri", body: `{"device_code":"d","user_code":"u","verification_uri":null,"expires_in":60}`, wantErr: "no verification_uri"},
		{name: "expires_in missing", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device"}`, wantErr: "expires_in"},
		{name: "expires_in negative", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":-5}`, wantErr: "expires_in"},
		{name: "expires_in negative string", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":"-5"}`, wantErr: "expires_in"},
		{name: "expires_in zero", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":0}`, wantErr: "expires_in"},
		{name: "expires_in not a number", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":"soon"}`, wantErr: "expires_in"},
		{name: "expires_in boolean", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":true}`, wantErr: "expires_in"},
		{name: "expires_in string too large for a duration", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":"99999999999"}`, wantErr: "expires_in"},
		{name: "interval zero", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":60,"interval":0}`, wantErr: "interval"},
		{name: "interval negative", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":60,"interval":-1}`, wantErr: "interval"},
		// 9.3e9 s overflows time.Duration to a negative interval: polling without a pause.
		{name: "interval string too large for a duration", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":60,"interval":"9300000000"}`, wantErr: "interval"},
		{name: "interval number too large", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":60,"interval":9300000000}`, wantErr: "interval"},
		{name: "html", body: "<!DOCTYPE html><html><body>Sign in</body></html>", wantErr: "malformed"},
		{name: "not json", body: "device_code=d&user_code=u", wantErr: "malformed"},
		{name: "empty", body: "", wantErr: "empty"},
		{name: "json array", body: `[{"device_code":"d"}]`, wantErr: "malformed"},
		{name: "trailing data", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":60}{"x":1}`, wantErr: "trailing data"},
		{name: "stray closing brace", body: `{"device_code":"d","user_code":"u","verification_uri":"https://x/device","expires_in":60}}`, wantErr: "trailing data"},
		{name: "wrong type for user_code", body: `{"device_code":"d","user_code":42,"verification_uri":"https://x/device","expires_in":60}`, wantErr: "user_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDeviceAuth([]byte(tt.body))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseDeviceAuth = %+v, want an error containing %q", got, tt.wantErr)
				}
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("error %q does not wrap ErrMalformed", err)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDeviceAuth: %v", err)
			}
			if *got != *tt.want {
				t.Errorf("ParseDeviceAuth =\n %+v\nwant\n %+v", *got, *tt.want)
			}
		})
	}
}

// pollScript answers each poll with the next error in errs (nil means a
// token), repeating the last, and counts the polls.
type pollScript struct {
	errs  []error
	polls atomic.Int32
}

func (s *pollScript) poll(context.Context) (*Token, error) {
	n := int(s.polls.Add(1))
	if err := s.errs[min(n, len(s.errs))-1]; err != nil {
		return nil, err
	}
	return &Token{AccessToken: "at-device"}, nil
}

func pending() error {
	return &failure.ProviderError{Provider: "idp", Status: 400, Code: "authorization_pending"}
}

func TestPollDevice(t *testing.T) {
	tests := []struct {
		name      string
		errs      []error
		expiresIn time.Duration
		timeout   time.Duration // a context deadline; 0 for none
		cancel    bool          // cancel the context before polling
		// wantPolls is the exact count, or the minimum when maxPolls > 0.
		wantPolls, maxPolls int
		check               func(t *testing.T, tok *Token, err error)
	}{
		{
			name: "pending, pending, success", errs: []error{pending(), pending(), nil}, expiresIn: time.Minute, wantPolls: 3,
			check: func(t *testing.T, tok *Token, err error) {
				if err != nil || tok == nil || tok.AccessToken != "at-device" {
					t.Fatalf("PollDevice = %+v, %v; want the token", tok, err)
				}
			},
		},
		{
			name: "access_denied", errs: []error{pending(), &failure.ProviderError{Provider: "idp", Status: 400, Code: "access_denied"}}, expiresIn: time.Minute, wantPolls: 2,
			check: wantDeviceError("access_denied"),
		},
		{
			name: "expired_token from the server", errs: []error{&failure.ProviderError{Provider: "idp", Status: 400, Code: "expired_token"}}, expiresIn: time.Minute, wantPolls: 1,
			check: wantDeviceError("expired_token"),
		},
		{
			name: "an unrelated provider error is returned as is", errs: []error{pending(), &failure.ProviderError{Provider: "idp", Status: 400, Code: "invalid_client_id"}}, expiresIn: time.Minute, wantPolls: 2,
			check: func(t *testing.T, tok *Token, err error) {
				var pe *failure.ProviderError
				if !errors.As(err, &pe) || pe.Code != "invalid_client_id" {
					t.Fatalf("PollDevice error = %v, want the failure.ProviderError invalid_client_id", err)
				}
				var de *DeviceError
				if errors.As(err, &de) {
					t.Errorf("PollDevice turned %v into a DeviceError", err)
				}
			},
		},
		{
			name: "credentials rejected is returned as is", errs: []error{&failure.CredentialsRejectedError{Provider: "idp", Status: 401, Detail: "invalid_client"}}, expiresIn: time.Minute, wantPolls: 1,
			check: func(t *testing.T, tok *Token, err error) {
				var ce *failure.CredentialsRejectedError
				if !errors.As(err, &ce) {
					t.Fatalf("PollDevice error = %v, want the failure.CredentialsRejectedError", err)
				}
			},
		},
		{
			name: "unavailable is returned as is", errs: []error{pending(), &failure.UnavailableError{Provider: "idp", Status: 503}}, expiresIn: time.Minute, wantPolls: 2,
			check: func(t *testing.T, tok *Token, err error) {
				var ue *failure.UnavailableError
				if !errors.As(err, &ue) || ue.Status != 503 {
					t.Fatalf("PollDevice error = %v, want the failure.UnavailableError", err)
				}
			},
		},
		{
			// 50 ms at 10 ms a poll: about 5 polls, never unbounded (the
			// 2 s deadline only stops a PollDevice that ignores expiry).
			name: "the code expires while pending", errs: []error{pending()}, expiresIn: 50 * time.Millisecond, timeout: 2 * time.Second, wantPolls: 1, maxPolls: 7,
			check: wantDeviceError("expired_token"),
		},
		{
			// After slow_down the interval is 5 s longer: no second poll
			// comes before the 300 ms deadline.
			name: "slow_down lengthens the interval", errs: []error{&failure.ProviderError{Provider: "idp", Status: 400, Code: "slow_down"}, nil},
			expiresIn: time.Minute, timeout: 300 * time.Millisecond, wantPolls: 1,
			check: func(t *testing.T, tok *Token, err error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("PollDevice = %+v, %v; want the context's deadline (slow_down must lengthen the interval)", tok, err)
				}
			},
		},
		{
			name: "context cancelled", errs: []error{pending()}, expiresIn: time.Minute, cancel: true, wantPolls: 0,
			check: func(t *testing.T, tok *Token, err error) {
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("PollDevice error = %v, want context.Canceled", err)
				}
			},
		},
		{
			name: "context deadline while pending", errs: []error{pending()}, expiresIn: time.Minute, timeout: 55 * time.Millisecond, wantPolls: 1, maxPolls: 6,
			check: func(t *testing.T, tok *Token, err error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("PollDevice error = %v, want context.DeadlineExceeded", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.timeout > 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			if tt.cancel {
				cancel()
			}
			s := &pollScript{errs: tt.errs}
			da := &DeviceAuth{DeviceCode: "dc", Interval: 10 * time.Millisecond, ExpiresIn: tt.expiresIn}
			tok, err := PollDevice(ctx, "idp", da, s.poll)
			tt.check(t, tok, err)
			n := int(s.polls.Load())
			switch {
			case tt.maxPolls == 0 && n != tt.wantPolls:
				t.Errorf("polls = %d, want %d", n, tt.wantPolls)
			case tt.maxPolls > 0 && (n < tt.wantPolls || n > tt.maxPolls):
				t.Errorf("polls = %d, want %d to %d", n, tt.wantPolls, tt.maxPolls)
			}
		})
	}
}

func wantDeviceError(code string) func(t *testing.T, tok *Token, err error) {
	return func(t *testing.T, tok *Token, err error) {
		t.Helper()
		var de *DeviceError
		if !errors.As(err, &de) {
			t.Fatalf("PollDevice = %+v, %v; want a DeviceError %s", tok, err, code)
		}
		if de.Code != code || de.Provider != "idp" {
			t.Errorf("DeviceError = %+v, want provider idp, code %s", de, code)
		}
		if msg := err.Error(); !strings.Contains(msg, code) || !strings.Contains(msg, "tokctl login idp --device") {
			t.Errorf("message %q does not name %s and the next step", msg, code)
		}
	}
}

func TestRequestDeviceAuth(t *testing.T) {
	const okDevice = `{"device_code":"dc-secret-123","user_code":"WDJB-MJHT","verification_uri":"https://idp.example.com/device","expires_in":600}`
	tests := []struct {
		name   string
		status int
		body   string
		check  func(t *testing.T, da *DeviceAuth, err error)
	}{
		{
			name: "200 parsed", status: 200, body: okDevice,
			check: func(t *testing.T, da *DeviceAuth, err error) {
				if err != nil {
					t.Fatalf("RequestDeviceAuth: %v", err)
				}
				want := DeviceAuth{DeviceCode: "dc-secret-123", UserCode: "WDJB-MJHT", VerificationURI: "https://idp.example.com/device", ExpiresIn: 600 * time.Second, Interval: 5 * time.Second}
				if *da != want {
					t.Errorf("DeviceAuth = %+v, want %+v", *da, want)
				}
			},
		},
		{
			name: "200 unreadable", status: 200, body: `<html>oops</html>`,
			check: func(t *testing.T, da *DeviceAuth, err error) {
				var ue *failure.UnavailableError
				if !errors.As(err, &ue) || !errors.Is(err, ErrMalformed) || ue.Status != 200 {
					t.Fatalf("RequestDeviceAuth = %+v, %v; want an failure.UnavailableError wrapping ErrMalformed", da, err)
				}
			},
		},
		{
			name: "400 rfc 6749 error", status: 400, body: `{"error":"invalid_scope","error_description":"scope 'admin' is not allowed"}`,
			check: func(t *testing.T, da *DeviceAuth, err error) {
				var pe *failure.ProviderError
				if !errors.As(err, &pe) {
					t.Fatalf("RequestDeviceAuth = %+v, %v; want a failure.ProviderError", da, err)
				}
				if pe.Code != "invalid_scope" || pe.Status != 400 || !strings.Contains(err.Error(), "scope 'admin' is not allowed") {
					t.Errorf("failure.ProviderError = %+v (%q)", pe, err)
				}
			},
		},
		{
			name: "401 invalid_client", status: 401, body: `{"error":"invalid_client"}`,
			check: func(t *testing.T, da *DeviceAuth, err error) {
				var ce *failure.CredentialsRejectedError
				if !errors.As(err, &ce) {
					t.Fatalf("RequestDeviceAuth = %+v, %v; want a failure.CredentialsRejectedError", da, err)
				}
				if ce.Status != 401 || ce.Hint != "check TOKCTL_IDP_CLIENT_ID" || !strings.Contains(err.Error(), "invalid_client") {
					t.Errorf("failure.CredentialsRejectedError = %+v (%q)", ce, err)
				}
			},
		},
		{
			name: "400 invalid_client", status: 400, body: `{"error":"invalid_client","error_description":"unknown client"}`,
			check: func(t *testing.T, da *DeviceAuth, err error) {
				var ce *failure.CredentialsRejectedError
				if !errors.As(err, &ce) {
					t.Fatalf("RequestDeviceAuth = %+v, %v; want a failure.CredentialsRejectedError", da, err)
				}
			},
		},
		{
			name: "500", status: 500, body: `{"error":"server_error"}`,
			check: func(t *testing.T, da *DeviceAuth, err error) {
				var ue *failure.UnavailableError
				if !errors.As(err, &ue) || ue.Status != 500 {
					t.Fatalf("RequestDeviceAuth = %+v, %v; want an failure.UnavailableError 500", da, err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			var gotForm atomic.Value
			srv := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if r.Method != http.MethodPost || r.URL.Path != "/device" {
					t.Errorf("request %s %s, want POST /device", r.Method, r.URL.Path)
				}
				if err := r.ParseForm(); err != nil {
					t.Errorf("ParseForm: %v", err)
				}
				gotForm.Store(r.PostForm)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			c := &Client{UserAgent: "tokctl/test", MaxAttempts: 1, MaxRetryWait: time.Millisecond, RequestTimeout: 2 * time.Second}
			r := &Request{Provider: "idp", Method: http.MethodPost, URL: srv + "/device", Form: url.Values{"client_id": {"cli"}, "scope": {"openid"}}}
			da, err := c.RequestDeviceAuth(context.Background(), r, "check TOKCTL_IDP_CLIENT_ID")
			tt.check(t, da, err)
			if n := hits.Load(); n != 1 {
				t.Errorf("requests = %d, want 1", n)
			}
			if f, _ := gotForm.Load().(url.Values); f.Get("client_id") != "cli" || f.Get("scope") != "openid" {
				t.Errorf("form = %v, want client_id and scope", f)
			}
			if err != nil && strings.Contains(err.Error(), "dc-secret-123") {
				t.Errorf("error %q contains the device code", err)
			}
		})
	}
}

// httpServer starts an httptest server on 127.0.0.1 and returns its URL.
func httpServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
