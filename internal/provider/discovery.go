package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/privdir"
)

// discoveryTTL is how long a cached discovery document is used without
// asking the issuer again.
const discoveryTTL = 24 * time.Hour

// metadata is the part of an OpenID Provider (or RFC 8414 authorization
// server) metadata document tokctl uses.
type metadata struct {
	Issuer                      string `json:"issuer"`
	AuthorizationEndpoint       string `json:"authorization_endpoint"`
	TokenEndpoint               string `json:"token_endpoint"`
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint"`
	JWKSURI                     string `json:"jwks_uri"`
	RevocationEndpoint          string `json:"revocation_endpoint"`
	// IssParameter: the authorization response carries iss (RFC 9207), which
	// the client must then check.
	IssParameter bool `json:"authorization_response_iss_parameter_supported,omitempty"`

	// Document is the URL the document was read from; not part of it.
	Document string `json:"-"`
}

// DiscoverIssuer returns the endpoints the discovery document of issuer
// names, from the cache when it is fresh. It is how an ID token from a
// provider configured without `issuer` can still be verified: through the
// document of the issuer the token names, when that document names the
// same token endpoint (the caller checks). name is the provider asking.
func DiscoverIssuer(ctx context.Context, hc *oauth.Client, name, issuer, cacheDir string) (Endpoints, error) {
	if err := oauth.CheckEndpoint(name, issuer); err != nil {
		return Endpoints{}, err
	}
	m, _, err := discover(ctx, hc, name, issuer, cacheDir, false)
	if err != nil {
		return Endpoints{}, err
	}
	return Endpoints{Issuer: m.Issuer, Token: m.TokenEndpoint, Auth: m.AuthorizationEndpoint, Device: m.DeviceAuthorizationEndpoint,
		Revocation: m.RevocationEndpoint, JWKS: m.JWKSURI, Discovery: m.Document, IssParameter: m.IssParameter}, nil
}

// cachedMetadata is a discovery document on disk.
type cachedMetadata struct {
	FetchedAt time.Time `json:"fetched_at"`
	Metadata  metadata  `json:"metadata"`
	// Document is where it was fetched from (empty in caches written before it was kept).
	Document string `json:"document,omitempty"`
}

// discover returns issuer's metadata: from the cache when it is younger
// than discoveryTTL (unless refetch), else from
// <issuer>/.well-known/openid-configuration, falling back to RFC 8414's
// oauth-authorization-server. The document must name the configured issuer.
func discover(ctx context.Context, hc *oauth.Client, name, issuer, cacheDir string, refetch bool) (m metadata, fromCache bool, err error) {
	cache := discoveryCacheFile(cacheDir, issuer)
	if !refetch {
		if c, ok := readDiscoveryCache(cache, issuer); ok {
			return c, true, nil
		}
	}
	m, err = fetchMetadata(ctx, hc, name, issuer)
	if err != nil {
		return m, false, err
	}
	writeDiscoveryCache(cache, m)
	return m, false, nil
}

