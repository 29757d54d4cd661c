// Runs node-oidc-provider on 127.0.0.1 as an Auth0-shaped issuer for the interoperability
// tests: client-credentials grants, resource indicators for the API audience, RS256 JWT
// access tokens with Auth0's `sub`, `azp`, `gty` and `permissions` claims.
//
// Environment: AUDIENCE (required), PORT (default 0, a free port).
// Prints one line `READY {"issuer":...,"token_endpoint":...}` to stdout once it listens.
// `POST /__test/rotate` generates a new signing key, publishes it before the old ones and
// signs with it from then on; it returns `{"kid":...}`. `GET /__test/stats` returns
// `{"jwks_requests":N}`, the number of key-set requests served.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const audience = process.env.AUDIENCE;
if (!audience) {
  console.error('error: set AUDIENCE to the API identifier');
  process.exit(2);
}
const port = Number(process.env.PORT ?? 0);
const rolesClaim = 'https://myapp.example.com/roles';

// Clients of the tests. `roles` is what the namespaced custom claim carries; the tokens
// of `m2m-rfc9068` keep oidc-provider's own RFC 9068 shape (`typ: at+jwt`, `sub` = client).
const clients = [
  { client_id: 'm2m-reader', roles: [], auth0Shape: true },
  { client_id: 'm2m-admin', roles: ['admin'], auth0Shape: true },
  { client_id: 'm2m-rfc9068', roles: [], auth0Shape: false },
];
const clientSecret = 'interop-test-secret';

let keys = [newSigningKey()];

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `rsa-${randomUUID()}`, use: 'sig', alg: 'RS256' };
}

function buildProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: clients.map(({ client_id }) => ({
      client_id,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'read:messages write:messages',
    })),
    scopes: ['read:messages', 'write:messages'],
    jwks: { keys },
    routes: { jwks: '/.well-known/jwks.json', token: '/oauth/token' },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== audience) {
            throw new errors.InvalidTarget();
          }
          return {
            audience,
            scope: 'read:messages write:messages',
            accessTokenFormat: 'jwt',
            accessTokenTTL: 600,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    formats: {
      customizers: {
        // Reshapes the RFC 9068 token the way Auth0 shapes a machine-to-machine token.
        jwt: (_ctx, token, jwt) => {
          const client = clients.find((entry) => entry.client_id === token.clientId);
          if (!client?.auth0Shape) {
            return;
          }
          const granted = (token.scope ?? '').split(' ').filter(Boolean);
          jwt.header = { typ: 'JWT' };
          jwt.payload.sub = `${token.clientId}@clients`;
          jwt.payload.azp = token.clientId;
          jwt.payload.gty = 'client-credentials';
          jwt.payload.permissions = granted;
          if (client.roles.length > 0) {
            jwt.payload[rolesClaim] = client.roles;
          }
        },
      },
    },
  });
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider error:', error));
  return provider;
}

let provider;
let handler;
let jwksRequests = 0;

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/__test/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ jwks_requests: jwksRequests }));
    return;
  }
  if (request.url.startsWith('/.well-known/jwks.json')) {
    jwksRequests += 1;
  }
  if (request.method === 'POST' && request.url === '/__test/rotate') {
    keys = [newSigningKey(), ...keys];
    provider = buildProvider(provider.issuer);
    handler = provider.callback();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kid: keys[0].kid }));
    return;
  }
  handler(request, response);
});

server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address();
  // Auth0 issuers end with a slash; so does this one.
  const issuer = `http://127.0.0.1:${bound}/`;
  provider = buildProvider(issuer);
  handler = provider.callback();
  const ready = { issuer, token_endpoint: `${issuer}oauth/token`, client_secret: clientSecret };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
});

// The test harness closes stdin when it goes away, so the issuer never outlives it.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
