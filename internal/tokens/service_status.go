package tokens

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/tokctl/tokctl/internal/store"
)

// StatusEntry is one line of `tokctl status`, and its JSON form: a stored
// record of a provider, or a provider with none.
type StatusEntry struct {
	Provider string `json:"provider"`
	// State is logged_in, expired, other_endpoint, unreadable or not_logged_in.
	State string `json:"state"`
	Store string `json:"store"`
	*StatusRecord
}

// StatusRecord is what status shows of a stored record: never a token.
type StatusRecord struct {
	Endpoint        string    `json:"endpoint"`
	ClientID        string    `json:"client_id,omitempty"`
	Scopes          []string  `json:"scopes"`
	RequestedScopes []string  `json:"requested_scopes"`
	DefaultScopes   bool      `json:"default_scopes"`
	Expiry          *string   `json:"expiry"`
	ExpiresIn       *int64    `json:"expires_in"`
	ObtainedAt      time.Time `json:"obtained_at"`
	RefreshToken    bool      `json:"refresh_token"`
	IDToken         bool      `json:"id_token"`
}

// Status describes every stored record of every built-in and configured
// provider, and each provider with none, in the order of ProviderNames.
func (sv *Service) Status(ctx context.Context) ([]StatusEntry, error) {
	names, err := sv.ProviderNames()
	if err != nil {
		return nil, err
	}
	b, err := sv.Store()
	if err != nil {
		return nil, err
	}
	var entries []StatusEntry
	for _, name := range names {
		recs, err := store.Records(ctx, b, name)
		if store.Unusable(err) {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: reading the %s store: %w", name, b.Name(), err)
		}
		if len(recs) == 0 {
			entries = append(entries, StatusEntry{Provider: name, State: "not_logged_in", Store: b.Name()})
		}
		for _, sr := range recs {
			entries = append(entries, sv.describeStored(b.Name(), name, sr.Record))
		}
	}
	return entries, nil
}

// describeStored summarises rec, a stored record of name, without secrets.
func (sv *Service) describeStored(storeName, name string, rec *store.Record) StatusEntry {
	e := StatusEntry{Provider: name, Store: storeName}
	if rec == nil || CheckRecord(rec) != nil {
		e.State = "unreadable"
		return e
	}
	e.State = "logged_in"
	if p, err := sv.Provider(name); err == nil && p.RecordEndpoint() != rec.Endpoint {
		e.State = "other_endpoint"
	}
	r := &StatusRecord{
		Endpoint: withoutUserinfo(rec.Endpoint), ClientID: rec.ClientID,
		Scopes: nonNil(rec.Scopes), RequestedScopes: nonNil(rec.RequestedScopes), DefaultScopes: rec.DefaultScopes,
		ObtainedAt: rec.ObtainedAt, RefreshToken: rec.RefreshToken != "", IDToken: rec.IDToken != "",
	}
	if !rec.Expiry.IsZero() {
		exp := rec.Expiry.UTC().Format(time.RFC3339)
		left := rec.Expiry.Sub(sv.now())
		secs := int64(left.Seconds())
		r.Expiry, r.ExpiresIn = &exp, &secs
		if left <= 0 && e.State == "logged_in" {
			e.State = "expired"
		}
	}
	e.StatusRecord = r
	return e
}

// withoutUserinfo is rawURL without user name or password.
func withoutUserinfo(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "an unreadable URL"
	}
	u.User = nil
	return u.String()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