func fetchMetadata(ctx context.Context, hc *oauth.Client, name, issuer string) (metadata, error) {
	var m metadata
	base := strings.TrimSuffix(issuer, "/")
	candidates := []string{base + "/.well-known/openid-configuration", base + "/.well-known/oauth-authorization-server"}
	if u, err := url.Parse(base); err == nil && u.Path != "" {
		// RFC 8414 §3.1 puts the well-known part between host and path.
		candidates = append(candidates, u.Scheme+"://"+u.Host+"/.well-known/oauth-authorization-server"+u.Path)
	}
	var last *oauth.Response
	for _, doc := range candidates {
		resp, err := hc.Do(ctx, &oauth.Request{Provider: name, Method: http.MethodGet, URL: doc})
		if err != nil {
			return m, issuerError(name, issuer, "cannot reach issuer "+oauth.HideUserinfo(issuer)+" for discovery", err)
		}
		last = resp
		if resp.Status == http.StatusNotFound {
			continue
		}
		if resp.Status != http.StatusOK {
			return m, issuerError(name, issuer, "discovery failed at issuer "+oauth.HideUserinfo(issuer), &failure.UnavailableError{Provider: name, Status: resp.Status, Detail: "discovery document " + oauth.HideUserinfo(doc)})
		}
		if err := json.Unmarshal(resp.Body, &m); err != nil {
			return m, &failure.UnavailableError{Provider: name, Status: resp.Status, Detail: "unreadable discovery document " + oauth.HideUserinfo(doc), Err: oauth.ErrMalformed}
		}
		if strings.TrimSuffix(m.Issuer, "/") != base {
			return m, &failure.ConfigError{Provider: name, Msg: fmt.Sprintf(
				"the discovery document at %s names the issuer %q, not the configured %q; check `issuer` (%s)",
				oauth.HideUserinfo(doc), oauth.Clean(m.Issuer), oauth.HideUserinfo(issuer), EnvVar(name, "issuer"))}
		}
		if m.TokenEndpoint == "" {
			return m, &failure.UnavailableError{Provider: name, Detail: "the discovery document at " + oauth.HideUserinfo(doc) + " has no token_endpoint"}
		}
		// Checked before the document is cached, so a bad one is asked for
		// again next time rather than kept for a day.
		for _, u := range []string{m.TokenEndpoint, m.AuthorizationEndpoint, m.DeviceAuthorizationEndpoint, m.RevocationEndpoint, m.JWKSURI} {
			if u == "" {
				continue
			}
			if err := oauth.CheckEndpoint(name, u); err != nil {
				return m, err
			}
		}
		m.Document = doc
		return m, nil
	}
	return m, issuerError(name, issuer, "discovery failed at issuer "+oauth.HideUserinfo(issuer), &failure.UnavailableError{Provider: name, Status: last.Status, Detail: "no discovery document at " + oauth.HideUserinfo(strings.Join(candidates, ", "))})
}

// issuerError says that the issuer, not a token endpoint, could not be used,
// and that the `issuer` setting is the thing to check: `tokctl providers`
// would only show the same failure again.
func issuerError(name, issuer, summary string, err error) error {
	var ue *failure.UnavailableError
	if !errors.As(err, &ue) {
		return err
	}
	out := *ue
	out.Summary = summary
	out.Hint = fmt.Sprintf("check that the server is up and that `issuer` (%s) is right", EnvVar(name, "issuer"))
	return &out
}

// discoveryCacheFile is one file per issuer under cacheDir/discovery.
func discoveryCacheFile(cacheDir, issuer string) string {
	if cacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(issuer))
	return filepath.Join(cacheDir, "discovery", hex.EncodeToString(sum[:16])+".json")
}

// cacheEntry splits a cache file's path into the cache directory, which
// must be tokctl's own, and the entry's path below it.
func cacheEntry(path string) (root, rel string) {
	dir, name := filepath.Split(path)
	return filepath.Dir(filepath.Clean(dir)), "discovery/" + name
}

// readDiscoveryCache returns the cached document of issuer. An entry that is
// missing, stale, or not tokctl's own (a link, another user's, writable by
// group or others, or under such a directory: privdir's rules) is not used,
// and the document is fetched again: a planted entry could name a token
// endpoint of its own, which would receive the client's credentials.
func readDiscoveryCache(path, issuer string) (metadata, bool) {
	if path == "" {
		return metadata{}, false
	}
	raw, err := privdir.ReadFile(cacheEntry(path))
	if err != nil {
		return metadata{}, false
	}
	var c cachedMetadata
	if json.Unmarshal(raw, &c) != nil || strings.TrimSuffix(c.Metadata.Issuer, "/") != strings.TrimSuffix(issuer, "/") ||
		c.Metadata.TokenEndpoint == "" || time.Since(c.FetchedAt) > discoveryTTL || time.Until(c.FetchedAt) > time.Minute {
		return metadata{}, false
	}
	c.Metadata.Document = c.Document
	return c.Metadata, true
}

// writeDiscoveryCache keeps m; a failure (a cache directory that is not
// tokctl's own included) only costs a fetch next time.
func writeDiscoveryCache(path string, m metadata) {
	if path == "" {
		return
	}
	raw, err := json.Marshal(cachedMetadata{FetchedAt: time.Now().UTC(), Metadata: m, Document: m.Document})
	if err != nil {
		return
	}
	root, rel := cacheEntry(path)
	if privdir.WriteFile(root, rel, raw) == nil {
		_ = privdir.RemoveTemps(root, "discovery", time.Minute)
	}
}
