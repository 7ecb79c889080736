// The web channel's JSON API and pages over real HTTP: answers, feedback, bad bodies, odd text, health and articles.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat, startTestServer, type TestServer } from '../helpers/test-server.ts';

type Json = Record<string, unknown>;
type ButtonJson = { label: string; action?: { id: string; value?: string }; url?: string };

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

/** Asks a question as `userId` and returns the single answer card. */
async function askForCard(text: string, userId = 'alice') {
  const res = await postChat(server.url, { userId, text });
  expect(res.status).toBe(200);
  const card = res.body.replies?.find((r) => r.type === 'card');
  expect(card, `no card in ${JSON.stringify(res.body)}`).toBeDefined();
  return card as unknown as Json & {
    title: string;
    link: { url: string };
    actions: ButtonJson[];
    kind: string;
  };
}

describe('POST /api/chat: answering', () => {
  it('answers "how do I reset my password?" with the reset-password card linking to its article page', async () => {
    const card = await askForCard('how do I reset my password?');
    expect(card.kind).toBe('answer');
    expect(card.title).toBe('Reset a forgotten password');
    expect(card.link.url).toBe(`${server.url}/kb/reset-password`);

    const page = await fetch(card.link.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<h1>Reset a forgotten password</h1>');
  });

  it('carries an article table as a section table, and the article page draws it as an HTML table', async () => {
    const card = (await askForCard('how do I mirror my screen on a mac')) as unknown as {
      sections: { table?: { columns: { label: string }[]; rows: string[][] } }[];
      link: { url: string };
    };
    const table = card.sections.find((s) => s.table)?.table;
    expect(table?.columns.map((c) => c.label)).toEqual(['To do this', 'On Windows', 'On a Mac']);
    expect(table?.rows).toHaveLength(4);
    const html = await (await fetch(card.link.url)).text();
    expect(html).toContain('<th scope="col">On a Mac</th>');
    expect(html).toContain('<td><strong>Settings &gt; System &gt; Display</strong></td>');
    expect(html).not.toContain('| --- |');
  });

  it("puts the logged question's id on every button of the answer card", async () => {
    const card = await askForCard('how do I reset my password?', 'bob');
    const ids = card.actions.map((b) => b.action?.id);
    expect(ids).toEqual(['answer.helped', 'answer.not_helped', 'answer.ask_it']);
    const values = new Set(card.actions.map((b) => b.action?.value));
    expect(values.size).toBe(1);
    const questionId = [...values][0]!;
    const logged = await server.app.questions.get(questionId);
    expect(logged).toMatchObject({
      userKey: 'web:bob',
      platform: 'web',
      articleId: 'reset-password',
      answered: true,
      feedback: null,
    });
    expect(logged?.text).toBe('how do I reset my password?');
  });

  it('stores "That helped" in the question log, and a later "Didn\'t help" replaces it', async () => {
    const card = await askForCard('how do I reset my password?', 'carol');
    const questionId = card.actions[0]!.action!.value!;

    const helped = await postChat(server.url, {
      userId: 'carol',
      action: { id: 'answer.helped', value: questionId },
    });
    expect(helped.status).toBe(200);
    expect(helped.body.replies?.[0]).toMatchObject({ type: 'notice', tone: 'success' });
    expect((await server.app.questions.get(questionId))?.feedback).toBe('helped');

    const notHelped = await postChat(server.url, {
      userId: 'carol',
      action: { id: 'answer.not_helped', value: questionId },
    });
    expect(notHelped.status).toBe(200);
    expect(notHelped.body.replies?.some((r) => r.type === 'choices')).toBe(true);
    const stored = await server.app.questions.get(questionId);
    expect(stored?.feedback).toBe('not_helped');
    expect(stored?.feedbackAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('answers feedback on an unknown question id kindly instead of failing', async () => {
    const res = await postChat(server.url, {
      userId: 'dan',
      action: { id: 'answer.helped', value: 'no-such-id' },
    });
    expect(res.status).toBe(200);
    expect(res.body.replies?.[0]).toMatchObject({ type: 'text' });
    expect(String(res.body.replies?.[0]?.text)).toMatch(/expired/);
  });
});

describe('POST /api/chat: bad request bodies get 400 with a message naming the field', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['text that is not a string', { userId: 'alice', text: 42 }, /text/],
    [
      'text and an action together',
      { userId: 'alice', text: 'hi', action: { id: 'x' } },
      /exactly one of text, action or form/,
    ],
    ['neither text, action nor form', { userId: 'alice' }, /exactly one of text, action or form/],
    ['an action without an id', { userId: 'alice', action: { value: 'x' } }, /action\.id/],
    ['a form without values', { userId: 'alice', form: { formId: 'f' } }, /form\.values/],
    ['text over 200,000 characters', { userId: 'alice', text: 'a'.repeat(200_001) }, /text/],
  ];
  it.each(cases)('%s', async (_name, body, field) => {
    const res = await postChat(server.url, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(field);
    expect(res.body.replies).toBeUndefined();
  });

  it('malformed JSON gets 400 with an error message, not a 500', async () => {
    const res = await postChat(server.url, '{"userId": "alice", "text": ');
    expect(res.status).toBe(400);
    expect(typeof res.body.error).toBe('string');
    expect(res.body.error).not.toMatch(/Something went wrong/);
  });

  it('a body that is not JSON at all gets 400 naming the body', async () => {
    const res = await postChat(server.url, 'how do I reset my password?', 'text/plain');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^body:/);
  });
});

describe('POST /api/chat: odd text gets a friendly reply, never a 500', () => {
  async function replyTo(text: string) {
    const res = await postChat(server.url, { userId: 'erin', text });
    expect(res.status).toBe(200);
    const replies = res.body.replies ?? [];
    expect(replies.length).toBeGreaterThan(0);
    return replies;
  }

  it('empty text asks what the user needs', async () => {
    const replies = await replyTo('');
    expect(replies).toEqual([{ type: 'text', text: expect.stringMatching(/didn't catch anything/) }]);
  });

  it('whitespace-only text is treated as empty', async () => {
    const replies = await replyTo('   \n\t  ');
    expect(replies[0]?.text).toMatch(/didn't catch anything/);
  });

  it('emoji-only text gets a gentle nudge towards words', async () => {
    const replies = await replyTo('🙂🎉👍');
    expect(replies).toEqual([{ type: 'text', text: expect.stringMatching(/emoji/) }]);
  });

  it('binary-looking text is recognised as unreadable', async () => {
    const binary = Array.from({ length: 400 }, (_, i) =>
      String.fromCharCode(i % 32 === 10 ? 65 : i % 32),
    ).join('');
    const replies = await replyTo(`${binary}\uFFFD\uFFFD\uFFFD`);
    expect(replies).toEqual([{ type: 'text', text: expect.stringMatching(/couldn't read that message/) }]);
  });

  it('100 KB of text is read in part, with a note saying so', async () => {
    const long = `how do I reset my password? ${'blah '.repeat(20_000)}`;
    expect(long.length).toBeGreaterThan(100_000);
    const replies = await replyTo(long);
    expect(replies[0]).toMatchObject({
      type: 'notice',
      tone: 'info',
      text: expect.stringMatching(/long message/),
    });
  });
});

describe('health and readiness', () => {
  it('/healthz answers ok', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('/readyz reports the store and the number of loaded articles', async () => {
    const articleFiles = (await readdir(path.resolve('kb'))).filter(
      (f) => f.endsWith('.md') && !f.startsWith('_') && f.toLowerCase() !== 'readme.md',
    );
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      ok: boolean;
      store: { kind: string; ok: boolean };
      kb: { articles: number };
    };
    expect(body.ok).toBe(true);
    expect(body.store).toMatchObject({ kind: 'embedded', ok: true });
    expect(body.kb.articles).toBe(articleFiles.length);
    expect(body.kb.articles).toBeGreaterThan(0);
  });
});

describe('GET /kb/:id', () => {
  let hostile: TestServer;
  let kbDir: string;

  beforeAll(async () => {
    kbDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-kb-'));
    await writeFile(
      path.join(kbDir, 'printer-trouble.md'),
      [
        '---',
        'id: printer-trouble',
        'title: Printer <script>alert(1)</script> & "friends"',
        'questions: [printer broken]',
        'owner: <b>Workplace</b> Tech',
        '---',
        'When the printer <img src=x onerror=alert(1)> misbehaves, try these steps.',
        '',
        '## Steps',
        '',
        '1. Turn it **off** and on.',
        '2. Read [the guide](https://it.example/printers) but not [this](javascript:alert(1)).',
        '',
      ].join('\n'),
    );
    hostile = await startTestServer({ KB_DIR: kbDir });
  });

  afterAll(async () => {
    await hostile?.stop();
    await rm(kbDir, { recursive: true, force: true });
  });

  it('renders an article with every file-supplied string escaped', async () => {
    const res = await fetch(`${hostile.url}/kb/printer-trouble`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Printer &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Kept by &lt;b&gt;Workplace&lt;/b&gt; Tech');
    expect(html).not.toMatch(/<script>|<img|href="javascript/i);
    expect(html).toContain('<strong>off</strong>');
    expect(html).toContain('<a href="https://it.example/printers" rel="noopener noreferrer">the guide</a>');
  });

  it('answers an unknown article with a 404 page that escapes the requested id', async () => {
    const res = await fetch(`${server.url}/kb/${encodeURIComponent('<b>nope</b>')}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("We couldn't find that article");
    expect(html).toContain('&lt;b&gt;nope&lt;/b&gt;');
    expect(html).not.toContain('<b>nope</b>');
  });
});

describe('the chat page', () => {
  it('chat.js never hands text to the HTML parser', async () => {
    const script = await readFile(path.resolve('adapters/web/public/chat.js'), 'utf8');
    expect(script).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(|new Function/,
    );
    expect(script).toContain('textContent');
  });

  it('GET / serves the chat page with its script and stylesheet', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('role="log"');
    expect(html).toMatch(/<script[^>]+src="\/static\/chat\.js"/);
    for (const asset of ['/static/chat.js', '/static/style.css']) {
      const file = await fetch(`${server.url}${asset}`);
      expect(file.status, asset).toBe(200);
    }
  });
});
