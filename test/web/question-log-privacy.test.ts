// The question log is read by IT staff, so a secret typed into a question never lands in it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postChat, startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

it('a password typed into a question is masked in the question log', async () => {
  const res = await postChat(server.url, {
    userId: 'privacy-user',
    text: 'my vpn password is Hunter2Secret! and it fails',
  });
  expect(res.status).toBe(200);
  const logged = await server.app.questions.since('2000-01-01T00:00:00.000Z');
  const mine = logged.filter((q) => q.userKey === 'web:privacy-user');
  expect(mine).toHaveLength(1);
  expect(mine[0]!.text).not.toContain('Hunter2Secret');
  expect(mine[0]!.text).toContain('vpn');
});
