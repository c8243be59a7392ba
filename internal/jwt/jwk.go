package jwt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/url"
	"sync"
)

// JWK parsing (RFC 7517, RFC 7518 §6, RFC 8037 §2) on the standard library. It accepts
// exactly the JWKs go-jose v4.1.9's JSONWebKey.UnmarshalJSON (plus Valid) accepted when
// tokctl used it, so that leaving go-jose changed no key's fate; FuzzJWKParity holds it
// to that. Member names are case-sensitive and may not repeat, as in go-jose's JSON decoder.

// maxRSABits is the largest RSA modulus a JWK may have (go-jose's MaxRSAModulusBits):
// larger keys only cost time.
const maxRSABits = 4096

var errUnsupportedJWK = errors.New("a key type or curve tokctl does not verify with")

// jwk is one parsed JWK.
type jwk struct {
	kid, kty, alg, use string
	pub                any // *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey or []byte (oct)
}

// jwkParam is a base64url member of a JWK. A member given as "" is present but empty,
// which matters: an empty "d" still makes a private key, as in go-jose.
type jwkParam struct {
	b  []byte
	ok bool
}

// jwkParams are the base64url members go-jose decoded (its rawJSONWebKey); each must be
// a string of unpadded base64url when present, even where tokctl ignores it.
var jwkParams = []string{"k", "x", "y", "n", "e", "d", "p", "q", "dp", "dq", "qi", "pub", "priv"}

// jwkPrivate are the members that carry secrets: a JWK in a token header may not have them.
var jwkPrivate = []string{"k", "d", "p", "q", "dp", "dq", "qi", "priv"}

// parseJWK reads one JWK. A private JWK gives its public key; allowPrivate false
// refuses one, as RFC 7515 §4.1.3 requires of a header's "jwk".
func parseJWK(data []byte, allowPrivate bool) (jwk, error) {
	m, err := jsonObject(data, false)
	if err != nil {
		return jwk{}, err
	}
	var k jwk
	var crv, x5u, x5t, x5t256 string
	for _, f := range []struct {
		name string
		dst  *string
	}{{"kid", &k.kid}, {"kty", &k.kty}, {"alg", &k.alg}, {"use", &k.use}, {"crv", &crv}, {"x5u", &x5u}, {"x5t", &x5t}, {"x5t#S256", &x5t256}} {
		if *f.dst, err = m.str(f.name); err != nil {
			return jwk{}, err
		}
	}
	p := make(map[string]jwkParam, len(jwkParams))
	for _, name := range jwkParams {
		s, present, err := m.optStr(name)
		if err != nil {
			return jwk{}, err
		}
		if !present {
			continue
		}
		b, err := base64.RawURLEncoding.DecodeString(s) // go-jose's decoding: no padding, CR and LF skipped
		if err != nil {
			return jwk{}, fmt.Errorf("%q is not base64url without padding", name)
		}
		p[name] = jwkParam{b: b, ok: true}
	}
	if !allowPrivate {
		for _, name := range jwkPrivate {
			if p[name].ok {
				return jwk{}, fmt.Errorf("a private member %q", name)
			}
		}
	}
	certs, err := jwkChain(m)
	if err != nil {
		return jwk{}, err
	}

	switch k.kty {
	case "":
		return jwk{}, errors.New("no kty")
	case "RSA":
		k.pub, err = rsaJWK(p)
	case "EC":
		k.pub, err = ecJWK(crv, p)
	case "OKP":
		if crv != "Ed25519" {
			return jwk{}, errUnsupportedJWK
		}
		k.pub, err = ed25519JWK(p)
	case "oct":
		switch {
		case len(certs) > 0:
			err = errors.New("a symmetric key with a certificate chain")
		case len(p["k"].b) == 0:
			err = errors.New("no k") // go-jose took an empty k; tokctl never could use it
		default:
			k.pub = p["k"].b
		}
	default:
		return jwk{}, errUnsupportedJWK
	}
	if err != nil {
		return jwk{}, err
	}

	// RFC 7517 §4.7: the first certificate's key must be the JWK's key. go-jose refused
	// a mismatch, and so does tokctl: a JWK that contradicts itself is not trusted either way.
	if len(certs) > 0 && !samePublicKey(certs[0].PublicKey, k.pub) {
		return jwk{}, errors.New("the key and its x5c certificate differ")
	}
	if x5u != "" {
		if _, err := url.Parse(x5u); err != nil {
			return jwk{}, errors.New("x5u is not a URL")
		}
	}
	if err := checkThumbprint("x5t", x5t, sha1.Size, certs, func(b []byte) []byte { s := sha1.Sum(b); return s[:] }); err != nil {
		return jwk{}, err
	}
	if err := checkThumbprint("x5t#S256", x5t256, sha256.Size, certs, func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }); err != nil {
		return jwk{}, err
	}
	return k, nil
}

