package jwt

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/oauth"
)

// Keys are what Token.Verify checks a signature against: the one key of a --key
// file, or the keys of a JWK Set, chosen by kid.
type Keys struct {
	keys    []key
	skipped []key  // JWKS entries tokctl cannot use, kept to explain a kid that matches one
	set     bool   // from a JWK Set: the token's kid selects the key
	desc    string // what was loaded, for the user: "a PEM certificate (an RSA public key, 2048 bits)"
}

// key is one verification key: *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey or []byte (HMAC).
type key struct {
	kid, alg, use string
	pub           any
	reason        string // why a skipped key cannot be used
}

// Limits on what is read as key material.
const (
	maxKeySize   = 1 << 20
	jwksTimeout  = 10 * time.Second
	maxRedirects = 5
)

// Describe says what the keys are, for a message: "a DER certificate (an EC
// P-256 public key)", "a JWK Set (3 keys)", "an HMAC shared secret (40 bytes)".
func (ks *Keys) Describe() string {
	if ks == nil {
		return "no key"
	}
	if ks.desc != "" {
		return ks.desc
	}
	n := len(ks.keys)
	if n == 1 {
		return "a JWK Set (1 usable key)"
	}
	return fmt.Sprintf("a JWK Set (%d usable keys)", n)
}

// ReadKeyFile reads a --key file: see ParseKey.
func ReadKeyFile(path string) (*Keys, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	ks, err := ParseKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ks, nil
}

// errNotKeyFile is ParseKey's answer to anything it does not recognise as a key. The
// file is never taken as an HMAC secret instead: a public key's bytes are public, so
// anyone could sign an HS256 token with them.
var errNotKeyFile = errors.New("not a key file: want a PEM or DER public key or certificate, or a JWK or JWK Set " +
	"(an HMAC shared secret goes in --hmac-secret-file)")

// utf8BOM is what some Windows editors put before a PEM file's text.
var utf8BOM = []byte("\xef\xbb\xbf")

// ParseKey reads one verification key and says which it is (Keys.Describe): a PEM
// public key (PKIX or PKCS #1 RSA, EC, Ed25519) or certificate, found after any
// leading text such as `openssl x509 -text` prints and a UTF-8 BOM; the same as DER;
// or a JWK or JWK Set, which must be strict JSON. Anything else is an error, never an
// HMAC secret: that comes only from ParseHMACSecret.
func ParseKey(data []byte) (*Keys, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("empty: want a PEM or DER public key or certificate, or a JWK or JWK Set")
	case trimmed[0] == '{':
		if !json.Valid(trimmed) {
			return nil, errors.New("not a JWK: the file starts with { but is not valid JSON (a trailing comma, a comment or a cut-off file?)")
		}
		ks, err := ParseJWKS(trimmed)
		if err != nil {
			return nil, err
		}
		ks.desc = describeJWKFile(trimmed, ks)
		return ks, nil
	case bytes.Contains(trimmed, []byte("-----BEGIN ")):
		pub, what, err := parsePEM(trimmed)
		if err != nil {
			return nil, err
		}
		return &Keys{keys: []key{{pub: pub}}, desc: fmt.Sprintf("a PEM %s (%s)", what, keyDetail(pub))}, nil
	case bytes.HasPrefix(trimmed, []byte("ssh-")) || bytes.HasPrefix(trimmed, []byte("ecdsa-sha2-")):
		return nil, errors.New("an OpenSSH public key: convert it to PEM first (ssh-keygen -e -m PKCS8 -f FILE)")
	case data[0] == 0x30: // an ASN.1 SEQUENCE: DER (untrimmed: white space bytes can be part of DER)
		pub, what, err := parseDER(data)
		if err != nil {
			return nil, err
		}
		return &Keys{keys: []key{{pub: pub}}, desc: fmt.Sprintf("a DER %s (%s)", what, keyDetail(pub))}, nil
	}
	return nil, errNotKeyFile
}

