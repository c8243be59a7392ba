package tokens

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// StoredToken is the stored access token (or, with idToken, ID token) of
// provider name that `tokctl decode --provider` shows: the one a plain
// `tokctl token get name` would serve, else the most recently written one,
// fresh or not. Nothing stored is a usage error that says how to get one.
func (sv *Service) StoredToken(ctx context.Context, name string, idToken bool) (string, error) {
	if _, err := sv.Settings(name); err != nil {
		return "", err
	}
	b, err := sv.Store()
	if err != nil {
		return "", err
	}
	r, err := sv.plainRequest(name)
	if err != nil {
		r = nil // the provider need not be usable as configured
	}
	rec, err := Stored(ctx, r, b, name)
	if errors.Is(err, store.ErrNotFound) {
		return "", failure.Usagef("%s: no stored token; run `tokctl token get %s` first", name, name)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if idToken {
		if rec.IDToken == "" {
			return "", fmt.Errorf("%s: the stored token came without an ID token", name)
		}
		return rec.IDToken, nil
	}
	return rec.AccessToken, nil
}

// plainRequest is the request of a plain `tokctl token get name`.
func (sv *Service) plainRequest(name string) (*Request[provider.Provider], error) {
	s, err := sv.Settings(name)
	if err != nil {
		return nil, err
	}
	return NewRequest[provider.Provider](s, sv)
}

// ProviderKeys fetches the JWKS of provider name (its jwks_url, or its
// issuer's discovery document) with the outbound client. A provider that
// publishes none, or is not usable as configured, has nil keys, or an
// error when the keys are required.
func (sv *Service) ProviderKeys(ctx context.Context, name string, required bool) (*jwt.Keys, error) {
	p, _, err := sv.CheckedProvider(name, nil)
	if err == nil {
		err = p.Prepare(ctx)
	}
	if err != nil {
		if !required {
			return nil, nil // decoding a stored token needs no working settings
		}
		return nil, err
	}
	u := p.Endpoints().JWKS
	if u == "" {
		if required {
			return nil, fmt.Errorf("%s publishes no JWKS (set `jwks_url` or `issuer`)", name)
		}
		return nil, nil
	}
	return jwt.FetchJWKS(ctx, sv.HTTP(), u)
}

// FetchJWKS fetches the JWK Set at rawURL (https, or http on loopback)
// with the outbound client; -v says which URL, without userinfo.
func (sv *Service) FetchJWKS(ctx context.Context, rawURL string) (*jwt.Keys, error) {
	if u, err := jwt.CheckJWKSURL(rawURL); sv.Verbose && err == nil {
		fmt.Fprintf(sv.ErrOut, "tokctl: fetching the JWK Set %s\n", oauth.HideUserinfo(u.String()))
	}
	return jwt.FetchJWKS(ctx, sv.HTTP(), rawURL)
}

// IsProvider reports whether name is a configured or built-in provider.
func (sv *Service) IsProvider(name string) bool {
	if !provider.ValidName(name) {
		return false
	}
	_, err := sv.Settings(name)
	return err == nil
}

// KeySpec is where `tokctl decode` takes the keys that verify a token from:
// at most one of KeyFile, SecretFile and JWKS, else Provider's own JWKS.
type KeySpec struct {
	KeyFile    string // --key: PEM or DER public key or certificate, JWK or JWK Set
	SecretFile string // --hmac-secret-file: an HMAC shared secret, "-" for Stdin
	JWKS       string // --jwks: a provider's name, a URL or a file of a JWK Set
	Provider   string // --provider: its JWKS, when it publishes one
	Stdin      io.Reader
	// Notes receives one line saying which key a file gave.
	Notes io.Writer
}

// Check refuses a spec that names more than one source of keys, a secret
// on stdin when the token is read from there too (tokenOnStdin), or a JWKS
// URL that is not https (http only on loopback): usage errors.
func (s KeySpec) Check(tokenOnStdin bool) error {
	given := 0
	for _, v := range []string{s.KeyFile, s.SecretFile, s.JWKS} {
		if v != "" {
			given++
		}
	}
	if given > 1 {
		return failure.Usagef("give one of --key, --hmac-secret-file and --jwks")
	}
	if s.SecretFile == "-" && tokenOnStdin {
		return failure.Usagef("--hmac-secret-file - reads the secret from stdin, so give the token as an argument")
	}
	if jwt.IsURL(s.JWKS) {
		if _, err := jwt.CheckJWKSURL(s.JWKS); err != nil {
			return failure.Usagef("decode: --jwks: %v", err)
		}
	}
	return nil
}

// KeySource is what DecodeKeys needs of the providers and the network;
// *Service is one.
type KeySource interface {
	IsProvider(name string) bool
	ProviderKeys(ctx context.Context, name string, required bool) (*jwt.Keys, error)
	FetchJWKS(ctx context.Context, rawURL string) (*jwt.Keys, error)
}

// DecodeKeys loads the keys spec names, with this Service's providers and
// outbound client: see LoadKeys.
func (sv *Service) DecodeKeys(ctx context.Context, spec KeySpec) (*jwt.Keys, error) {
	return LoadKeys(ctx, spec, sv)
}

// maxSecretInput bounds the secret read from stdin.
const maxSecretInput = 1 << 20

// LoadKeys loads the keys spec names, from files, src's providers or the
// network; nil when spec names none. A --jwks value is a URL, else the name
// of a provider, else (a path, not a bare name) a file.
func LoadKeys(ctx context.Context, spec KeySpec, src KeySource) (*jwt.Keys, error) {
	var (
		keys *jwt.Keys
		err  error
		flag string
	)
	switch {
	case spec.KeyFile != "":
		flag = "--key"
		if keys, err = jwt.ReadKeyFile(spec.KeyFile); err == nil {
			fmt.Fprintf(spec.Notes, "tokctl: --key %s: %s\n", spec.KeyFile, keys.Describe())
		}
	case spec.SecretFile != "":
		flag = "--hmac-secret-file"
		if spec.SecretFile == "-" {
			keys, err = readSecret(spec.Stdin)
		} else {
			keys, err = jwt.ReadHMACSecretFile(spec.SecretFile)
		}
		if err == nil {
			fmt.Fprintf(spec.Notes, "tokctl: --hmac-secret-file %s: %s\n", spec.SecretFile, keys.Describe())
		}
	case jwt.IsURL(spec.JWKS):
		flag = "--jwks"
		keys, err = src.FetchJWKS(ctx, spec.JWKS)
	case spec.JWKS != "" && src.IsProvider(spec.JWKS):
		// A provider's name wins over a file of that name in the current
		// directory, which anyone able to write there could have planted.
		flag = "--jwks"
		keys, err = src.ProviderKeys(ctx, spec.JWKS, true)
	case spec.JWKS != "" && provider.ValidName(spec.JWKS):
		// A bare name is a provider's; a file must be named as a path, so
		// that configuring a provider later never changes what it means.
		return nil, failure.Usagef("decode: --jwks: no provider is named %q; give a JWK Set file as a path (--jwks ./%s) or an https URL", spec.JWKS, spec.JWKS)
	case spec.JWKS != "":
		flag = "--jwks"
		if keys, err = jwt.ReadJWKSFile(spec.JWKS); err == nil {
			fmt.Fprintf(spec.Notes, "tokctl: --jwks %s: %s\n", spec.JWKS, keys.Describe())
		}
	case spec.Provider != "":
		// The provider's own JWKS, when it publishes one, verifies its tokens.
		flag = "--provider"
		keys, err = src.ProviderKeys(ctx, spec.Provider, false)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("decode: %s: %w", flag, err)
	}
	return keys, nil
}

// readSecret reads --hmac-secret-file - : the secret is the whole of stdin.
func readSecret(stdin io.Reader) (*jwt.Keys, error) {
	raw, err := io.ReadAll(io.LimitReader(stdin, maxSecretInput+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(raw) > maxSecretInput {
		return nil, errors.New("stdin: larger than 1 MiB: not a secret")
	}
	ks, err := jwt.ParseHMACSecret(raw)
	if err != nil {
		return nil, fmt.Errorf("stdin: %w", err)
	}
	return ks, nil
}