// jwkChain parses "x5c": standard base64 (padded) DER certificates, leaf first.
func jwkChain(m jsonMembers) ([]*x509.Certificate, error) {
	raw, ok := m["x5c"]
	if !ok {
		return nil, nil
	}
	var chain []string
	if err := json.Unmarshal(raw, &chain); err != nil {
		return nil, errors.New("x5c is not an array of strings")
	}
	certs := make([]*x509.Certificate, len(chain))
	for i, s := range chain {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, errors.New("x5c holds a certificate that is not base64")
		}
		if certs[i], err = x509.ParseCertificate(der); err != nil {
			return nil, errors.New("x5c holds an unreadable certificate")
		}
	}
	return certs, nil
}

// checkThumbprint checks an "x5t" or "x5t#S256": base64url of the digest or, as go-jose
// also took, of its hex; and equal to the first certificate's digest when there is one.
func checkThumbprint(name, value string, size int, certs []*x509.Certificate, sum func([]byte) []byte) error {
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return fmt.Errorf("%s is not base64url without padding", name)
	}
	if len(b) == 2*size {
		if b, err = hex.DecodeString(string(b)); err != nil {
			return fmt.Errorf("%s is not a digest", name)
		}
	}
	switch {
	case len(b) == 0:
		return nil
	case len(b) != size:
		return fmt.Errorf("%s is not a digest", name)
	case len(certs) > 0 && !bytes.Equal(b, sum(certs[0].Raw)):
		return fmt.Errorf("%s does not match the x5c certificate", name)
	}
	return nil
}

func samePublicKey(cert, key any) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return k.Equal(cert)
	case *ecdsa.PublicKey:
		return k.Equal(cert)
	case ed25519.PublicKey:
		return k.Equal(cert)
	}
	return false
}

// rsaJWK reads n and e, and of a private key checks d, p, q (and dp, dq, qi when given)
// as go-jose did, with crypto/rsa's Validate.
func rsaJWK(p map[string]jwkParam) (*rsa.PublicKey, error) {
	if !p["n"].ok || !p["e"].ok {
		return nil, errors.New("no n or e")
	}
	n := new(big.Int).SetBytes(p["n"].b)
	if n.BitLen() > maxRSABits {
		return nil, fmt.Errorf("an RSA modulus over %d bits", maxRSABits)
	}
	e := new(big.Int).SetBytes(p["e"].b)
	if !e.IsInt64() || e.Int64() < 2 || e.Int64() > math.MaxInt {
		return nil, errors.New("an RSA exponent e out of range")
	}
	pub := &rsa.PublicKey{N: n, E: int(e.Int64())}
	if !p["d"].ok {
		return pub, nil
	}
	if !p["p"].ok || !p["q"].ok {
		return nil, errors.New("a private RSA key without p or q")
	}
	prime1, prime2 := new(big.Int).SetBytes(p["p"].b), new(big.Int).SetBytes(p["q"].b)
	if prime1.BitLen()+prime2.BitLen() > n.BitLen()+1 || new(big.Int).Mul(prime1, prime2).Cmp(n) != 0 {
		return nil, errors.New("a private RSA key whose p × q is not n")
	}
	priv := &rsa.PrivateKey{PublicKey: *pub, D: new(big.Int).SetBytes(p["d"].b), Primes: []*big.Int{prime1, prime2}}
	if p["dp"].ok {
		priv.Precomputed.Dp = new(big.Int).SetBytes(p["dp"].b)
	}
	if p["dq"].ok {
		priv.Precomputed.Dq = new(big.Int).SetBytes(p["dq"].b)
	}
	if p["qi"].ok {
		priv.Precomputed.Qinv = new(big.Int).SetBytes(p["qi"].b)
	}
	if err := priv.Validate(); err != nil {
		return nil, errors.New("an inconsistent private RSA key")
	}
	return pub, nil
}

// ecJWK reads a P-256, P-384 or P-521 point: x and y of exactly the curve's size
// (RFC 7518 §6.2.1.2), on the curve. A private key's d must have that size too; like
// go-jose, tokctl does not check that d matches the point, as only the point is used.
func ecJWK(crv string, p map[string]jwkParam) (*ecdsa.PublicKey, error) {
	var curve elliptic.Curve
	switch crv {
	case "P-256":
		curve = elliptic.P256()
	case "P-384":
		curve = elliptic.P384()
	case "P-521":
		curve = elliptic.P521()
	default:
		return nil, errUnsupportedJWK
	}
	size := (curve.Params().BitSize + 7) / 8
	x, y, d := p["x"], p["y"], p["d"]
	if !x.ok || !y.ok {
		return nil, errors.New("no x or y")
	}
	if len(x.b) != size || len(y.b) != size || (d.ok && len(d.b) != size) {
		return nil, fmt.Errorf("x, y or d is not %d bytes long", size)
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x.b...), y.b...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, errors.New("x and y are not a point on the curve")
	}
	return pub, nil
}

