package fakeprovider

import "crypto/subtle"

// Demo client credentials. They are published here on purpose: the fake only listens on
// loopback and these values are what tests and demos configure tokctl with.
const (
	// TiliaClientID is the Tilia client id from the request sample in Tilia's Auth API document.
	TiliaClientID = "3f2bfe5b-19b8-41c1-88d7-70a1586bce94"
	// TiliaClientSecret is the Tilia client secret from the same sample.
	TiliaClientSecret = "9bc00ca4-937e-4946-bdb5-0814b603334d"
	// ILSClientID is the ILS demo clientId.
	ILSClientID = "ils-demo-client"
	// ILSClientSecret is the ILS demo clientSecret.
	ILSClientSecret = "ils-demo-secret-7d1f0c"
	// TikiClientID is the Tiki demo client id, 32 characters like Tiki's generated ids.
	TikiClientID = "tikidemoclient000000000000000001"
	// TikiClientSecret is the Tiki demo client secret, 64 characters like Tiki's generated secrets.
	TikiClientSecret = "tikidemosecret0123456789abcdefghijklmnopqrstuvwxyz0123456789abcd"
	// TiltifyClientID is the Tiltify demo client id, shared by the V5 and v3 APIs.
	TiltifyClientID = "tiltify-demo-client"
	// TiltifyClientSecret is the Tiltify demo client secret, shared by the V5 and v3 APIs.
	TiltifyClientSecret = "tiltify-demo-secret"
	// OAuth2BasicClientID is the generic client that may only use client_secret_basic.
	OAuth2BasicClientID = "oauth2-basic"
	// OAuth2BasicClientSecret is OAuth2BasicClientID's secret.
	OAuth2BasicClientSecret = "oauth2-basic-secret"
	// OAuth2PostClientID is the generic client that may only use client_secret_post.
	OAuth2PostClientID = "oauth2-post"
	// OAuth2PostClientSecret is OAuth2PostClientID's secret.
	OAuth2PostClientSecret = "oauth2-post-secret"
	// OAuth2ReservedClientID is a client_secret_basic client whose id and
	// secret hold characters that RFC 6749 §2.3.1 requires to be
	// form-encoded before base64: a client that skips that step fails.
	OAuth2ReservedClientID = "oauth2:reserved"
	// OAuth2ReservedClientSecret is OAuth2ReservedClientID's secret.
	OAuth2ReservedClientSecret = "s3cr:t+%/ &=é"

	// OIDCClientID is the confidential OpenID Connect client; it may use client_secret_basic
	// or client_secret_post.
	OIDCClientID = "oidc-client"
	// OIDCClientSecret is OIDCClientID's secret; its + and / must be form-encoded in a
	// Basic header (RFC 6749 §2.3.1).
	OIDCClientSecret = "oidc-s3cret+/~"
	// OIDCPublicClientID is a public OpenID Connect client (RFC 8252): no secret, client_id
	// in the body, PKCE S256 required.
	OIDCPublicClientID = "oidc-public"
	// OIDCSlowClientID is a public client whose first device-code poll always gets slow_down.
	OIDCSlowClientID = "oidc-slow"
	// OIDCShortClientID is a public client whose device codes expire after 2 seconds.
	OIDCShortClientID = "oidc-short"
	// OIDCBadSigClientID is a public client whose ID tokens are signed with another key
	// under the published kid: verification must fail.
	OIDCBadSigClientID = "oidc-badsig"
	// OIDCBadNonceClientID is a public client whose ID tokens carry a nonce other than the one sent.
	OIDCBadNonceClientID = "oidc-badnonce"
	// OIDCJWEClientID is a public client whose access tokens are JWEs (RSA-OAEP-256, A256GCM)
	// encrypted to [Server.EncryptionKey].
	OIDCJWEClientID = "oidc-jwe"

	// OIDCKeyRSAClientID authenticates with private_key_jwt signed by OIDCKeyRSAPEM
	// (RS256/384/512 or PS256/384/512).
	OIDCKeyRSAClientID = "oidc-key-rsa"
	// OIDCKeyP256ClientID authenticates with private_key_jwt signed by OIDCKeyP256PEM (ES256).
	OIDCKeyP256ClientID = "oidc-key-p256"
	// OIDCKeyP384ClientID authenticates with private_key_jwt signed by OIDCKeyP384PEM (ES384).
	OIDCKeyP384ClientID = "oidc-key-p384"
	// OIDCKeyEd25519ClientID authenticates with private_key_jwt signed by OIDCKeyEd25519PEM (EdDSA).
	OIDCKeyEd25519ClientID = "oidc-key-ed25519"
	// OIDCSecretJWTClientID authenticates with client_secret_jwt: HS256 (or HS384/HS512)
	// keyed with OIDCSecretJWTClientSecret.
	OIDCSecretJWTClientID = "oidc-secret-jwt"
	// OIDCSecretJWTClientSecret is OIDCSecretJWTClientID's secret, 48 characters: HS256 wants
	// at least 32 bytes (RFC 7518 §3.2).
	OIDCSecretJWTClientSecret = "oidc-secret-jwt-0123456789abcdefghijklmnopqrstuv"
	// OIDCFederatedClientID authenticates with a CI platform's ID token as its client
	// assertion (workload identity federation): one the fake's GitHub Actions endpoint
	// issued, for FederatedAudience and FederatedSubject.
	OIDCFederatedClientID = "oidc-federated"
)

