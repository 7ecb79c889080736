// A local stand-in for the Bot Framework's OpenID metadata and signing keys, and a way to mint tokens the way the
// Bot Framework channel does (RS256, issuer https://api.botframework.com, audience = the bot's app id).
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A signing key with its key id. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh RSA key pair. */
export function newSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A signed RS256 JWT. */
export function signToken(key: SigningKey, claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid, x5t: key.kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key.privateKey);
  return `${header}.${payload}.${b64url(signature)}`;
}

/** Claims like those of a token the Teams channel sends to a bot. */
export function channelClaims(appId: string, serviceUrl: string, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    serviceurl: serviceUrl,
    nbf: now - 60,
    exp: now + 3600,
    iss: 'https://api.botframework.com',
    aud: appId,
    ...overrides,
  };
}

/** The fake OpenID provider. */
export interface FakeOpenId {
  metadataUrl: string;
  /** How many times the keys were fetched. */
  keyFetches: number;
  close(): Promise<void>;
}

/** Serves OpenID metadata and a JWKS with `key` (endorsed for msteams) on 127.0.0.1. */
export async function startFakeOpenId(key: SigningKey): Promise<FakeOpenId> {
  let base = '';
  const state = { keyFetches: 0 };
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.end(
        JSON.stringify({
          issuer: 'https://api.botframework.com',
          authorization_endpoint: 'https://invalid.example/oauth',
          jwks_uri: `${base}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        }),
      );
      return;
    }
    if (req.url === '/v1/.well-known/keys') {
      state.keyFetches++;
      const jwk = key.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
      res.end(
        JSON.stringify({
          keys: [
            {
              kty: 'RSA',
              use: 'sig',
              kid: key.kid,
              x5t: key.kid,
              n: jwk.n,
              e: jwk.e,
              endorsements: ['msteams'],
            },
          ],
        }),
      );
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    get keyFetches() {
      return state.keyFetches;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