// ReadHMACSecretFile reads the shared secret of --hmac-secret-file; see ParseHMACSecret.
func ReadHMACSecretFile(path string) (*Keys, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	ks, err := ParseHMACSecret(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ks, nil
}

// ParseHMACSecret takes data as an HMAC shared secret, as is except for one trailing
// newline. Only an explicit request (--hmac-secret-file) comes here.
func ParseHMACSecret(data []byte) (*Keys, error) {
	secret := bytes.TrimSuffix(bytes.TrimSuffix(data, []byte("\n")), []byte("\r"))
	if len(secret) == 0 {
		return nil, errors.New("empty: want the HMAC shared secret")
	}
	if ks, err := ParseKey(data); err == nil {
		// A key file's bytes are no secret: public keys are published.
		return nil, fmt.Errorf("%s, not a shared secret: give it with --key", ks.Describe())
	}
	return &Keys{keys: []key{{pub: bytes.Clone(secret)}}, desc: fmt.Sprintf("an HMAC shared secret (%d bytes)", len(secret))}, nil
}

// parsePEM returns the public key of the first key or certificate block, and what
// the block was ("public key", "certificate").
func parsePEM(data []byte) (pub any, what string, err error) {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, "", errors.New("no readable PEM block: want a PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE")
		}
		switch block.Type {
		case "EC PARAMETERS": // openssl ecparam writes it before the key
			continue
		case "PUBLIC KEY":
			pub, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, "", fmt.Errorf("PEM PUBLIC KEY: %w", err)
			}
			pub, err = checkPublic(pub)
			return pub, "public key", err
		case "RSA PUBLIC KEY":
			pub, err := x509.ParsePKCS1PublicKey(block.Bytes)
			if err != nil {
				return nil, "", fmt.Errorf("PEM RSA PUBLIC KEY: %w", err)
			}
			return pub, "RSA public key", nil
		case "CERTIFICATE":
			// Only the key is used: tokctl checks the token's signature, not the certificate.
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, "", fmt.Errorf("PEM CERTIFICATE: %w", err)
			}
			pub, err := checkPublic(cert.PublicKey)
			return pub, "certificate", err
		}
		if strings.Contains(block.Type, "PRIVATE KEY") {
			return nil, "", errPrivateKey
		}
		return nil, "", fmt.Errorf("PEM block %s: want a PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE", quoteShort(block.Type))
	}
}

var errPrivateKey = errors.New("a private key: give the public key instead (openssl pkey -in FILE -pubout)")

// parseDER reads a DER certificate, PKIX public key or PKCS #1 RSA public key, the
// whole file and nothing after it.
func parseDER(data []byte) (pub any, what string, err error) {
	if cert, err := x509.ParseCertificate(data); err == nil {
		pub, err := checkPublic(cert.PublicKey)
		return pub, "certificate", err
	}
	if pub, err := x509.ParsePKIXPublicKey(data); err == nil {
		pub, err := checkPublic(pub)
		return pub, "public key", err
	}
	if pub, err := x509.ParsePKCS1PublicKey(data); err == nil {
		return pub, "RSA public key", nil
	}
	if _, err := x509.ParsePKCS8PrivateKey(data); err == nil {
		return nil, "", errPrivateKey
	}
	if _, err := x509.ParsePKCS1PrivateKey(data); err == nil {
		return nil, "", errPrivateKey
	}
	if _, err := x509.ParseECPrivateKey(data); err == nil {
		return nil, "", errPrivateKey
	}
	return nil, "", errors.New("DER data that is not a certificate or public key tokctl can read " +
		"(want an X.509 certificate, a SubjectPublicKeyInfo or a PKCS #1 RSA public key)")
}

// keyDetail names a public key for Describe.
func keyDetail(pub any) string {
	if k, ok := pub.(*rsa.PublicKey); ok {
		return fmt.Sprintf("an RSA public key, %d bits", rsaBits(k))
	}
	return kindOf(pub).String()
}

