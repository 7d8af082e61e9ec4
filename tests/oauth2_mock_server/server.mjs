// Starts oauth2-mock-server on a free loopback port and prints "listening <port>".
// It signs JWT access tokens with a fresh RSA key, checks PKCE, answers refresh grants
// with a new refresh token each time, serves userinfo and revocation, and names itself
// in every authorization response (RFC 9207).
import { webcrypto } from 'node:crypto';

// Node 18 (Debian 12's own) has Web Crypto but not as a global, which jose expects; the
// machines' Node 20 has both.
globalThis.crypto ??= webcrypto;

const { OAuth2Server } = await import('oauth2-mock-server');

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');

server.service.on('beforeUserinfo', (response, req) => {
  if (!(req.headers.authorization ?? '').startsWith('Bearer ')) {
    response.statusCode = 401;
    response.body = { error: 'invalid_token' };
    return;
  }
  response.body = { sub: 'johndoe', email: 'john.doe@example.com', name: 'John Doe' };
});

server.service.on('beforeAuthorizeRedirect', (authorizeRedirectUri) => {
  authorizeRedirectUri.url.searchParams.set('iss', server.issuer.url);
});

await server.start(0, '127.0.0.1');
const { port } = server.address();
// The address clients are given, not "localhost", is what the server calls itself.
server.issuer.url = `http://127.0.0.1:${port}`;
process.stdout.write(`listening ${port}\n`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
