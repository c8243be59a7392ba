// A real, independently written, certified OpenID Provider for tokctl's
// end-to-end test (cmd/tokctl/realidp_test.go): panva's oidc-provider, on
// 127.0.0.1 with an ephemeral port. TEST ONLY — never run it anywhere else.
//
// Usage: node server.js [ISSUER_FILE]
//   Environment: REALIDP_PKJWT_JWKS — the JSON Web Key Set ({"keys":[…]},
//   public keys) of the private_key_jwt client; the test generates the key.
//   Prints "issuer=URL" on stdout once it listens (and writes URL to
//   ISSUER_FILE when given); runs until killed or until stdin closes.
//
// What differs from a production deployment, on purpose:
// - AUTO-APPROVAL. The test browser (headless Chromium that only follows
//   redirects) cannot fill forms, so /interaction/:uid (the interactions
//   URL) finishes every login as the fixed account "tokctl-test-user" and
//   every consent by granting exactly the scopes and claims asked for. No
//   password, no consent screen: anyone who can reach the port is that user.
// - Everything is in memory (the default adapter); keys and cookie secrets
//   are fresh random ones per start.
// - GET /_test/counts answers how many requests each "METHOD /path" got, so
//   the test can tell a cached answer from a network one; introspection
//   (RFC 7662) is on, so the test can ask whether a token is live.
// Nothing else is bent: discovery, PKCE, state, nonce, the RFC 9207 iss
// parameter, token endpoint client authentication (client_secret_basic,
// client_secret_post, client_secret_jwt, private_key_jwt, none), refresh
// token rotation, the device flow pages and revocation are oidc-provider's
// own.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync, renameSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

// Client ids and the one client secret the Go test configures tokctl with.
const PUBLIC_CLIENT = 'tokctl-public';
const BASIC_CLIENT = 'tokctl-basic';
const BASIC_SECRET = 'tokctl-basic-secret-0123456789abcdef';
const PKJWT_CLIENT = 'tokctl-pkjwt';
const ACCOUNT = 'tokctl-test-user';

const pkjwtJWKS = process.env.REALIDP_PKJWT_JWKS ? JSON.parse(process.env.REALIDP_PKJWT_JWKS) : undefined;

const signing = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
signing.kid = 'realidp-rs256';
signing.use = 'sig';
signing.alg = 'RS256';

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        // A public native client: authorization code + PKCE, refresh via
        // offline_access, the device flow. Native clients may use any
        // loopback port (RFC 8252 §7.3).
        client_id: PUBLIC_CLIENT,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
      {
        client_id: BASIC_CLIENT,
        client_secret: BASIC_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read api:write',
      },
      // The same client-credentials client with the two other ways of
      // using a secret.
      ...['client_secret_post', 'client_secret_jwt'].map((method) => ({
        client_id: `tokctl-${method.replaceAll('_', '-')}`,
        client_secret: BASIC_SECRET,
        token_endpoint_auth_method: method,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read',
      })),
      ...(pkjwtJWKS === undefined ? [] : [{
        client_id: PKJWT_CLIENT,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: pkjwtJWKS,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read',
      }]),
    ],
    scopes: ['openid', 'offline_access', 'api:read', 'api:write'],
    claims: { openid: ['sub'], profile: ['name'] },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, name: 'tokctl test user' }),
    }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false }, // replaced by the auto-approval below
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      // The test asks the provider itself whether a token is live (RFC 7662).
      introspection: { enabled: true },
    },
    jwks: { keys: [signing] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 3600,
      IdToken: 3600,
      DeviceCode: 600,
      Grant: 14 * 24 * 3600,
      Interaction: 600,
      Session: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
      AuthorizationCode: 60,
    },
  });
  provider.on('server_error', (_ctx, err) => console.error('realidp: server_error:', err));

  const callback = provider.callback();
  const counts = {};
  server.on('request', (req, res) => {
    const path = req.url.split('?')[0];
    if (path === '/_test/counts') { // what tokctl asked for: "METHOD /path" -> number of requests
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(counts));
      return;
    }
    counts[`${req.method} ${path}`] = (counts[`${req.method} ${path}`] || 0) + 1;
    if (req.url.startsWith('/interaction/')) {
      autoApprove(provider, req, res).catch((err) => {
        console.error('realidp: interaction:', err);
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    callback(req, res);
  });

  const file = process.argv[2];
  if (file) {
    writeFileSync(`${file}.tmp`, issuer);
    renameSync(`${file}.tmp`, file);
  }
  process.stdout.write(`issuer=${issuer}\n`);
});

// autoApprove finishes an interaction without a person: login as ACCOUNT,
// consent to everything the client asked for. Test-only (see the top).
async function autoApprove(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT } }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name !== 'consent') {
    throw new Error(`unexpected prompt ${prompt.name}`);
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

// The test closes stdin when it is done; exit then, so no server outlives it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
