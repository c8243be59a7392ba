package jwt

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Verification is the outcome of Token.Verify, kept on the token for the renderers.
type Verification struct {
	Verified bool   // the signature matches one of the keys given
	Alg      string // the header's alg
	KeyID    string // kid of the key that verified (from the JWKS, else the token's); may be ""
	Err      error  // why the signature is not verified (one of the Err… values or types below); nil when Verified
}

// VerifyError is what Token.Verify returns when the signature is not verified.
type VerifyError struct {
	Reason error
}

func (e *VerifyError) Error() string { return "signature verification failed: " + e.Reason.Error() }

// Unwrap returns the reason.
func (e *VerifyError) Unwrap() error { return e.Reason }

// Reasons a signature is not verified, matched with errors.Is.
var (
	ErrUnsigned     = errors.New(`the token is unsigned (alg "none"): there is no signature to verify`)
	ErrNoSignature  = errors.New("the token's signature segment is empty")
	ErrEncrypted    = errors.New("the token is encrypted (JWE): tokctl cannot decrypt it, so it has no signature to check")
	ErrBadSignature = errors.New("the signature does not match the key: the token was altered or signed with another key")
	ErrNoKey        = errors.New("no key to verify with")
	ErrCritical     = errors.New(`the header's "crit" names an extension tokctl does not understand, so the token must be refused (RFC 7515 §4.1.11)`)
)

// UnsupportedAlgError is the reason for an alg outside the allow-list.
type UnsupportedAlgError struct{ Alg string }

func (e *UnsupportedAlgError) Error() string {
	if e.Alg == "" {
		return "the header has no alg (string)"
	}
	return fmt.Sprintf("unsupported alg %s: tokctl verifies %s", quoteShort(e.Alg), strings.Join(supportedAlgs(), ", "))
}

// AlgKeyMismatchError is the reason when the token's alg does not fit the kind of key:
// algorithm confusion (an HS* token with a public key, an RS* token with a shared secret),
// or another family or curve (an RS256 token with an EC key, ES256 with a P-384 key).
type AlgKeyMismatchError struct {
	Alg  string // the token's alg
	Need string // the kind of key alg needs
	Have string // the kind of key given
}

func (e *AlgKeyMismatchError) Error() string {
	msg := fmt.Sprintf("the token says alg %s, which needs %s, but the key is %s", e.Alg, e.Need, e.Have)
	if e.Need == kindHMAC.String() || e.Have == kindHMAC.String() {
		msg += ": refusing (algorithm confusion)"
	}
	return msg
}

// algKey says what kind of key each accepted alg needs. Anything else is refused, "none" first of all.
var algKey = map[string]keyKind{
	"RS256": kindRSA, "RS384": kindRSA, "RS512": kindRSA,
	"PS256": kindRSA, "PS384": kindRSA, "PS512": kindRSA,
	"ES256": kindP256, "ES384": kindP384, "ES512": kindP521,
	"EdDSA": kindEd25519,
	"HS256": kindHMAC, "HS384": kindHMAC, "HS512": kindHMAC,
}

// hmacMinSize is the shortest secret, in bytes, RFC 7518 §3.2 allows for each HS alg.
var hmacMinSize = map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}

type keyKind int

const (
	kindUnknown keyKind = iota
	kindRSA
	kindP256
	kindP384
	kindP521
	kindEd25519
	kindHMAC
)

func (k keyKind) String() string {
	switch k {
	case kindRSA:
		return "an RSA public key"
	case kindP256:
		return "an EC P-256 public key"
	case kindP384:
		return "an EC P-384 public key"
	case kindP521:
		return "an EC P-521 public key"
	case kindEd25519:
		return "an Ed25519 public key"
	case kindHMAC:
		return "an HMAC shared secret"
	}
	return "a key of an unsupported type"
}

// kindOf classifies a key as loaded by ParseKey or ParseJWKS.
func kindOf(pub any) keyKind {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return kindRSA
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return kindP256
		case elliptic.P384():
			return kindP384
		case elliptic.P521():
			return kindP521
		}
	case ed25519.PublicKey:
		return kindEd25519
	case []byte:
		return kindHMAC
	}
	return kindUnknown
}

func supportedAlgs() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512"}
}

// Verify checks the signature with keys, records the outcome in t.Signature and
// returns a *VerifyError when the signature is not verified.
func (t *Token) Verify(keys *Keys) error {
	v := t.verify(keys)
	t.Signature = &v
	if !v.Verified {
		return &VerifyError{Reason: v.Err}
	}
	return nil
}

func (t *Token) verify(keys *Keys) Verification {
	alg, _ := t.Header["alg"].(string)
	kid, _ := t.Header["kid"].(string)
	v := Verification{Alg: alg, KeyID: kid}
	fail := func(err error) Verification { v.Err = err; return v }
	switch {
	case t.Encrypted:
		return fail(ErrEncrypted)
	case strings.EqualFold(alg, "none"):
		return fail(ErrUnsigned)
	case algKey[alg] == kindUnknown:
		return fail(&UnsupportedAlgError{Alg: alg})
	case !t.SignaturePresent:
		return fail(ErrNoSignature)
	case keys == nil || len(keys.keys) == 0:
		return fail(fmt.Errorf("%w: none given", ErrNoKey))
	}
	candidates, err := keys.forToken(kid)
	if err != nil {
		return fail(err)
	}
	// Each candidate shares the kid; the first reason is the one reported.
	var first error
	for _, k := range candidates {
		err := verifyWith(t.Raw, alg, k)
		if err == nil {
			v.Verified = true
			if keys.set {
				v.KeyID = k.kid
			}
			return v
		}
		if first == nil {
			first = err
		}
	}
	return fail(first)
}

// minRSABits is the smallest RSA modulus tokctl verifies with: crypto/rsa refuses
// smaller keys (unless GODEBUG rsa1024min=0), so go-jose could never verify with them
// either; checking first gives a reason instead of "the signature does not match".
const minRSABits = 1024

// verifyWith checks alg and the key before any cryptography, then the JWS itself.
func verifyWith(raw, alg string, k key) error {
	need, have := algKey[alg], kindOf(k.pub)
	if need != have {
		return &AlgKeyMismatchError{Alg: alg, Need: need.String(), Have: have.String()}
	}
	switch pub := k.pub.(type) {
	case []byte:
		if len(pub) < hmacMinSize[alg] {
			return fmt.Errorf("the HMAC secret is %d bytes, but %s needs at least %d (RFC 7518 §3.2)", len(pub), alg, hmacMinSize[alg])
		}
	case *rsa.PublicKey:
		if bits := rsaBits(pub); bits < minRSABits {
			return fmt.Errorf("the RSA key is %d bits, too small to trust: tokctl needs at least %d", bits, minRSABits)
		}
	case ed25519.PublicKey:
		// go-jose refused these in a JWK only; tokctl refuses them from a PEM file too.
		if lowOrderEd25519(pub) {
			return errLowOrderEd25519
		}
	}
	if k.alg != "" && k.alg != alg {
		return fmt.Errorf("the token says alg %s but the JWKS key %s is for %s", alg, quoteShort(k.kid), quoteShort(k.alg))
	}
	return verifyJWS(raw, alg, k.pub)
}

func rsaBits(pub *rsa.PublicKey) int {
	if pub.N == nil {
		return 0
	}
	return pub.N.BitLen()
}

// quoteShort quotes a value from a token or key for a message: escaped, at most 40 characters.
func quoteShort(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}
