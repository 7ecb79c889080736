// Who may call /api/messages. With an app id every request needs a Bot Framework token signed by a key from the
// OpenID metadata (served locally here); without one, local mode takes requests from this machine only and is
// refused in production.
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../adapters/server.ts';
import { isLoopbackAddress } from '../../adapters/teams/teams-auth.ts';
import { createTeamsEndpoint } from '../../adapters/teams/teams-endpoint.ts';
import { ConfigError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { createConversationRefs } from '../../src/store/repositories/conversation-refs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { channelClaims, type FakeOpenId, newSigningKey, signToken, startFakeOpenId } from './fake-openid.ts';
import { activity, startTeamsTestServer, type TeamsTestServer } from './teams-harness.ts';

const appId = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const botId = `28:${appId}`;

describe('with MICROSOFT_APP_ID: Bot Framework tokens', () => {
  const trusted = newSigningKey('teams-key-1');
  let openId: FakeOpenId;
  let t: TeamsTestServer;
  const outboundTokens: string[] = [];

  beforeAll(async () => {
    openId = await startFakeOpenId(trusted);
    t = await startTeamsTestServer(
      {
        MICROSOFT_APP_ID: appId,
        MICROSOFT_APP_PASSWORD: 'not-a-real-secret',
        MICROSOFT_APP_TYPE: 'MultiTenant',
      },
      {
        botId,
        teams: {
          openIdMetadataUrl: openId.metadataUrl,
          outboundToken: async (id, audience) => {
            outboundTokens.push(`${id} ${audience}`);
            return 'outbound-test-token';
          },
        },
      },
    );
  });
  afterAll(async () => {
    await t?.stop();
    await openId?.close();
  });

  const bearer = (claims: Record<string, unknown>, key = trusted) => ({
    authorization: `Bearer ${signToken(key, claims)}`,
  });

  it('refuses a request without a token: 401, nothing sent, nothing stored, the activity id not used up', async () => {
    const message = t.activity('personal-message', { id: 'auth-1', text: 'how do I reset my password?' });
    expect(await t.post(message)).toBe(401);
    await t.channel.idle();
    expect(t.connector.requests).toEqual([]);
    const refs = createConversationRefs(t.app.store);
    expect(await refs.get('teams:user:6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f')).toBeUndefined();

    // The same activity, now properly signed, is handled: the refused one claimed nothing.
    expect(await t.post(message, bearer(channelClaims(appId, t.connector.serviceUrl)))).toBe(200);
    const reply = await t.connector.replyTo('auth-1');
    expect(reply.authorization).toBe('Bearer outbound-test-token');
    expect(outboundTokens).toContain(`${appId} https://api.botframework.com`);
    expect(await refs.get('teams:user:6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f')).toBeDefined();
  });

  it('refuses a token signed by a key that is not in the metadata', async () => {
    const stranger = newSigningKey('teams-key-1');
    const status = await t.post(
      t.activity('personal-message', { id: 'auth-2' }),
      bearer(channelClaims(appId, t.connector.serviceUrl), stranger),
    );
    expect(status).toBe(401);
  });

  it('refuses a token for another bot, from another issuer, for another service URL, or expired', async () => {
    const serviceUrl = t.connector.serviceUrl;
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      channelClaims('11111111-2222-3333-4444-555555555555', serviceUrl),
      channelClaims(appId, serviceUrl, { iss: 'https://login.example.com' }),
      channelClaims(appId, 'http://127.0.0.1:1/elsewhere/'),
      channelClaims(appId, serviceUrl, { nbf: now - 7200, exp: now - 3600 }),
    ];
    for (const [i, claims] of cases.entries()) {
      expect(await t.post(t.activity('personal-message', { id: `auth-bad-${i}` }), bearer(claims))).toBe(401);
    }
    expect(
      await t.post(t.activity('personal-message', { id: 'auth-bad-x' }), {
        authorization: 'Bearer not.a.jwt',
      }),
    ).toBe(401);
    await t.channel.idle();
    expect(t.connector.requests.filter((r) => String(r.activityId).startsWith('auth-bad'))).toEqual([]);
  });

  it('accepts a valid token and answers through the connector', async () => {
    const status = await t.post(
      t.activity('channel-mention', { id: 'auth-3', text: '<at>IT Buddy</at> wifi password for guests?' }),
      bearer(channelClaims(appId, t.connector.serviceUrl)),
    );
    expect(status).toBe(200);
    const reply = await t.connector.replyTo('auth-3');
    expect(reply.conversationId).toBe(
      '19:4d7c1e9a2b8f4c6d9e0a1b2c3d4e5f60@thread.tacv2;messageid=1732357211482',
    );
    expect(reply.authorization).toBe('Bearer outbound-test-token');
  });

  it('does not trust X-Forwarded-For or loopback when an app id is set: a token is still required', async () => {
    const status = await t.post(t.activity('personal-message', { id: 'auth-4' }), {
      'x-forwarded-for': '127.0.0.1',
    });
    expect(status).toBe(401);
  });
});

describe('local mode (no app id)', () => {
  it('knows loopback addresses, and nothing else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(a)).toBe(true);
    for (const a of [
      '10.0.0.5',
      '192.168.1.20',
      '::ffff:10.0.0.5',
      '0.0.0.0',
      'fe80::1',
      '',
      undefined,
      '128.0.0.1',
    ]) {
      expect(isLoopbackAddress(a)).toBe(false);
    }
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!external)(
    'refuses a request from another address even when X-Forwarded-For claims loopback',
    async () => {
      // ALLOWED_HOSTS lets the external address past the Host allow-list, so the refusal tested is local mode's.
      const t = await startTeamsTestServer({ HOST: '0.0.0.0', ALLOWED_HOSTS: external ?? '' });
      try {
        const port = new URL(t.url).port;
        const res = await fetch(`http://${external}:${port}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '127.0.0.1' },
          body: JSON.stringify(t.activity('personal-message', { id: 'remote-1' })),
        });
        expect(res.status).toBe(403);
        // The same request from loopback is served, so the refusal was about the address.
        expect(await t.post(t.activity('personal-message', { id: 'remote-1' }))).toBe(200);
        await t.connector.replyTo('remote-1');
        await t.channel.idle();
        expect(t.connector.sent()).toHaveLength(1);
      } finally {
        await t.stop();
      }
    },
  );

  it('is named "local test mode" among the channels at start-up, so nobody takes it for a connected Teams', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-teams-local-'));
    const running = await startServer(testConfig({ DATA_DIR: dataDir }), silentLogger());
    try {
      expect(running.channels).toEqual(['web', 'teams (local test mode)']);
    } finally {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('is not started in production: no Teams endpoint, and building one fails naming MICROSOFT_APP_ID', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-teams-prod-'));
    const running = await startServer(
      testConfig({ NODE_ENV: 'production', DATA_DIR: dataDir }),
      silentLogger(),
    );
    try {
      expect(running.channels).not.toContain('teams');
      const res = await fetch(`${running.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity('personal-message', { serviceUrl: 'http://127.0.0.1:9/' })),
      });
      expect(res.status).toBe(404);
      expect(() => createTeamsEndpoint(running.app)).toThrow(ConfigError);
      expect(() => createTeamsEndpoint(running.app)).toThrow(/MICROSOFT_APP_ID/);
    } finally {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
