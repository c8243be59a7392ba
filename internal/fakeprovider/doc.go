// Package fakeprovider is a test double for every OAuth2 provider tokctl speaks to.
//
// It is a real HTTP server on a loopback address that answers each provider's token
// API exactly as the provider documents it and refuses every other request shape
// (wrong method, content type, encoding, field set or client authentication) with a
// 400, so a test that passes against it proves tokctl sends the real request shape.
// It is deliberately stricter than the real servers, which tolerate some alternative
// encodings (Tilia and Tiltify also take query parameters, Tiki also takes POST).
//
// Routes, relative to [Server.URL] (the name in brackets is the [Server.Count] key):
//
//	POST /tilia/token                   [tilia.token]          form body; comma-joined scope
//	POST /ils/api/oauth/token           [ils.token]            JSON {clientId, clientSecret}
//	GET  /tiki/api/oauth/access_token   [tiki.token]           query parameters only
//	GET  /tiki/api/oauth/authorize      [tiki.authorize]
//	POST /tiltify/oauth/token           [tiltify.token]        V5, JSON body
//	GET  /tiltify/oauth/authorize       [tiltify.authorize]
//	POST /tiltify-v3/oauth/token        [tiltify-v3.token]     legacy v3, form body + Basic
//	GET  /tiltify-v3/oauth/authorize    [tiltify-v3.authorize]
//	POST /oauth2/token                  [oauth2.token]         generic RFC 6749
//	GET  /oauth2/authorize              [oauth2.authorize]
//	GET  /api/whoami                    [api.whoami]           Bearer token introspection
//
// OpenID Connect routes (see oidc.go), issuer URL()+"/oidc" (Server.OIDCIssuer):
//
//	GET  /oidc/.well-known/openid-configuration         [oidc.discovery]
//	GET  /oidc-wrong/.well-known/openid-configuration   [oidc-wrong.discovery]  issuer https://evil.example.com/oidc
//	GET  /oauth-as/.well-known/oauth-authorization-server
//	GET  /.well-known/oauth-authorization-server/oauth-as
//	                                                    [oauth-as.discovery]    RFC 8414, issuer URL()+"/oauth-as"
//	GET  /oidc/jwks                                     [oidc.jwks]             signing key; kid = Server.KeyID
//	GET  /oidc/authorize                                [oidc.authorize]        nonce; PKCE required of public clients; iss (RFC 9207)
//	POST /oidc/token                                    [oidc.token]            code, refresh, client_credentials, device_code
//	POST /oidc/device                                   [oidc.device]           RFC 8628 device authorization
//	GET  /oidc/device/verify?user_code=X[&action=deny]  [oidc.device.verify]    approves (or denies) at once
//	POST /oidc/revoke                                   [oidc.revoke]           RFC 7009; see Server.Revoked
//
// Control routes:
//
//	GET  /_fake/stats, POST /_fake/reset                       test control, not counted
//	POST /_fake/fault, DELETE /_fake/fault[?route=NAME]        fault injection, not counted
//	POST /_fake/oidc-hostility                                 hostile ID tokens and redirects, not counted
//
// Faults make a route misbehave for black-box tests of tokctl's network handling:
// delay, hang, drop the connection, cut the body short, or answer with any status,
// headers and body (see [Fault] and [Server.InjectFault]). A hostile provider is a
// fault too: "patch" lets the route answer and rewrites fields of its JSON answer (a
// token of shell syntax with a live refresh token, a device verification_uri of
// "javascript:…" with a live device code), and "template" makes the body and the
// patch echo what the client sent ({{.Form.client_secret}}, {{.BasicPassword}},
// {{base64 …}}, see [FaultRequest]). POST /_fake/fault takes a JSON object {"route",
// "times", "delay", "delay_jitter", "action", "status", "header", "body", "patch",
// "template"} with durations as Go duration strings ("500ms").
//
// The /oidc routes have a hostile mode of their own, for what a signed answer needs
// ([OIDCHostility], [Server.SetOIDCHostility]): ID tokens with chosen claims (another
// iss, a trailing-slash iss, several audiences without azp, an iat in the future) still
// signed with the published key, or unsigned (alg "none"), on every grant or only on
// one (a refresh); and authorization redirects with another iss, or none, though the
// /oidc discovery document advertises authorization_response_iss_parameter_supported.
//
// Registered demo clients (all fixed, see the constants):
//
//	tilia        TiliaClientID / TiliaClientSecret (the sample pair from Tilia's Auth API document);
//	             scopes write_registrations, write_user_tokens, user_info, read_invoices,
//	             write_invoices, read_kycs
//	ils          ILSClientID / ILSClientSecret; no scopes
//	tiki         TikiClientID / TikiClientSecret; scopes read, write, admin
//	tiltify      TiltifyClientID / TiltifyClientSecret, shared by V5 and v3;
//	             scopes public (the default), cause, webhooks:write
//	oauth2       OAuth2BasicClientID / OAuth2BasicClientSecret (client_secret_basic only) and
//	             OAuth2PostClientID / OAuth2PostClientSecret (client_secret_post only); any scope
//	oidc         OIDCClientID / OIDCClientSecret (client_secret_basic or client_secret_post);
//	             public clients (client_id in the body, no secret, PKCE required):
//	             OIDCPublicClientID, and OIDCSlowClientID (first device poll gets slow_down),
//	             OIDCShortClientID (device codes live 2 s), OIDCBadSigClientID (ID tokens signed
//	             by an unpublished key under the published kid), OIDCBadNonceClientID (wrong
//	             nonce in ID tokens), OIDCJWEClientID (JWE access tokens, see
//	             [Server.EncryptionKey]); any scope
//
// Authorize endpoints approve at once and redirect to any http redirect_uri on
// 127.0.0.1, [::1] or localhost (any port), with code and state. The state parameter
// is required. Codes are single use, live ten minutes, and are bound to the client,
// the redirect_uri and, when one was sent, the S256 PKCE challenge.
//
// Access tokens are JWTs signed with an RSA-2048 key made at [Start] (see
// [Server.PublicKey]), except Tiltify's, which are opaque like the real ones.
// Refresh tokens rotate: each use revokes the old one. The oidc token endpoint
// returns a refresh token for every code, device_code and refresh_token grant
// (never for client_credentials), and an ID token for those grants when the scope
// holds openid.
package fakeprovider
