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

it('a request form filled to the size the chat accepts is masked and answered without holding up the server', async () => {
  // Address-like text ("a.a.a…") made the masking of each value quadratic: a form of such values, which
  // anyone may post, held the whole server for seconds per request before it was fixed.
  const long = 'a.'.repeat(9_980);
  const values: Record<string, string> = {
    description: `my vpn password is Hunter2Secret! ${long}`,
  };
  for (let i = 0; i < 12; i++) values[`extra${i}`] = long;
  const res = await postChat(server.url, { form: { formId: 'intake.request', values } });
  expect(res.status).toBe(200);
  expect(JSON.stringify(res.body)).not.toContain('Hunter2Secret');
}, 2_500);