// Client authentication methods of the generic oauth2 and oidc clients (RFC 7591 names).
const (
	// AuthMethodBasic sends the credentials in an HTTP Basic Authorization header.
	AuthMethodBasic = "client_secret_basic"
	// AuthMethodPost sends client_id and client_secret in the form body.
	AuthMethodPost = "client_secret_post"
	// AuthMethodNone is a public client's: client_id in the form body, no secret.
	AuthMethodNone = "none"
	// AuthMethodPrivateKeyJWT sends a JWT signed with the client's private key (RFC 7523 §2.2).
	AuthMethodPrivateKeyJWT = "private_key_jwt"
	// AuthMethodSecretJWT sends a JWT signed HS256 with the client secret.
	AuthMethodSecretJWT = "client_secret_jwt"
	// AuthMethodFederated sends a CI platform's ID token as the client assertion.
	AuthMethodFederated = "federated"
)

// Client is a registered demo client.
type Client struct {
	// Provider is the route prefix the client belongs to: tilia, ils, tiki, tiltify, tiltify-v3, oauth2 or oidc.
	Provider string
	// ID is the client id.
	ID string
	// Secret is the client secret.
	Secret string
	// AuthMethod is set only for oauth2 and oidc clients: AuthMethodBasic, AuthMethodPost,
	// AuthMethodNone, AuthMethodPrivateKeyJWT, AuthMethodSecretJWT, AuthMethodFederated,
	// or both secret methods separated by a space (OIDCClientID).
	AuthMethod string
	// PrivateKeyPEM is a private_key_jwt client's private key; the fake knows its public half.
	PrivateKeyPEM string
}

// confidential reports whether the client authenticates at all.
func (c Client) confidential() bool {
	return c.Secret != "" || c.PrivateKeyPEM != "" || c.AuthMethod == AuthMethodFederated
}

func demoClients() []Client {
	return []Client{
		{Provider: "tilia", ID: TiliaClientID, Secret: TiliaClientSecret},
		{Provider: "ils", ID: ILSClientID, Secret: ILSClientSecret},
		{Provider: "tiki", ID: TikiClientID, Secret: TikiClientSecret},
		{Provider: "tiltify", ID: TiltifyClientID, Secret: TiltifyClientSecret},
		{Provider: "tiltify-v3", ID: TiltifyClientID, Secret: TiltifyClientSecret},
		{Provider: "oauth2", ID: OAuth2BasicClientID, Secret: OAuth2BasicClientSecret, AuthMethod: AuthMethodBasic},
		{Provider: "oauth2", ID: OAuth2PostClientID, Secret: OAuth2PostClientSecret, AuthMethod: AuthMethodPost},
		{Provider: "oauth2", ID: OAuth2ReservedClientID, Secret: OAuth2ReservedClientSecret, AuthMethod: AuthMethodBasic},
		{Provider: "oidc", ID: OIDCClientID, Secret: OIDCClientSecret, AuthMethod: AuthMethodBasic + " " + AuthMethodPost},
		{Provider: "oidc", ID: OIDCPublicClientID, AuthMethod: AuthMethodNone},
		{Provider: "oidc", ID: OIDCSlowClientID, AuthMethod: AuthMethodNone},
		{Provider: "oidc", ID: OIDCShortClientID, AuthMethod: AuthMethodNone},
		{Provider: "oidc", ID: OIDCBadSigClientID, AuthMethod: AuthMethodNone},
		{Provider: "oidc", ID: OIDCBadNonceClientID, AuthMethod: AuthMethodNone},
		{Provider: "oidc", ID: OIDCJWEClientID, AuthMethod: AuthMethodNone},
		{Provider: "oidc", ID: OIDCKeyRSAClientID, AuthMethod: AuthMethodPrivateKeyJWT, PrivateKeyPEM: OIDCKeyRSAPEM},
		{Provider: "oidc", ID: OIDCKeyP256ClientID, AuthMethod: AuthMethodPrivateKeyJWT, PrivateKeyPEM: OIDCKeyP256PEM},
		{Provider: "oidc", ID: OIDCKeyP384ClientID, AuthMethod: AuthMethodPrivateKeyJWT, PrivateKeyPEM: OIDCKeyP384PEM},
		{Provider: "oidc", ID: OIDCKeyEd25519ClientID, AuthMethod: AuthMethodPrivateKeyJWT, PrivateKeyPEM: OIDCKeyEd25519PEM},
		{Provider: "oidc", ID: OIDCSecretJWTClientID, Secret: OIDCSecretJWTClientSecret, AuthMethod: AuthMethodSecretJWT},
		{Provider: "oidc", ID: OIDCFederatedClientID, AuthMethod: AuthMethodFederated},
	}
}

// findClient looks a client up by provider and id.
func findClient(provider, id string) (Client, bool) {
	for _, c := range demoClients() {
		if c.Provider == provider && c.ID == id {
			return c, true
		}
	}
	return Client{}, false
}

// authenticate reports whether id and secret name a registered client of provider.
func authenticate(provider, id, secret string) (Client, bool) {
	c, ok := findClient(provider, id)
	if !ok || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return Client{}, false
	}
	return c, true
}
