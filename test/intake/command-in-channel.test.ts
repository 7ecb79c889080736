// A request started by a command in a channel (or a message shortcut) comes back as one prefilled form,
// because typed follow-up answers there never reach the bot.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const base = { platform: 'slack' as const, user: { id: 'U1' }, command: true };

it('a request command in a channel answers with the request form, prefilled from the text', async () => {
  const replies = await server.app.bot.handle({
    ...base,
    conversation: { id: 'C1', kind: 'channel' },
    text: 'request my laptop screen is cracked',
  });
  const form = replies.find((r) => r.type === 'form');
  expect(form?.type === 'form' && form.id).toBe('intake.request');
  expect(form?.type === 'form' && Object.values(form.values ?? {}).join(' ')).toMatch(/screen is cracked/);
});

it('the same command in a direct chat keeps the one-question-at-a-time conversation', async () => {
  const replies = await server.app.bot.handle({
    ...base,
    conversation: { id: 'D1', kind: 'personal' },
    text: 'request my laptop screen is cracked',
  });
  expect(replies.some((r) => r.type === 'form')).toBe(false);
});
