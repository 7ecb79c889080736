// Learning from use, through the real server: IT answers a request with an article, the requester hears of it,
// the request's words become a proposed phrasing, IT approves it on /it/kb, and the same question is then
// answered directly. Also: a 👍 proposes the question, and buttons act only for the person they were shown to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Form } from '../../src/messages/replies.ts';
import { fetchAs } from '../helpers/test-server.ts';
import { chat, type IntakeServer, only, startIntakeServer, textOf } from '../intake/intake-harness.ts';

let s: IntakeServer;

beforeAll(async () => {
  s = await startIntakeServer();
});
afterAll(async () => {
  await s?.stop();
});

const hard = 'my computer sounds like a jet engine and everything crawls';

async function inbox(userId: string) {
  const res = await fetchAs(s.url, userId, '/api/inbox?all=1');
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: { replies: Parameters<typeof textOf>[0] }[] }).messages;
}

async function postForm(userId: string, path: string, fields: Record<string, string>) {
  return fetchAs(s.url, userId, path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

const answerCardOf = (replies: Awaited<ReturnType<typeof chat>>) =>
  replies.find((r) => r.type === 'card' && r.kind === 'answer');

describe('a phrasing IT answered with an article is learned', () => {
  it('is answered directly once IT approved the phrasing it learned from triage', async () => {
    // The bot cannot answer this one directly.
    const before = await chat(s.url, 'alice', { text: hard });
    expect(answerCardOf(before)).toBeUndefined();

    const saved = await chat(s.url, 'alice', {
      form: {
        formId: 'intake.request',
        values: {
          kind: 'incident',
          title: 'Noisy slow laptop',
          description: hard,
          urgency: 'medium',
          impact: 'me',
        },
      },
    });
    const reference = /Saved as \*\*(IT-\d{4})\*\*/.exec(textOf(saved))?.[1];
    expect(reference).toBeDefined();

    // Only IT staff get the form; it is prefilled with the closest article.
    const refused = await chat(s.url, 'alice', {
      action: { id: 'triage.answered_by_article', value: reference },
    });
    expect(textOf(refused)).toMatch(/only IT staff/);
    const form = only(
      await chat(s.url, 'ivy', { action: { id: 'triage.answered_by_article', value: reference } }),
      'form',
    ) as Form;
    expect(form.values?.article).toBe('laptop-slow');

    // A wrong article keeps the form open and changes nothing.
    const wrong = only(
      await chat(s.url, 'ivy', {
        form: { formId: form.id, values: { article: 'no-such-article' }, state: form.state },
      }),
      'form',
    ) as Form;
    expect(wrong.errors?.article).toMatch(/No article/);
    expect((await s.app.requests.get(reference!))?.status).toBe('new');

    const done = await chat(s.url, 'ivy', {
      form: {
        formId: form.id,
        values: { article: `${s.url}/kb/laptop-slow`, note: 'Try these steps first.' },
        state: form.state,
      },
    });
    expect(textOf(done)).toMatch(new RegExp(`${reference}\\*\\* is now _Resolved_`));
    const record = await s.app.requests.get(reference!);
    expect(record?.history.at(-1)).toMatchObject({ action: 'answered', article: { id: 'laptop-slow' } });

    // The requester is told, with the article's link.
    await s.app.outboxWorker.runOnce();
    const told = (await inbox('alice')).map((m) => textOf(m.replies)).join('\n');
    expect(told).toContain(`says this article answers it: [Speed up a slow laptop](${s.url}/kb/laptop-slow)`);
    expect(told).toContain('Try these steps first.');

    const [proposed, ...others] = await s.app.learning.list({ status: 'proposed' });
    expect(others).toEqual([]);
    expect(proposed).toMatchObject({
      articleId: 'laptop-slow',
      text: hard,
      source: 'triage',
      counts: { triage: 1 },
    });

    // The review page: IT staff see it; someone who is neither IT staff nor an owner is refused.
    const pageRes = await fetchAs(s.url, 'ivy', '/it/kb');
    expect(pageRes.status).toBe(200);
    expect(await pageRes.text()).toContain(`data-phrasing-id="${proposed!.id}"`);
    expect((await fetchAs(s.url, 'alice', '/it/kb')).status).toBe(403);
    const sneaky = await postForm('alice', '/it/kb/decide', { id: proposed!.id, verdict: 'approve' });
    expect(sneaky.status).toBe(403);
    expect((await s.app.learning.list({ status: 'approved' })).length).toBe(0);
    expect(answerCardOf(await chat(s.url, 'alice', { text: hard }))).toBeUndefined();

    const approved = await postForm('ivy', '/it/kb/decide', { id: proposed!.id, verdict: 'approve' });
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('is approved');

    const after = answerCardOf(await chat(s.url, 'alice', { text: hard }));
    expect(after).toMatchObject({ title: 'Speed up a slow laptop' });

    // Rejecting it again takes it back out of the index.
    await postForm('ivy', '/it/kb/decide', { id: proposed!.id, verdict: 'reject', from: 'approved' });
    expect(answerCardOf(await chat(s.url, 'alice', { text: hard }))).toBeUndefined();
  });
});

describe('the phrasing learned from a request answered by article', () => {
  it('is what the person asked, without the notes the questions added', async () => {
    const opening = 'the door buzzer at reception stopped working';
    await chat(s.url, 'nell', { text: opening });
    await chat(s.url, 'nell', { text: 'since yesterday' });
    await chat(s.url, 'nell', { text: 'just me' });
    await chat(s.url, 'nell', { text: 'low' });
    const saved = await chat(s.url, 'nell', { action: { id: 'intake.confirm' } });
    const reference = /Saved as \*\*(IT-\d{4})\*\*/.exec(textOf(saved))?.[1];
    expect((await s.app.requests.get(reference!))?.description).toContain('Since: since yesterday');

    const form = only(
      await chat(s.url, 'ivy', { action: { id: 'triage.answered_by_article', value: reference } }),
      'form',
    ) as Form;
    await chat(s.url, 'ivy', {
      form: { formId: form.id, values: { article: 'laptop-slow' }, state: form.state },
    });
    const learned = (await s.app.learning.list({ status: 'proposed' })).filter((p) => p.source === 'triage');
    expect(learned.map((p) => p.text)).toContain(opening);
    expect(learned.map((p) => p.text).join('\n')).not.toMatch(/Since:/);
  });
});

describe('a 👍 teaches a phrasing, and buttons act only for their asker', () => {
  it('proposes the question on the asker’s first 👍, and refuses anyone else’s click', async () => {
    const question = 'how can I get my password reset';
    const card = answerCardOf(await chat(s.url, 'bob', { text: question }));
    expect(card).toBeDefined();
    const buttons = (
      card as unknown as { actions: { label: string; action: { id: string; value: string } }[] }
    ).actions;
    const thumbsUp = buttons.find((b) => b.label.includes('👍'))!.action;
    const askIt = buttons.find((b) => b.label === 'Ask IT')!.action;

    // Someone else in the conversation presses Bob's buttons: a kind word, and nothing changes.
    for (const action of [thumbsUp, askIt, buttons.find((b) => b.label.includes('👎'))!.action]) {
      const replies = await chat(s.url, 'mallory', { action });
      expect(textOf(replies)).toMatch(/That button was for the person who asked/);
    }
    const untouched = await s.app.questions.get(thumbsUp.value);
    expect(untouched).toMatchObject({ userKey: 'web:bob', feedback: null, escalated: false });
    expect(await s.app.learning.list({ status: 'proposed', articleId: 'reset-password' })).toEqual([]);
    // Mallory's click started no request conversation of hers either.
    expect(textOf(await chat(s.url, 'mallory', { text: 'cancel' }))).not.toMatch(/cancelled that/);

    expect(textOf(await chat(s.url, 'bob', { action: thumbsUp }))).toMatch(/glad that helped/);
    expect((await s.app.questions.get(thumbsUp.value))?.feedback).toBe('helped');
    const [learned] = await s.app.learning.list({ status: 'proposed', articleId: 'reset-password' });
    expect(learned).toMatchObject({ text: question, source: 'thumbs-up', counts: { 'thumbs-up': 1 } });

    // Pressing it again is not a second sighting; another person's 👍 on the same words is.
    await chat(s.url, 'bob', { action: thumbsUp });
    const card2 = answerCardOf(await chat(s.url, 'carol', { text: 'How can I get my password reset?' }));
    const up2 = (
      card2 as unknown as { actions: { label: string; action: { id: string; value: string } }[] }
    ).actions.find((b) => b.label.includes('👍'))!.action;
    await chat(s.url, 'carol', { action: up2 });
    const [counted, ...more] = await s.app.learning.list({ status: 'proposed', articleId: 'reset-password' });
    expect(more).toEqual([]);
    expect(counted?.counts['thumbs-up']).toBe(2);
  });

  it('never proposes a question that carried a secret or personal data', async () => {
    for (const question of [
      'forgot my password is hunter2x, how do I reset it',
      'I forgot my password, how do I reset it? call me on +44 7700 900123',
    ]) {
      const card = answerCardOf(await chat(s.url, 'dave', { text: question }));
      expect(card).toBeDefined();
      const up = (
        card as unknown as { actions: { label: string; action: { id: string; value: string } }[] }
      ).actions.find((b) => b.label.includes('👍'))!.action;
      expect(textOf(await chat(s.url, 'dave', { action: up }))).toMatch(/glad that helped/);
    }
    const all = await s.app.learning.list({ articleId: 'reset-password' });
    expect(all.map((p) => p.text)).toEqual(['how can I get my password reset']);
  });
});

describe('a pick after a clarification teaches a phrasing', () => {
  it('answers directly, once the phrasing is approved, a question it first had to clarify', async () => {
    const question = 'how do I free up space?';
    const first = await chat(s.url, 'carol', { text: question });
    expect(answerCardOf(first)).toBeUndefined();
    const choices = first.find((r) => r.type === 'choices') as unknown as
      | { options: { label: string; action: { id: string; value: string } }[] }
      | undefined;
    const slow = choices?.options.find((o) => o.label === 'Speed up a slow laptop');
    expect(slow).toBeDefined();

    // Someone else cannot pick for Carol; Carol's pick shows the article and proposes her words.
    const foreign = await chat(s.url, 'mallory', { action: slow!.action });
    expect(answerCardOf(foreign)).toBeUndefined();
    expect(answerCardOf(await chat(s.url, 'carol', { action: slow!.action }))).toMatchObject({
      title: 'Speed up a slow laptop',
    });
    const proposed = (await s.app.learning.list({ status: 'proposed' })).find((p) => p.text === question);
    expect(proposed).toMatchObject({ articleId: 'laptop-slow', source: 'choice' });

    const approved = await postForm('ivy', '/it/kb/decide', { id: proposed!.id, verdict: 'approve' });
    expect(approved.status).toBe(200);
    expect(answerCardOf(await chat(s.url, 'carol', { text: question }))).toMatchObject({
      title: 'Speed up a slow laptop',
    });
  });
});
