// Slack's request signature, checked before Bolt: the rules of Slack's "verifying requests" guide, edge by edge,
// and the middleware over real HTTP (what reaches the next handler, and what never does).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSignedBySlack, verifySlackRequests } from '../../adapters/slack/request-signature.ts';
import { slackSignature } from './fake-slack.ts';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const nowMs = 1_800_000_000_000;
const ts = String(nowMs / 1000);

describe('isSignedBySlack', () => {
  const body = 'token=xyz&team_id=T1&text=caf%C3%A9&command=%2Fitbuddy';
  const signed = slackSignature(secret, ts, body);

  it('accepts Slack’s signature of the exact bytes, UTF-8 included', () => {
    expect(isSignedBySlack(secret, ts, signed, Buffer.from(body), nowMs)).toBe(true);
    const unicode = '{"text":"Wi-Fi ne marche pas — où est l’aide ? 🙏"}';
    expect(
      isSignedBySlack(secret, ts, slackSignature(secret, ts, unicode), Buffer.from(unicode), nowMs),
    ).toBe(true);
  });

  it('refuses another secret, one changed byte, another version or a truncated signature', () => {
    expect(isSignedBySlack('another-secret', ts, signed, Buffer.from(body), nowMs)).toBe(false);
    expect(isSignedBySlack(secret, ts, signed, Buffer.from(body.replace('T1', 'T2')), nowMs)).toBe(false);
    expect(isSignedBySlack(secret, ts, signed.replace('v0=', 'v1='), Buffer.from(body), nowMs)).toBe(false);
    expect(isSignedBySlack(secret, ts, signed.slice(0, -1), Buffer.from(body), nowMs)).toBe(false);
    expect(isSignedBySlack(secret, ts, `${signed}0`, Buffer.from(body), nowMs)).toBe(false);
  });

  it('takes timestamps up to five minutes away either way, and nothing that is not a plain number', () => {
    const at = (seconds: number) => {
      const t = String(nowMs / 1000 + seconds);
      return isSignedBySlack(secret, t, slackSignature(secret, t, body), Buffer.from(body), nowMs);
    };
    expect([at(-300), at(300), at(-301), at(301)]).toEqual([true, true, false, false]);
    for (const bad of ['', '1.8e9', '-1', ' 1800000000', '0x6B49D200', undefined]) {
      const sig = slackSignature(secret, bad ?? '', body);
      expect(isSignedBySlack(secret, bad, sig, Buffer.from(body), nowMs)).toBe(false);
    }
  });
});

describe('verifySlackRequests over HTTP', () => {
  let server: Server;
  let url = '';
  const reached: { rawBody: string; body: unknown }[] = [];

  beforeAll(async () => {
    const app = express();
    app.post(
      '/slack/events',
      verifySlackRequests(secret, () => nowMs),
      (req, res) => {
        const r = req as unknown as { rawBody: Buffer; body: unknown };
        reached.push({ rawBody: r.rawBody.toString('utf8'), body: r.body });
        res.status(200).send('ok');
      },
    );
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('passes a signed request on with its exact bytes as rawBody, for Bolt to parse', async () => {
    const body = JSON.stringify({ type: 'event_callback', event: { text: 'hé <!channel>' } });
    const res = await post(body, {
      'x-slack-request-timestamp': ts,
      'x-slack-signature': slackSignature(secret, ts, body),
    });
    expect(res.status).toBe(200);
    expect(reached.at(-1)).toEqual({ rawBody: body, body: undefined });
  });

  it('answers 401 to unsigned, forged or stale requests and 413 to an oversized body; none reaches the handler', async () => {
    const before = reached.length;
    const body = '{"type":"event_callback"}';
    const stale = String(nowMs / 1000 - 301);
    const statuses = [
      (await post(body, {})).status,
      (await post(body, { 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${'0'.repeat(64)}` }))
        .status,
      (
        await post(body, {
          'x-slack-request-timestamp': stale,
          'x-slack-signature': slackSignature(secret, stale, body),
        })
      ).status,
      (
        await post('x'.repeat(4 * 1024 * 1024 + 1), {
          'x-slack-request-timestamp': ts,
          'x-slack-signature': slackSignature(secret, ts, 'x'),
        })
      ).status,
    ];
    expect(statuses).toEqual([401, 401, 401, 413]);
    expect(reached.length).toBe(before);
  });
});
