package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
)

// DeviceAuth is a device authorization response (RFC 8628 §3.2).
type DeviceAuth struct {
	DeviceCode              string
	UserCode                string
	VerificationURI         string
	VerificationURIComplete string
	// ExpiresIn is the lifetime of the device code.
	ExpiresIn time.Duration
	// Interval is the minimum wait between polls (5 s when not given).
	Interval time.Duration
}

// RequestDeviceAuth sends the device authorization request r and reads its
// answer; errors are typed as for Token.
func (c *Client) RequestDeviceAuth(ctx context.Context, r *Request, credentialsHint string) (*DeviceAuth, error) {
	resp, err := c.Do(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK {
		return nil, classify(c.clockNow(), r.Provider, &Exchange{Request: *r, CredentialsHint: credentialsHint}, resp, ReadError(r, resp, nil))
	}
	da, err := ParseDeviceAuth(resp.Body)
	if err != nil {
		return nil, &failure.UnavailableError{Provider: r.Provider, Status: resp.Status, Detail: "unreadable device authorization response", Err: err}
	}
	return da, nil
}

// ParseDeviceAuth decodes a device authorization response: device_code,
// user_code and verification_uri are required, expires_in and interval
// are numbers (or numeric strings).
func ParseDeviceAuth(body []byte) (*DeviceAuth, error) {
	var raw struct {
		DeviceCode              *string `json:"device_code"`
		UserCode                *string `json:"user_code"`
		VerificationURI         *string `json:"verification_uri"`
		VerificationURL         *string `json:"verification_url"` // Google's spelling
		VerificationURIComplete *string `json:"verification_uri_complete"`
		ExpiresIn               any     `json:"expires_in"`
		Interval                any     `json:"interval"`
	}
	if err := decodeObject(body, &raw); err != nil {
		return nil, err
	}
	if raw.VerificationURI == nil {
		raw.VerificationURI = raw.VerificationURL
	}
	for name, v := range map[string]*string{"device_code": raw.DeviceCode, "user_code": raw.UserCode, "verification_uri": raw.VerificationURI} {
		if v == nil || strings.TrimSpace(*v) == "" {
			return nil, fmt.Errorf("%w: no %s", ErrMalformed, name)
		}
	}
	expires, err := seconds(raw.ExpiresIn, 0)
	if err != nil || expires <= 0 {
		return nil, fmt.Errorf("%w: expires_in is missing or not a positive number", ErrMalformed)
	}
	interval, err := seconds(raw.Interval, 5)
	if err != nil || interval <= 0 {
		return nil, fmt.Errorf("%w: interval is not a positive number", ErrMalformed)
	}
	// The URIs are shown as the page to open and handed to a browser:
	// https (or loopback http) only, nothing a browser command would take
	// for an option or a terminal for an escape sequence.
	uri := strings.TrimSpace(*raw.VerificationURI)
	if err := CheckBrowserURI("verification_uri", uri); err != nil {
		return nil, err
	}
	complete := strings.TrimSpace(deref(raw.VerificationURIComplete))
	if complete != "" {
		if err := CheckBrowserURI("verification_uri_complete", complete); err != nil {
			return nil, err
		}
	}
	da := &DeviceAuth{
		DeviceCode:              *raw.DeviceCode,
		UserCode:                Clean(*raw.UserCode),
		VerificationURI:         uri,
		VerificationURIComplete: complete,
		ExpiresIn:               time.Duration(expires) * time.Second,
		Interval:                time.Duration(interval) * time.Second,
	}
	if da.UserCode == "" {
		return nil, fmt.Errorf("%w: user_code is only white space", ErrMalformed)
	}
	return da, nil
}

func seconds(v any, def int64) (int64, error) {
	switch x := v.(type) {
	case nil:
		return def, nil
	case float64:
		if x < 0 || x > 1e7 {
			return 0, ErrMalformed
		}
		return int64(x), nil
	case string:
		// Bounded like a number: a huge value would overflow time.Duration.
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil || n < 0 || n > 1e7 {
			return 0, ErrMalformed
		}
		return n, nil
	}
	return 0, ErrMalformed
}

// DeviceError ends a device login: the user denied it or the code expired.
type DeviceError struct {
	Provider string
	Code     string // access_denied or expired_token
}

func (e *DeviceError) Error() string {
	if e.Code == "access_denied" {
		return fmt.Sprintf("%s: the device login was denied (access_denied); run `tokctl login %s --device` to try again", e.Provider, e.Provider)
	}
	return fmt.Sprintf("%s: the code expired before it was approved (expired_token); run `tokctl login %s --device` again", e.Provider, e.Provider)
}

// PollDevice polls for the device grant's token at da's interval until the
// user approves, denies, the code expires or ctx ends (RFC 8628 §3.5):
// authorization_pending waits, slow_down adds 5 s to the interval.
func PollDevice(ctx context.Context, provider string, da *DeviceAuth, poll func(context.Context) (*Token, error)) (*Token, error) {
	interval := da.Interval
	expires := time.Now().Add(da.ExpiresIn)
	for {
		if err := sleep(ctx, interval); err != nil {
			return nil, err
		}
		tok, err := poll(ctx)
		if err == nil {
			return tok, nil
		}
		var pe *failure.ProviderError
		if !errors.As(err, &pe) {
			return nil, err
		}
		switch pe.Code {
		case "authorization_pending":
		case "slow_down":
			interval += 5 * time.Second
		case "access_denied", "expired_token":
			return nil, &DeviceError{Provider: provider, Code: pe.Code}
		default:
			return nil, err
		}
		if time.Now().After(expires) {
			return nil, &DeviceError{Provider: provider, Code: "expired_token"}
		}
	}
}
