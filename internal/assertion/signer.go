package assertion

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // SHA-256 for RS256, PS256, ES256, HS256
	_ "crypto/sha512" // SHA-384 and SHA-512 for the *384 and *512 algorithms
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MaxLifetime is the longest an assertion tokctl signs stays valid: short,
// since it is good for one request (Auth0 accepts at most 5 minutes).
const MaxLifetime = 5 * time.Minute

// DefaultLifetime is an assertion's lifetime unless Claims says otherwise:
// room for a slow request and some clock skew, well under MaxLifetime.
const DefaultLifetime = 2 * time.Minute

// Type is the client_assertion_type of a JWT client assertion (RFC 7523 §2.2).
const Type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// GrantType is the grant_type of the JWT-bearer grant (RFC 7523 §2.1).
const GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// algorithms by key kind, the default first.
var (
	rsaAlgs  = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	hmacAlgs = []string{"HS256", "HS384", "HS512"}
	algHash  = map[string]crypto.Hash{
		"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512,
		"PS256": crypto.SHA256, "PS384": crypto.SHA384, "PS512": crypto.SHA512,
		"ES256": crypto.SHA256, "ES384": crypto.SHA384, "ES512": crypto.SHA512,
		"HS256": crypto.SHA256, "HS384": crypto.SHA384, "HS512": crypto.SHA512,
	}
)

// Signer signs assertions with one key and algorithm.
type Signer struct {
	alg  string
	kid  string
	priv crypto.Signer // nil for HMAC
	mac  []byte
	// cert is the key's certificate, when its file has one; x5t and x5tS256
	// are its thumbprints.
	cert         *x509.Certificate
	x5t, x5tS256 string
}

// NewSigner signs with k. alg empty picks the key's algorithm (RS256,
// ES256/ES384/ES512 by curve, EdDSA); an alg the key cannot make is an
// error. kid empty uses the key's RFC 7638 thumbprint.
func NewSigner(k *Key, alg, kid string) (*Signer, error) {
	algs := KeyAlgorithms(k.Signer)
	if alg == "" {
		alg = algs[0]
	}
	if !slices.Contains(algs, alg) {
		return nil, fmt.Errorf("signing_alg %s does not fit the %s key (use %s)", alg, keyKind(k.Signer), strings.Join(algs, ", "))
	}
	if kid == "" {
		var err error
		if kid, err = Thumbprint(k.Signer.Public()); err != nil {
			return nil, err
		}
	}
	s := &Signer{alg: alg, kid: kid, priv: k.Signer}
	if k.Cert != nil {
		s.cert = k.Cert
		s.x5t, s.x5tS256 = certThumbprints(k.Cert)
	}
	return s, nil
}

// NewHMACSigner signs with a shared secret (client_secret_jwt), HS256 unless
// alg says HS384 or HS512.
func NewHMACSigner(secret []byte, alg string) (*Signer, error) {
	if alg == "" {
		alg = "HS256"
	}
	if !slices.Contains(hmacAlgs, alg) {
		return nil, fmt.Errorf("signing_alg %s does not fit client_secret_jwt (use %s)", alg, strings.Join(hmacAlgs, ", "))
	}
	if len(secret) == 0 {
		return nil, errors.New("client_secret_jwt needs the client secret")
	}
	// RFC 7518 §3.2: a key at least as long as the hash output MUST be used
	// (and tokctl's own verifier holds tokens to it).
	if need := algHash[alg].Size(); len(secret) < need {
		return nil, fmt.Errorf("%s needs a client secret of at least %d bytes (RFC 7518 §3.2), and this one has %d", alg, need, len(secret))
	}
	return &Signer{alg: alg, mac: secret}, nil
}

// KeyAlgorithms lists the JWS algorithms key can sign with, the default first.
func KeyAlgorithms(key crypto.Signer) []string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return rsaAlgs
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P384():
			return []string{"ES384"}
		case elliptic.P521():
			return []string{"ES512"}
		}
		return []string{"ES256"}
	case ed25519.PrivateKey:
		return []string{"EdDSA"}
	}
	return nil
}

