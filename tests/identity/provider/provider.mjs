// A real OpenID Provider (oidc-provider, OpenID-certified) for the test suite, on loopback only.
// Usage: node provider.mjs config.json  -> prints {"spid": "<issuer>", "staff": "<issuer>"} once listening.
// POST /__rotate on an issuer makes a new signing key current (the previous one stays published).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function buildProvider(issuer, profile, keys) {
  const accounts = profile.accounts;
  const groupsOf = Object.fromEntries(profile.clients.map((c) => [c.client_id, c.groups || []]));
  const clients = profile.clients.map(({ groups, ...client }) => client);
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys },
    cookies: { keys: ['communitylab-test-cookie-key'] },
    claims: {
      openid: ['sub'],
      profile: ['given_name', 'family_name'],
      email: ['email'],
      fiscal_number: ['fiscal_number'],
    },
    scopes: ['openid', 'profile', 'email', 'fiscal_number', 'api'],
    async findAccount(ctx, id) {
      if (!accounts[id]) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
    },
    // SPID/CIE brokers (and Keycloak mappers) put the identity claims in the access token for the API.
    async extraTokenClaims(ctx, token) {
      if (token.kind !== 'AccessToken' && token.kind !== 'ClientCredentials') return undefined;
      if (token.accountId && accounts[token.accountId]) return { ...accounts[token.accountId] };
      const groups = groupsOf[token.clientId];
      return groups && groups.length ? { groups } : undefined;
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => config.audience,
        useGrantedResource: () => true,
        getResourceServerInfo(ctx, resourceIndicator) {
          if (![config.audience, config.other_audience].includes(resourceIndicator)) {
            throw new errors.InvalidTarget();
          }
          return {
            scope: 'api',
            audience: resourceIndicator,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    pkce: { required: () => true },
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  return provider;
}

const issuers = {};
const pending = Object.entries(config.issuers).map(([name, profile]) => new Promise((resolve) => {
  const state = { keys: [newKey()], provider: null };
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/__rotate') {
      state.keys = [newKey(), state.keys[0]];
      state.provider = buildProvider(state.issuer, profile, state.keys);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kids: state.keys.map((k) => k.kid) }));
      return;
    }
    state.provider.callback()(req, res);
  });
  server.listen(0, '127.0.0.1', () => {
    state.issuer = `http://127.0.0.1:${server.address().port}`;
    state.provider = buildProvider(state.issuer, profile, state.keys);
    issuers[name] = state.issuer;
    resolve();
  });
}));

await Promise.all(pending);
process.stdout.write(`${JSON.stringify(issuers)}\n`);
