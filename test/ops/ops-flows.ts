// Real flows over the web chat API that fill the store the way people do: a question, a saved request, one left
// half-way, an announcement, a role granted in chat, a newsletter sent. Used by the moving-house and running-bot tests.

import { PassThrough } from 'node:stream';
import type { CliIo } from '../../adapters/cli/command.ts';
import { runCli } from '../../adapters/cli/main.ts';
import { sessionFor } from '../helpers/test-server.ts';

/** The environment the ops tests run IT Buddy with (plus DATA_DIR or MONGODB_URI). */
export const opsEnv: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  PORT: '0',
  HOST: '127.0.0.1',
  KB_WATCH: 'false',
  IT_DESTINATIONS: 'web:it',
  // Named web users with roles need a sign-in method: the trial sign-in, as on one machine.
  WEB_TRIAL_SIGNIN: 'true',
  IT_STAFF: 'web:ivy',
  LIAISONS: 'web:lee',
  ADMINS: 'web:ada',
  NEWSLETTER_DESTINATIONS: 'web:news',
  NEWSLETTER_CATCHUP_HOURS: '0',
};

type Reply = Record<string, unknown> & { type: string };

/** One turn on the web channel. */
export async function say(url: string, userId: string, input: Record<string, unknown>): Promise<Reply[]> {
  // The session cookie says who is chatting (signed in through the trial sign-in), never a body field.
  const cookie = await sessionFor(url, userId, userId);
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(input),
  });
  if (res.status !== 200) throw new Error(`POST /api/chat answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { replies: Reply[] }).replies;
}

function textOf(replies: Reply[]): string {
  return JSON.stringify(replies);
}

/**
 * Files a request in plain words and answers whatever intake asks (first option of each choice, a sentence for
 * each open question) until it is saved. Returns the reference, e.g. IT-0001.
 */
export async function fileRequest(url: string, userId: string, text: string): Promise<string> {
  let replies = await say(url, userId, { text: `request ${text}` });
  for (let turn = 0; turn < 12; turn++) {
    const saved = /Saved as \*\*(IT-\d{4,})\*\*/.exec(textOf(replies));
    if (saved?.[1]) return saved[1];
    const card = replies.find((r) => r.type === 'card' && Array.isArray(r.actions));
    const confirm = (card?.actions as { action?: { id: string } }[] | undefined)?.find(
      (a) => a.action?.id === 'intake.confirm',
    );
    const choices = replies.find((r) => r.type === 'choices') as
      | { options: { action?: { id: string; value?: string } }[] }
      | undefined;
    const form = replies.find((r) => r.type === 'form') as
      | { id: string; fields: { id: string; kind?: string; options?: { value: string }[] }[] }
      | undefined;
    if (confirm?.action) replies = await say(url, userId, { action: confirm.action });
    else if (choices?.options[0]?.action)
      replies = await say(url, userId, { action: choices.options[0].action });
    else if (form) {
      const values = Object.fromEntries(
        form.fields.map((f) => [f.id, f.options?.[0]?.value ?? 'Needed for the office move next week']),
      );
      replies = await say(url, userId, { form: { formId: form.id, values } });
    } else replies = await say(url, userId, { text: 'I need it for the office move next week' });
  }
  throw new Error(`The request was not saved: ${textOf(replies).slice(0, 500)}`);
}

/** "2026-11-30 14:00" for a time `offsetMs` from now, in UTC (the default NEWSLETTER_TIMEZONE). */
function localIn(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString().slice(0, 16).replace('T', ' ');
}

/** Fills every collection people's use fills on the web channel; returns the references of saved requests. */
export async function populate(url: string, runOutbox: () => Promise<void>): Promise<string[]> {
  await say(url, 'sam', { text: 'how do I connect to the vpn' });
  const granted = await say(url, 'ada', { text: 'roles grant web:rita liaison' });
  if (!/rita/.test(textOf(granted))) throw new Error(`roles grant failed: ${textOf(granted)}`);
  const published = await say(url, 'lee', {
    form: {
      formId: 'announce.create',
      values: {
        title: 'VPN maintenance',
        what: 'The VPN gateway is being upgraded; connections will drop.',
        who: 'Everyone working remotely',
        starts: localIn(-3_600_000),
        ends: localIn(3 * 3_600_000),
        category: 'maintenance',
        keywords: 'vpn',
        link: '',
        publish: 'scheduled',
      },
    },
  });
  if (!/success/.test(textOf(published))) throw new Error(`announce failed: ${textOf(published)}`);
  const references = [
    await fileRequest(url, 'alice', 'I need Visio installed'),
    await fileRequest(url, 'bob', 'a second monitor for my desk'),
  ];
  // Left half-way: its conversation state stays in the store.
  await say(url, 'carol', { text: 'request access to the finance share' });
  await runOutbox();
  await say(url, 'ada', { text: 'newsletter send-now' });
  return references;
}

/** Runs the CLI in this process, as a user at a terminal would, with `env`; resolves to its exit code and output. */
export async function cli(
  argv: string[],
  env: Record<string, string>,
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const input = new PassThrough();
  input.end(stdin);
  const io: CliIo = { stdin: input, stdout, stderr, env: { ...opsEnv, ...env }, interactive: false };
  const code = await runCli(argv, io);
  return { code, stdout: out, stderr: err };
}