func keyKind(key crypto.Signer) string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return "RSA"
	case *ecdsa.PrivateKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PrivateKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", key)
}

// Alg is the JWS algorithm the signer uses.
func (s *Signer) Alg() string { return s.alg }

// KeyID is the kid the signer puts in the header; empty for HMAC.
func (s *Signer) KeyID() string { return s.kid }

// Claims are an assertion's contents (RFC 7523 §3).
type Claims struct {
	// Issuer and Subject are the client id for a client assertion; the
	// JWT-bearer grant may name another subject.
	Issuer, Subject string
	// Audience is the token endpoint, unless the provider asks for another.
	Audience string
	// Scope, when set, goes in a "scope" claim (Google-style service accounts).
	Scope string
	// Now is the signing time; zero means time.Now.
	Now time.Time
	// Lifetime is exp - iat; zero means DefaultLifetime. At most MaxLifetime.
	Lifetime time.Duration
}

type header struct {
	Alg     string `json:"alg"`
	Typ     string `json:"typ"`
	Kid     string `json:"kid,omitempty"`
	X5t     string `json:"x5t,omitempty"`
	X5tS256 string `json:"x5t#S256,omitempty"`
}

type payload struct {
	Iss   string `json:"iss"`
	Sub   string `json:"sub"`
	Aud   string `json:"aud"`
	Jti   string `json:"jti"`
	Iat   int64  `json:"iat"`
	Nbf   int64  `json:"nbf"`
	Exp   int64  `json:"exp"`
	Scope string `json:"scope,omitempty"`
}

// Sign makes a compact JWS of c with a fresh random jti.
func (s *Signer) Sign(c Claims) (string, error) {
	if c.Issuer == "" || c.Subject == "" || c.Audience == "" {
		return "", errors.New("an assertion needs an issuer, a subject and an audience")
	}
	now := c.Now
	if now.IsZero() {
		now = time.Now()
	}
	life := c.Lifetime
	if life <= 0 {
		life = DefaultLifetime
	}
	life = min(life, MaxLifetime)
	jti, err := newJTI()
	if err != nil {
		return "", err
	}
	h, err := json.Marshal(header{Alg: s.alg, Typ: "JWT", Kid: s.kid, X5t: s.x5t, X5tS256: s.x5tS256})
	if err != nil {
		return "", err
	}
	iat := now.Unix()
	p, err := json.Marshal(payload{Iss: c.Issuer, Sub: c.Subject, Aud: c.Audience, Jti: jti,
		Iat: iat, Nbf: iat, Exp: iat + int64(life/time.Second), Scope: c.Scope})
	if err != nil {
		return "", err
	}
	input := b64(h) + "." + b64(p)
	sig, err := s.sign([]byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + b64(sig), nil
}

func (s *Signer) sign(input []byte) ([]byte, error) {
	if s.alg == "EdDSA" {
		return s.priv.Sign(rand.Reader, input, crypto.Hash(0))
	}
	hash := algHash[s.alg]
	if s.mac != nil {
		m := hmac.New(hash.New, s.mac)
		m.Write(input)
		return m.Sum(nil), nil
	}
	h := hash.New()
	h.Write(input)
	digest := h.Sum(nil)
	switch k := s.priv.(type) {
	case *rsa.PrivateKey:
		if strings.HasPrefix(s.alg, "PS") {
			// RFC 7518 §3.5: the salt is as long as the hash.
			return rsa.SignPSS(rand.Reader, k, hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(rand.Reader, k, hash, digest)
	case *ecdsa.PrivateKey:
		// RFC 7518 §3.4: R and S as fixed-size big-endian, not ASN.1.
		r, sv, err := ecdsa.Sign(rand.Reader, k, digest)
		if err != nil {
			return nil, err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		sv.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("cannot sign %s with a %s key", s.alg, keyKind(s.priv))
}

// newJTI is a random UUID (version 4), the form Auth0 and Entra ID suggest.
func newJTI() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func b64Decode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