// describeJWKFile says whether a JSON key file was one JWK or a set, and of what.
func describeJWKFile(data []byte, ks *Keys) string {
	var probe struct {
		Keys json.RawMessage `json:"keys"`
	}
	if json.Unmarshal(data, &probe) == nil && probe.Keys == nil && len(ks.keys) == 1 {
		return "a JWK (" + kindOf(ks.keys[0].pub).String() + ")"
	}
	return ks.Describe()
}

func checkPublic(pub any) (any, error) {
	switch pub.(type) {
	case *rsa.PublicKey, ed25519.PublicKey:
		return pub, nil
	case *ecdsa.PublicKey:
		if kindOf(pub) != kindUnknown {
			return pub, nil
		}
		return nil, errors.New("an EC key on a curve JWS does not use: want P-256, P-384 or P-521")
	}
	return nil, fmt.Errorf("a %T key: want RSA, EC or Ed25519", pub)
}

// ReadJWKSFile reads a JWK Set (or a single JWK) from a file.
func ReadJWKSFile(path string) (*Keys, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	ks, err := ParseJWKS(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ks, nil
}

// ParseJWKS reads a JWK Set, {"keys":[…]}, or a single JWK. Keys of unknown types are
// skipped rather than failing the set; keys marked "use":"enc" are never used.
func ParseJWKS(data []byte) (*Keys, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
		Kty  string            `json:"kty"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errors.New(`not a JWK Set: not a JSON object with a "keys" array`)
	}
	if doc.Keys == nil && doc.Kty != "" {
		doc.Keys = []json.RawMessage{data}
	}
	if len(doc.Keys) == 0 {
		return nil, errors.New(`not a JWK Set: no "keys"`)
	}
	ks := &Keys{set: true}
	for _, raw := range doc.Keys {
		k := jwkKey(raw)
		if k.pub == nil {
			ks.skipped = append(ks.skipped, k)
			continue
		}
		ks.keys = append(ks.keys, k)
	}
	if len(ks.keys) == 0 {
		return nil, fmt.Errorf("the JWK Set has no key tokctl can use (%s)", ks.skipped[0].reason)
	}
	return ks, nil
}

// jwkKey converts one JWK; a key it cannot use has a nil pub and a reason.
func jwkKey(raw json.RawMessage) key {
	j, err := parseJWK(raw, true)
	if err != nil {
		// Name the key as well as its unreadable JSON allows.
		m, _ := jsonObject(raw, false)
		kid, _ := m.str("kid")
		kty, _ := m.str("kty")
		return key{kid: kid, reason: fmt.Sprintf("key %s of type %s is not a usable JWK: %s", quoteShort(kid), quoteShort(kty), err)}
	}
	k := key{kid: j.kid, alg: j.alg, use: j.use}
	if k.use == "enc" {
		k.reason = fmt.Sprintf(`key %s is for encryption ("use":"enc")`, quoteShort(k.kid))
		return k
	}
	if kindOf(j.pub) == kindUnknown {
		k.reason = fmt.Sprintf("key %s of type %s is not one tokctl verifies with", quoteShort(j.kid), quoteShort(j.kty))
		return k
	}
	k.pub = j.pub
	return k
}

// forToken picks the keys for a token with this kid. A --key file's key is always
// tried; in a JWK Set the kid must match, unless the set holds a single key without one.
func (ks *Keys) forToken(kid string) ([]key, error) {
	if !ks.set {
		return ks.keys, nil
	}
	if kid != "" {
		var match []key
		for _, k := range ks.keys {
			if k.kid == kid {
				match = append(match, k)
			}
		}
		if len(match) > 0 {
			return match, nil
		}
		if len(ks.keys) == 1 && ks.keys[0].kid == "" {
			return ks.keys, nil
		}
		for _, k := range ks.skipped {
			if k.kid == kid {
				return nil, fmt.Errorf("%w: the JWKS %s", ErrNoKey, k.reason)
			}
		}
		return nil, fmt.Errorf("%w: the JWKS has no kid %s (its keys: %s)", ErrNoKey, quoteShort(kid), ks.kids())
	}
	if len(ks.keys) == 1 {
		return ks.keys, nil
	}
	return nil, fmt.Errorf("%w: the token has no kid and the JWKS has %d keys, so tokctl cannot tell which one signed it", ErrNoKey, len(ks.keys))
}

// kids lists the usable keys' ids for a message.
func (ks *Keys) kids() string {
	var ids []string
	for _, k := range ks.keys {
		if len(ids) == 5 {
			ids = append(ids, "…")
			break
		}
		if k.kid == "" {
			ids = append(ids, "one without kid")
			continue
		}
		ids = append(ids, quoteShort(k.kid))
	}
	return strings.Join(ids, ", ")
}

// IsURL reports whether a --jwks value is a URL rather than a file name.
func IsURL(s string) bool { return strings.Contains(s, "://") }

// CheckJWKSURL refuses anything but https, except plain http on loopback.
func CheckJWKSURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("not a URL: want https://HOST/PATH")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && oauth.IsLoopback(u.Hostname()):
	case u.Scheme == "http":
		return nil, fmt.Errorf("refusing plain-http JWKS URL %s: use https (http is allowed only on loopback)", oauth.HideUserinfo(u.String()))
	default:
		return nil, fmt.Errorf("JWKS URL scheme %q: want https", u.Scheme)
	}
	return u, nil
}

// FetchJWKS downloads a JWK Set through hc, the client of every other
// request (its User-Agent, proxy, retries and -v log): 10 s at most, 1 MiB
// at most, at most 5 redirects, each to an allowed URL.
func FetchJWKS(ctx context.Context, hc *oauth.Client, rawURL string) (*Keys, error) {
	u, err := CheckJWKSURL(rawURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, jwksTimeout)
	defer cancel()
	fail := func(err error) (*Keys, error) { return nil, fmt.Errorf("%s: %w", oauth.HideUserinfo(u.String()), err) }
	at := u
	for redirects := 0; ; redirects++ {
		resp, err := hc.Do(ctx, &oauth.Request{Provider: "jwks", Method: http.MethodGet, URL: at.String(),
			Accept: "application/jwk-set+json, application/json"})
		switch {
		case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
			return fail(fmt.Errorf("no answer within %v", jwksTimeout))
		case ctx.Err() != nil:
			return fail(ctx.Err())
		case oauth.IsTooLarge(err):
			return fail(errors.New("answer larger than 1 MiB: not a JWK Set"))
		case err != nil:
			return fail(netCause(err))
		}
		next, ok, err := redirectTarget(at, resp, redirects)
		if err != nil {
			return fail(err)
		}
		if ok {
			at = next
			continue
		}
		if resp.Status != http.StatusOK {
			return fail(fmt.Errorf("answered HTTP %d %s, want 200 with a JWK Set", resp.Status, http.StatusText(resp.Status)))
		}
		ks, err := ParseJWKS(resp.Body)
		if err != nil {
			return fail(err)
		}
		return ks, nil
	}
}

// redirectTarget follows a redirect as net/http would (a Location on 301,
// 302, 303, 307 or 308), refusing the 5th and any URL CheckJWKSURL refuses.
// ok is false when resp is no redirect to follow.
func redirectTarget(at *url.URL, resp *oauth.Response, followed int) (next *url.URL, ok bool, err error) {
	switch resp.Status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, false, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, false, nil
	}
	target, err := at.Parse(loc)
	if err != nil {
		return nil, false, fmt.Errorf("failed to parse Location header %q: %w", loc, err)
	}
	if followed+1 >= maxRedirects {
		return nil, false, fmt.Errorf("more than %d redirects", maxRedirects)
	}
	next, err = CheckJWKSURL(target.String())
	if err != nil {
		return nil, false, err
	}
	return next, true, nil
}

// netCause is the network error inside the client's UnavailableError: the
// caller names the URL, so the provider-shaped message is not repeated.
func netCause(err error) error {
	var ue *failure.UnavailableError
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// readCapped reads a key file of at most 1 MiB.
func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeySize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxKeySize {
		return nil, fmt.Errorf("%s: larger than 1 MiB: not a key", path)
	}
	return data, nil
}