// ed25519JWK reads an Ed25519 public key x; a private key's seed d must give x.
func ed25519JWK(p map[string]jwkParam) (ed25519.PublicKey, error) {
	x, d := p["x"], p["d"]
	if !x.ok {
		return nil, errors.New("no x")
	}
	if len(x.b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("x is not %d bytes long", ed25519.PublicKeySize)
	}
	pub := ed25519.PublicKey(bytes.Clone(x.b))
	if lowOrderEd25519(pub) {
		return nil, errLowOrderEd25519
	}
	if d.ok {
		if len(d.b) != ed25519.SeedSize {
			return nil, fmt.Errorf("d is not %d bytes long", ed25519.SeedSize)
		}
		if !pub.Equal(ed25519.NewKeyFromSeed(d.b).Public()) {
			return nil, errors.New("x does not belong to d")
		}
	}
	return pub, nil
}

var errLowOrderEd25519 = errors.New("the Ed25519 key is a point of small order, which matches forged signatures")

// lowOrderEd25519 reports whether pub encodes a point of order 1, 2, 4 or 8 (canonically
// or not): crypto/ed25519 accepts such keys, but for each, signatures exist that verify
// for many messages. The list is go-jose's weakEd25519PublicKeys: y ∈ {0, 1, p−1, p, p+1}
// and the two order-8 y values, each with either sign bit.
func lowOrderEd25519(pub ed25519.PublicKey) bool {
	if len(pub) != ed25519.PublicKeySize {
		return false
	}
	y := bytes.Clone(pub)
	y[31] &^= 0x80 // the sign of x does not change the order
	for _, weak := range lowOrderY() {
		if bytes.Equal(y, weak) {
			return true
		}
	}
	return false
}

// lowOrderY is built on first use, not at every start of tokctl.
var lowOrderY = sync.OnceValue(func() [][]byte {
	var out [][]byte
	for _, h := range []string{
		"0000000000000000000000000000000000000000000000000000000000000000", // y = 0: order 4
		"0100000000000000000000000000000000000000000000000000000000000000", // y = 1: the identity
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p−1: order 2
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p, i.e. 0
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p+1, i.e. 1
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
	} {
		b, err := hex.DecodeString(h)
		if err != nil {
			panic(err)
		}
		out = append(out, b)
	}
	return out
})

// jsonMembers are a JSON object's members, undecoded.
type jsonMembers map[string]json.RawMessage

// jsonObject reads a JSON object, refusing a member name that occurs twice (RFC 7515 §4
// and RFC 7517 §4 allow refusing; go-jose did). nested extends that to every object
// inside, as go-jose's header parsing did.
func jsonObject(data []byte, nested bool) (jsonMembers, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	m := jsonMembers{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("not a JSON object")
		}
		name, _ := tok.(string)
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("member %s occurs twice", quoteShort(name))
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("not a JSON object")
		}
		if nested {
			if err := uniqueNames(v); err != nil {
				return nil, err
			}
		}
		m[name] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a JSON object (data after it)")
	}
	return m, nil
}

// duplicateNameError names a JSON member name that occurs twice in one object.
type duplicateNameError struct{ name string }

func (e *duplicateNameError) Error() string {
	return fmt.Sprintf("member %s occurs twice", quoteShort(e.name))
}

// uniqueNames refuses a JSON value with an object, at any depth, that names a member twice.
func uniqueNames(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()            // any number is a token; whether it fits a float64 is checked elsewhere
	var open []map[string]bool // names per open object; nil for an array
	inObject := func() bool { return len(open) > 0 && open[len(open)-1] != nil }
	wantName := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errors.New("not JSON")
		}
		switch {
		case tok == json.Delim('{'):
			open = append(open, map[string]bool{})
			wantName = true
		case tok == json.Delim('['):
			open = append(open, nil)
			wantName = false
		case tok == json.Delim('}') || tok == json.Delim(']'):
			open = open[:len(open)-1]
			wantName = inObject()
		case wantName:
			name, _ := tok.(string)
			names := open[len(open)-1]
			if names[name] {
				return &duplicateNameError{name: name}
			}
			names[name] = true
			wantName = false
		default: // a value
			wantName = inObject()
		}
	}
}

// str returns a string member; absent or null is "", another type an error.
func (m jsonMembers) str(name string) (string, error) {
	s, _, err := m.optStr(name)
	return s, err
}

// optStr returns a string member and whether it is there and not null.
func (m jsonMembers) optStr(name string) (string, bool, error) {
	raw, ok := m[name]
	if !ok {
		return "", false, nil
	}
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, fmt.Errorf("%q is not a string", name)
	}
	if s == nil {
		return "", false, nil
	}
	return *s, true, nil
}
