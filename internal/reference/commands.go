package reference

// The long help of tokctl's commands (cobra's Long): what `tokctl CMD --help`
// shows and the man pages and docs/reference (cmd/gendocs) carry. The
// commands themselves, their flags and examples are in internal/cli; the
// prose that explains them is kept here, with the rest of the reference.
// Constants: a command's help costs nothing until it is shown.

// Decode is the long help of `tokctl decode`.
const Decode = `Decode a JWT from the argument, or from stdin when the argument is - or missing:
its header, its claims (registered claims first), times as RFC 3339 and relative,
its scopes, and a verdict (valid, expired, not yet valid). A leading "Bearer " or
"Authorization:" is ignored. An opaque token or other non-JWT input is an error
(exit 1); an encrypted JWT (JWE) shows its header only.

Without --key, --hmac-secret-file or --jwks the signature is shown but not
verified. With one of them it is verified (RS256/384/512, PS256/384/512,
ES256/384/512, EdDSA, HS256/384/512), and a token that does not verify is shown,
then decode exits 1. A token with alg "none" never verifies, and the key must fit
the alg: an HS256 token is not checked against a public key, nor an RS256 token
against a shared secret. decode says on stderr which key it loaded. A header or
payload that names a member twice, or nests deeper than 64 levels, is refused.

  --key FILE   a public key or certificate, PEM (text before it, such as
               openssl x509 -text prints, is skipped) or DER (.cer, .der), or a
               JWK or JWK Set (strict JSON); any other file is an error
  --hmac-secret-file FILE
               the HMAC shared secret of HS256/384/512 tokens, as is (one
               trailing newline is ignored); - reads it from stdin
  --jwks SRC   the JWKS of the configured or built-in provider SRC, else a JWK
               Set from an https URL (http only on loopback) or a file (name a
               file in the current directory as ./FILE); the token's kid picks
               the key, or the set's only key when it has one`

// Exec is the long help of `tokctl exec`.
const Exec = `Run CMD with a valid access token for PROVIDER in its environment, as
TOKCTL_ACCESS_TOKEN unless --env names another variable. The token never
appears in any command line (where ps and /proc show it to every user of the
machine): neither tokctl's nor CMD's.

The token is the one ` + "`tokctl token get`" + ` prints, under the same rules: the stored
token while it has at least --min-ttl left, else a refreshed or fetched one,
and a background refresh when the token served is in the last quarter of its
life (refresh-ahead).
When no token can be had (exit 3, 4 or 5 as for token get), CMD does not run.

CMD runs without a shell: for shell syntax, use sh -c '...' in single quotes,
so that the variable is expanded by that shell, not by yours. A variable a
shell expands onto a command line is in that command's argv again: hand the
token on through a pipe (printf is a shell builtin, see below) or let the
program read the variable (curl 8.3 or later: --variable %TOKCTL_ACCESS_TOKEN
--expand-header 'Authorization: Bearer {{TOKCTL_ACCESS_TOKEN}}').
stdin, stdout and stderr are CMD's own. tokctl waits for CMD and exits with its
exit code (128+N when signal N killed it; 127 when CMD is not found, 126 when
it cannot be run). SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent
to tokctl are passed on to CMD; a Ctrl-C typed at the terminal reaches CMD
directly, once. --timeout bounds getting the token, not CMD.`

// TokenGet is the long help of `tokctl token get`.
const TokenGet = `Print a valid access token for PROVIDER to stdout, and nothing else.

The stored token is used while it has at least --min-ttl left and was issued by
the same endpoint, to the same client, for the same scopes. Otherwise tokctl
fetches a new one (client credentials from the environment, the config file or
the keyring), stores it and prints it. Tokens are kept per scope set: asking
for other scopes does not evict the first ones. Without --scope and configured
scopes, the scopes of the last ` + "`tokctl login --scope`" + ` are asked for. Parallel
calls coordinate through a lock, so they cause one token request, not many.

When the token served is in the last quarter of its life, tokctl also starts
one background refresh (refresh-ahead), so that the next call finds a fresh
token without waiting; TOKCTL_REFRESH_AHEAD=false or refresh_ahead: false in
the config file turns it off.`

// Providers is the long help of `tokctl providers`.
const Providers = `List the built-in and configured providers with their kind, flows and token
endpoint (after the config file and TOKCTL_<NAME>_<KEY> variables are applied),
and what is missing: a setting, a client id, an issuer that cannot be reached.
An issuer's endpoints are read from its discovery document, whose URL is shown.

Any other OAuth2 or OpenID Connect server is added by naming it under
providers in the config file with kind: oauth2, e.g.

  providers:
    my-idp:
      kind: oauth2
      issuer: https://idp.example.com   # discovery; or token_url (and auth_url)
      client_id: tokctl                 # no secret: a public client (PKCE)

-o json prints the same as JSON with stable field names: never a token or secret.`

// Status is the long help of `tokctl status`.
const Status = `Show one line per stored token (a provider keeps one per scope set and token
endpoint), or one line for a provider with none: whether it is logged in, when
the token expires, its scopes, and where it is stored. Never prints a token or
secret. -o json prints the same as a JSON array, one object per line of the
table, with the fields provider, state (logged_in, expired, other_endpoint,
unreadable or not_logged_in), store and, for a stored token, endpoint,
client_id, scopes, requested_scopes, default_scopes, expiry, expires_in,
obtained_at, refresh_token and id_token (whether there is one).`

// KeyPublic is the long help of `tokctl key public`.
const KeyPublic = `Print the public half of PROVIDER's private key (the private_key file, else the
key stored by ` + "`tokctl login PROVIDER --private-key-stdin`" + `), so that you can
register it with the client at the provider: as a JWK (default; its kid is the
private_key_id setting or the key's RFC 7638 thumbprint, the kid tokctl puts in
every assertion, and its alg the one tokctl signs with), as a JWK Set (-o jwks,
what a JWKS upload or URL takes), or as a PEM public key (-o pem).
The private key itself is never printed.`

// Logout is the long help of `tokctl logout`.
const Logout = `Remove the stored tokens of PROVIDER (one per scope set). When the provider
has a revocation endpoint (RFC 7009; from its discovery document or
revocation_url), tokctl first asks it to revoke each refresh token (else the
access token) — only when the token came from the token endpoint configured
now: after a change of endpoint it warns and sends nothing. A failed revocation
is a warning and the local token is removed anyway. With --all, also remove the
client id and secret (or private key) and the scopes that ` + "`tokctl login`" + ` stored.`

// Refresh is the long help of `tokctl refresh`.
const Refresh = `Get a new token for PROVIDER now, whatever the stored one's expiry: with the
stored refresh token when there is one (the provider may rotate it; the new one
is stored before tokctl exits), else with the client credentials. Prints a
one-line summary to stderr and nothing to stdout.`
