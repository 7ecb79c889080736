// Starts the real server with Slack in HTTP mode against a fake Slack Web API, for end-to-end Slack tests.
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { FakeSlack } from './fake-slack.ts';

export const signingSecret = 'test-signing-secret-0123456789abcdef';

/** The server and the fake it talks to. */
export interface SlackTestServer {
  server: TestServer;
  fake: FakeSlack;
  url: string;
  stop(): Promise<void>;
}

/** Starts the fake Slack, then IT Buddy with SLACK_* pointing at it (HTTP mode). */
export async function startSlackTestServer(env: Record<string, string> = {}): Promise<SlackTestServer> {
  const fake = new FakeSlack();
  await fake.start();
  const server = await startTestServer({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: fake.apiUrl,
    ...env,
  });
  return {
    server,
    fake,
    url: server.url,
    async stop() {
      await server.stop();
      await fake.stop();
    },
  };
}
