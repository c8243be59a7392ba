package fakeprovider

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// oidcTokenResponse is the token endpoint's answer (RFC 6749 §5.1, OIDC Core §3.1.3.3).
type oidcTokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// idClaims are an ID token's claims (OIDC Core §2).
type idClaims struct {
	Iss      string `json:"iss"`
	Sub      string `json:"sub"`
	Aud      string `json:"aud"`
	Azp      string `json:"azp"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	AuthTime int64  `json:"auth_time"`
	Nonce    string `json:"nonce,omitempty"`
}

// clientQuirks is how a demo oidc client departs from a well-behaved provider.
type clientQuirks struct {
	firstPollSlow  bool          // the first device-code poll answers slow_down
	deviceLifetime time.Duration // how long a device code lives
	badSignature   bool          // ID tokens signed by another key under the published kid
	badNonce       bool          // ID tokens from the code flow carry a nonce that was never sent
	encryptAccess  bool          // access tokens are JWEs
}

func quirksOf(clientID string) clientQuirks {
	q := clientQuirks{deviceLifetime: 10 * time.Minute}
	switch clientID {
	case OIDCSlowClientID:
		q.firstPollSlow = true
	case OIDCShortClientID:
		q.deviceLifetime = 2 * time.Second
	case OIDCBadSigClientID:
		q.badSignature = true
	case OIDCBadNonceClientID:
		q.badNonce = true
	case OIDCJWEClientID:
		q.encryptAccess = true
	}
	return q
}

// oidcShapes lists each grant's parameters once client authentication is removed.
func oidcShapes() map[string]grantShape {
	return map[string]grantShape{
		"authorization_code": {[]string{"grant_type", "code", "redirect_uri"}, []string{"code_verifier"}},
		"refresh_token":      {[]string{"grant_type", "refresh_token"}, []string{"scope"}},
		"client_credentials": {[]string{"grant_type"}, []string{"scope"}},
		deviceGrantType:      {[]string{"grant_type", "device_code"}, nil},
	}
}

// oidcToken serves POST /oidc/token.
func (s *Server) oidcToken(w http.ResponseWriter, r *http.Request) {
	f, err := readForm(w, r)
	if err != nil {
		writeRFCError(w, http.StatusBadRequest, "invalid_request", err.Error(), false)
		return
	}
	if f["grant_type"] == JWTBearerGrantType {
		s.jwtBearer(w, r, f)
		return
	}
	c, fail := s.oidcClient(r, f)
	if fail == nil {
		fail = checkShape(f, oidcShapes())
	}
	if fail != nil {
		fail.write(w)
		return
	}
	scopes, _ := oauth2Scopes(f["scope"])
	switch f["grant_type"] {
	case "client_credentials":
		if !c.confidential() {
			writeRFCError(w, http.StatusBadRequest, "unauthorized_client", "client_credentials is for confidential clients only", false)
			return
		}
		s.oidcIssue(w, c, issuance{grant: s.newGrant("oidc", c.ID, scopes, oidcLifetime)})
	case "authorization_code":
		s.oidcExchange(w, c, f)
	case "refresh_token":
		s.oidcRefresh(w, c, f["refresh_token"], scopes)
	default:
		s.devicePoll(w, c, f["device_code"])
	}
}

// oidcClient authenticates a token, device or revocation request by the methods its
// client may use, and removes the credentials from f. A public client must send its
// client_id in the body and nothing else: a secret, even an empty one in a Basic
// header, is a malformed request (400 invalid_request), as is using two methods at once.
func (s *Server) oidcClient(r *http.Request, f fields) (Client, *rfcFailure) {
	if f.has("client_assertion") || f.has("client_assertion_type") {
		return s.assertionClient(r, f)
	}
	id, secret, basic, err := basicAuth(r)
	if err != nil {
		return Client{}, badRequest(err.Error())
	}
	if basic {
		if f.has("client_secret") {
			return Client{}, badRequest("use one client authentication method: a Basic header or client_secret in the body, not both")
		}
		if f.has("client_id") && f["client_id"] != id {
			return Client{}, badRequest("client_id does not match the Authorization header")
		}
	} else {
		id, secret = f["client_id"], f["client_secret"]
	}
	sentSecret := basic || f.has("client_secret")
	delete(f, "client_id")
	delete(f, "client_secret")
	c, known := findClient("oidc", id)
	switch {
	case !known:
		return Client{}, &rfcFailure{status: http.StatusUnauthorized, code: "invalid_client", desc: "unknown client", basicHeader: basic}
	case c.AuthMethod == AuthMethodPrivateKeyJWT || c.AuthMethod == AuthMethodSecretJWT || c.AuthMethod == AuthMethodFederated:
		return Client{}, badRequest("client " + id + " must authenticate with " + c.AuthMethod + " (client_assertion)")
	case c.Secret == "" && sentSecret:
		return Client{}, badRequest("client " + id + " is public: send client_id in the body and no secret")
	case c.Secret == "":
		return c, nil
	}
	if _, ok := authenticate("oidc", id, secret); !ok || secret == "" {
		return Client{}, &rfcFailure{status: http.StatusUnauthorized, code: "invalid_client", desc: "client authentication failed", basicHeader: basic}
	}
	return c, nil
}

// checkShape checks the grant type and its parameters against shapes.
func checkShape(f fields, shapes map[string]grantShape) *rfcFailure {
	shape, ok := shapes[f["grant_type"]]
	if !ok {
		return &rfcFailure{status: http.StatusBadRequest, code: "unsupported_grant_type", desc: "grant_type is missing or unsupported"}
	}
	if err := f.only(shape.required, shape.optional); err != nil {
		return badRequest(err.Error())
	}
	if _, ok := oauth2Scopes(f["scope"]); !ok {
		return &rfcFailure{status: http.StatusBadRequest, code: "invalid_scope", desc: "scope must be space-separated scope tokens"}
	}
	return nil
}

func (s *Server) oidcExchange(w http.ResponseWriter, c Client, f fields) {
	code, err := s.redeemCode("oidc", c.ID, f["code"], f["redirect_uri"], f["code_verifier"])
	if err != nil {
		writeRFCError(w, http.StatusBadRequest, "invalid_grant", err.Error(), false)
		return
	}
	g := s.newGrant("oidc", c.ID, code.scopes, oidcLifetime)
	g.authTime = code.authTime
	nonce := code.nonce
	if quirksOf(c.ID).badNonce {
		nonce = "not-the-nonce-you-sent-" + randomHex(4)
	}
	s.oidcIssue(w, c, issuance{grant: g, user: true, nonce: nonce, grantType: "authorization_code"})
}

// oidcRefresh rotates a refresh token; the new ID token keeps auth_time and has no nonce.
func (s *Server) oidcRefresh(w http.ResponseWriter, c Client, token string, scopes []string) {
	old, err := s.useRefresh("oidc", c.ID, token, scopes)
	switch {
	case errors.Is(err, errRefreshScope):
		writeRFCError(w, http.StatusBadRequest, "invalid_scope", err.Error(), false)
	case err != nil:
		writeRFCError(w, http.StatusBadRequest, "invalid_grant", err.Error(), false)
	default:
		g := s.newGrant("oidc", c.ID, narrow(scopes, old.scopes), oidcLifetime)
		g.authTime = old.authTime
		s.oidcIssue(w, c, issuance{grant: g, user: true, grantType: "refresh_token"})
	}
}

// issuance is one token response to write.
type issuance struct {
	grant grant
	user  bool   // an end user approved: sub is OIDCSubject, and refresh and ID tokens follow
	nonce string // for the ID token; empty leaves the claim out
	// grantType is the grant the answer is for, which OIDCHostility may single out.
	grantType string
	sub       string // the access token's sub when not the client's or the user's (JWT-bearer grant)
}

// oidcIssue answers with an access token, and for grants a user approved, a refresh
// token (always: code, device and refresh grants) and an ID token (when scope has openid).
func (s *Server) oidcIssue(w http.ResponseWriter, c Client, is issuance) {
	g := is.grant
	resp := oidcTokenResponse{TokenType: "Bearer", ExpiresIn: g.expiresIn(), Scope: strings.Join(g.scopes, " ")}
	sub := c.ID
	switch {
	case is.user:
		sub = OIDCSubject
	case is.sub != "":
		sub = is.sub
	}
	var err error
	resp.AccessToken, err = s.oidcAccessToken(c, sub, g)
	if err == nil && is.user && hasScope(g.scopes, "openid") {
		resp.IDToken, err = s.idToken(c, g, is.grantType, is.nonce)
	}
	if err != nil {
		writeRFCError(w, http.StatusInternalServerError, "server_error", "signing failed", false)
		return
	}
	s.rememberAccess(resp.AccessToken, g)
	if is.user {
		resp.RefreshToken = s.issueRefresh(g)
	}
	writeJSON(w, http.StatusOK, resp)
}

// oidcAccessToken is an RFC 9068-style JWT for the fake's own API, or a JWE of one.
func (s *Server) oidcAccessToken(c Client, sub string, g grant) (string, error) {
	token, err := signKID(s.key, s.KeyID(), accessClaims{
		Iss: s.OIDCIssuer(), Sub: sub, Aud: s.url + "/api", ClientID: c.ID, Scope: strings.Join(g.scopes, " "),
		Jti: newUUID(), Iat: g.issued.Unix(), Exp: g.expires.Unix(),
	})
	if err != nil || !quirksOf(c.ID).encryptAccess {
		return token, err
	}
	return s.encrypt(token)
}

func (s *Server) idToken(c Client, g grant, grantType, nonce string) (string, error) {
	key := s.key
	if quirksOf(c.ID).badSignature {
		var err error
		if key, err = s.otherKey(); err != nil {
			return "", err
		}
	}
	claims := idClaims{
		Iss: s.OIDCIssuer(), Sub: OIDCSubject, Aud: c.ID, Azp: c.ID, Exp: g.expires.Unix(), Iat: g.issued.Unix(),
		AuthTime: g.authTime.Unix(), Nonce: nonce,
	}
	h := s.oidcHostility()
	if !h.applies(grantType) {
		return signKID(key, s.KeyID(), claims)
	}
	m, err := h.patchedClaims(claims)
	if err != nil {
		return "", err
	}
	if h.Unsigned {
		return unsigned(m)
	}
	return signKID(key, s.KeyID(), m)
}
