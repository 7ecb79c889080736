// The whole intake flow over real HTTP on the local web channel: the conversation, saving, the outbox posting
// to the web IT inbox, triage by IT staff with the summary updated in place, and the requester told.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, Choices, Form, Reply } from '../../src/messages/replies.ts';
import { createRoleGrantStore } from '../../src/store/repositories/role-grants.ts';
import { fetchAs, sessionFor } from '../helpers/test-server.ts';
import { chat, type IntakeServer, only, startIntakeServer, textOf } from './intake-harness.ts';

let s: IntakeServer;

beforeAll(async () => {
  s = await startIntakeServer();
});

afterAll(async () => {
  await s?.stop();
});

async function itInbox(user = 'ivy') {
  const res = await fetchAs(s.url, user, '/it');
  return { status: res.status, html: await res.text() };
}

async function inbox(userId: string, all = false) {
  const res = await fetchAs(s.url, userId, `/api/inbox${all ? '?all=1' : ''}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: { id: string; replies: Parameters<typeof textOf>[0] }[] })
    .messages;
}

/** The web posts in the IT channel, read through the page's message ids. */
function postedIds(html: string): string[] {
  return [...html.matchAll(/data-message-id="([^"]+)"/g)].map((m) => m[1]!);
}

describe('a request from plain words to triage', () => {
  let reference: string;

  it('asks only what is missing, one question at a time, and takes a correction mid-way', async () => {
    const first = await chat(s.url, 'alice', { text: 'I need Visio installed' });
    // Kind (software), product and title were read from the words; the software plan asks for whom first.
    const questions = first.filter(
      (r) => r.type === 'choices' || /\?$/.test(r.type === 'text' ? r.text : ''),
    );
    expect(questions).toHaveLength(1);
    expect(textOf(first)).toMatch(/Who is it for/);
    expect(textOf(first)).not.toMatch(/What kind of request|Which software/);

    const corrected = await chat(s.url, 'alice', { text: "actually it's urgent" });
    expect(only(corrected, 'notice').text).toMatch(/urgent.*High/);
    // The pending question is asked again, since the correction did not answer it.
    expect(textOf(corrected)).toMatch(/Who is it for/);

    expect(textOf(await chat(s.url, 'alice', { text: 'my team' }))).toMatch(/What do you need it for/);
    const afterNeed = await chat(s.url, 'alice', { text: 'I draw the office floor plans for the move' });
    expect(textOf(afterNeed)).toMatch(/By when do you need it/);

    const summary = only(await chat(s.url, 'alice', { text: "that's all" }), 'card') as Card;
    expect(summary.kind).toBe('request');
    expect(summary.actions?.map((a) => a.action?.id)).toEqual([
      'intake.confirm',
      'intake.edit',
      'intake.cancel',
    ]);
    expect(textOf([summary])).toMatch(/Urgency: High/);
    expect(textOf([summary])).toMatch(/Who it affects: My team/);

    const retitled = await chat(s.url, 'alice', { text: 'change the title to Visio for floor plans' });
    expect((only(retitled, 'card') as Card).title).toBe('Visio for floor plans');
    // Nothing is stored before Confirm.
    expect(await s.app.requests.byRequester('web:alice')).toEqual([]);
  });

  it('saves on Confirm, says the reference, and stores the record with history and a computed priority', async () => {
    const saved = await chat(s.url, 'alice', { action: { id: 'intake.confirm' } });
    const text = only(saved, 'notice').text;
    const match = /Saved as \*\*(IT-\d{4})\*\*/.exec(text);
    expect(match, text).not.toBeNull();
    reference = match![1]!;
    const record = await s.app.requests.get(reference);
    expect(record).toMatchObject({
      reference,
      kind: 'software',
      title: 'Visio for floor plans',
      description: 'I need Visio installed',
      businessNeed: 'I draw the office floor plans for the move',
      urgency: 'high',
      impact: 'team',
      priority: 'P2',
      status: 'new',
      requester: { platform: 'web', userId: 'alice', name: 'Alice' },
      requesterKey: 'web:alice',
      source: { platform: 'web', conversationId: 'web:alice' },
      version: 1,
    });
    expect(record!.history.map((h) => h.action)).toEqual(['created']);
    // The conversation is over: the next message is not read as part of it.
    expect(textOf(await chat(s.url, 'alice', { text: 'hello' }))).toMatch(/Hi!/);
  });

  it('posts the summary to the web IT inbox through the outbox, once', async () => {
    await s.app.outboxWorker.runOnce();
    await s.app.outboxWorker.runOnce();
    const page = await itInbox();
    expect(page.status).toBe(200);
    expect(page.html).toContain(`${reference} · Visio for floor plans`);
    expect(page.html).toContain('value="triage.ack"');
    expect(postedIds(page.html)).toHaveLength(1);
    const jobs = await s.app.outbox.bySubject(reference);
    expect(jobs.map((j) => [j.kind, j.status])).toEqual([['post', 'done']]);
    expect(jobs[0]!.posted?.messageId).toBe(postedIds(page.html)[0]);
  });

  it('keeps the IT inbox to IT staff', async () => {
    expect((await itInbox('alice')).status).toBe(403);
    expect((await itInbox('nobody')).status).toBe(403);
  });

  it('refuses triage from someone who is not IT staff and leaves the request alone', async () => {
    const refused = await chat(s.url, 'alice', { action: { id: 'triage.ack', value: reference } });
    expect(only(refused, 'notice').text).toMatch(/only IT staff/);
    expect((await s.app.requests.get(reference))?.status).toBe('new');
    const form = await chat(s.url, 'mallory', {
      form: { formId: 'triage.decline', values: { note: 'no' }, state: reference },
    });
    expect(textOf(form)).toMatch(/only IT staff/);
    expect((await s.app.requests.get(reference))?.status).toBe('new');
  });

  it('acknowledges for IT staff: record changed, posted summary updated in place, requester messaged', async () => {
    const before = postedIds((await itInbox()).html);
    const acked = await chat(s.url, 'ivy', { action: { id: 'triage.ack', value: reference } });
    expect(only(acked, 'notice').text).toMatch(/Acknowledged/);
    const record = await s.app.requests.get(reference);
    expect(record).toMatchObject({ status: 'acknowledged', version: 2 });
    expect(record!.acknowledgedAt).not.toBeNull();
    expect(record!.history.at(-1)).toMatchObject({
      action: 'acknowledged',
      by: 'Ivy',
      byKey: 'web:ivy',
      toStatus: 'acknowledged',
    });

    await s.app.outboxWorker.runOnce();
    const after = await itInbox();
    expect(postedIds(after.html)).toEqual(before);
    expect(after.html).toMatch(/Software · P2 · Acknowledged/);
    expect(after.html).not.toContain('value="triage.ack"');

    const dms = await inbox('alice');
    expect(dms).toHaveLength(1);
    expect(textOf(dms[0]!.replies)).toMatch(new RegExp(`${reference}[\\s\\S]*Acknowledged`));
    // Seen once, not shown again; still there with all=1.
    expect(await inbox('alice')).toHaveLength(0);
    expect(await inbox('alice', true)).toHaveLength(1);
  });

  it('changes the priority from the choices IT is offered', async () => {
    const choices = only(
      await chat(s.url, 'ivy', { action: { id: 'triage.priority', value: reference } }),
      'choices',
    ) as Choices;
    const p1 = choices.options.find((o) => o.label === 'P1')!;
    expect(p1.action).toEqual({ id: 'triage.priority', value: `${reference} P1` });
    await chat(s.url, 'ivy', { action: p1.action! });
    expect((await s.app.requests.get(reference))?.priority).toBe('P1');
    await s.app.outboxWorker.runOnce();
    expect((await itInbox()).html).toMatch(/Software · P1 · Acknowledged/);
    // Not a status change: no message to the requester.
    expect(await inbox('alice')).toHaveLength(0);
  });

  it('lets IT ask a question that reaches the requester, whose reply reaches IT', async () => {
    const form = only(
      await chat(s.url, 'ivy', { action: { id: 'triage.ask', value: reference } }),
      'form',
    ) as Form;
    expect(form.id).toBe('triage.ask');
    await chat(s.url, 'ivy', {
      form: {
        formId: form.id,
        values: { note: 'Do you need Visio Standard or Professional?' },
        state: form.state!,
      },
    });
    expect((await s.app.requests.get(reference))?.status).toBe('waiting_on_requester');
    await s.app.outboxWorker.runOnce();

    const dm = (await inbox('alice'))[0]!;
    expect(textOf(dm.replies)).toMatch(/Standard or Professional/);
    const replyButton = (dm.replies.find((r) => r.type === 'choices') as Choices).options[0]!;
    const replyForm = only(await chat(s.url, 'alice', { action: replyButton.action! }), 'form') as Form;
    // Someone else cannot answer for alice.
    const intruder = await chat(s.url, 'bob', {
      form: { formId: replyForm.id, values: { note: 'Standard' }, state: replyForm.state! },
    });
    expect(textOf(intruder)).toMatch(/can't find/);
    await chat(s.url, 'alice', {
      form: { formId: replyForm.id, values: { note: 'Professional, please' }, state: replyForm.state! },
    });

    const record = await s.app.requests.get(reference);
    expect(record?.status).toBe('in_progress');
    expect(record?.history.map((h) => h.action)).toEqual([
      'created',
      'acknowledged',
      'priority_changed',
      'asked',
      'replied',
    ]);
    await s.app.outboxWorker.runOnce();
    expect((await itInbox()).html).toMatch(/Alice replied: Professional, please/);
  });

  it('resolves, and every status change reached the requester', async () => {
    await chat(s.url, 'ivy', { action: { id: 'triage.resolve', value: reference } });
    await s.app.outboxWorker.runOnce();
    const all = await inbox('alice', true);
    // acknowledged, asked, resolved (the reply was alice's own doing, the priority no status change)
    expect(all.map((m) => textOf(m.replies))).toEqual([
      expect.stringMatching(/marked this as resolved/),
      expect.stringMatching(/has a question for you/),
      expect.stringMatching(/now \*\*Acknowledged\*\*/),
    ]);
    const jobs = await s.app.outbox.bySubject(reference);
    expect(jobs.every((j) => j.status === 'done')).toBe(true);
    expect(jobs.filter((j) => j.kind === 'post')).toHaveLength(1);
    // A finished request cannot be acknowledged again.
    expect(textOf(await chat(s.url, 'ivy', { action: { id: 'triage.ack', value: reference } }))).toMatch(
      /can't be acknowledged/,
    );
  });

  it("shows requesters their own requests and nobody else's", async () => {
    const mine = textOf(await chat(s.url, 'alice', { text: 'my requests' }));
    expect(mine).toContain(reference);
    // "status" alone, as the Teams command list and /itbuddy usage suggest, lists them too.
    expect(textOf(await chat(s.url, 'alice', { text: 'status' }))).toBe(mine);
    expect(textOf(await chat(s.url, 'bob', { text: 'status' }))).toMatch(/haven't asked IT for anything/);
    const status = only(await chat(s.url, 'alice', { text: `status ${reference}` }), 'card') as Card;
    expect(status.subtitle).toMatch(/Resolved/);
    expect(textOf([status])).toMatch(/resolved it/);

    expect(textOf(await chat(s.url, 'bob', { text: `status ${reference}` }))).toMatch(
      /can't find that one for you/,
    );
    expect(textOf(await chat(s.url, 'bob', { text: 'status IT-9999' }))).toMatch(
      /can't find that one for you/,
    );
    expect(textOf(await chat(s.url, 'bob', { text: 'my requests' }))).not.toContain(reference);
    // IT staff may look at anyone's.
    expect(
      (only(await chat(s.url, 'ivy', { text: `status ${reference.toLowerCase()}` }), 'card') as Card).title,
    ).toContain(reference);
  });
});

describe('starting, cancelling and the form', () => {
  it('cancels at any point, saving nothing', async () => {
    const started = await chat(s.url, 'carol', { text: 'my laptop screen is cracked' });
    expect(textOf(started)).toMatch(/Since when has it been happening\?/);
    const cancelled = await chat(s.url, 'carol', { text: 'cancel' });
    expect(textOf(cancelled)).toMatch(/cancelled.*nothing was sent/);
    expect(await s.app.requests.byRequester('web:carol')).toEqual([]);
    // The next message is a fresh one, not an answer to the old question.
    expect(textOf(await chat(s.url, 'carol', { text: 'this morning' }))).not.toMatch(/Who does it affect/);
  });

  it('leaves how-to questions to the knowledge base', async () => {
    const replies = await chat(s.url, 'dave', { text: 'how do I install software' });
    expect(only(replies, 'card').kind).toBe('answer');
    expect(await s.app.requests.byRequester('web:dave')).toEqual([]);
  });

  it("starts from the answer card's 'Ask IT' with the question carried over", async () => {
    const answer = only(await chat(s.url, 'erin', { text: 'how do I connect to the VPN?' }), 'card') as Card;
    const askIt = answer.actions!.find((a) => a.action?.id === 'answer.ask_it')!;
    const started = await chat(s.url, 'erin', { action: askIt.action! });
    expect(textOf(started)).toMatch(/pass this to IT/);
    const form = only(await chat(s.url, 'erin', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(form.values?.description).toBe('how do I connect to the VPN?');
  });

  it('offers the whole request as one form, returns field errors, and saves a valid one', async () => {
    const form = only(await chat(s.url, 'frank', { text: 'request form' }), 'form') as Form;
    expect(form.id).toBe('intake.request');
    expect(form.fields.map((f) => f.name)).toEqual([
      'kind',
      'title',
      'description',
      'businessNeed',
      'urgency',
      'impact',
      'neededBy',
      'affected',
      'expectedBenefit',
      'costOrRisk',
      'sponsor',
    ]);
    expect(form.fields.find((f) => f.name === 'urgency')?.options?.map((o) => o.value)).toEqual([
      'low',
      'medium',
      'high',
      'critical',
    ]);

    const invalid = only(
      await chat(s.url, 'frank', {
        form: {
          formId: 'intake.request',
          values: {
            kind: 'project',
            title: 'Wiki',
            description: 'A team wiki',
            urgency: 'low',
            impact: 'team',
            neededBy: '31/12/2026',
          },
        },
      }),
      'form',
    ) as Form;
    // A project needs the problem it solves; benefit, cost and sponsor are asked but may be left for later.
    expect(Object.keys(invalid.errors ?? {}).sort()).toEqual(['businessNeed', 'neededBy']);
    expect(invalid.values?.title).toBe('Wiki');
    expect(await s.app.requests.byRequester('web:frank')).toEqual([]);

    const saved = await chat(s.url, 'frank', {
      form: {
        formId: 'intake.request',
        values: {
          kind: 'project',
          title: 'Wiki',
          description: 'A team wiki',
          businessNeed: 'Knowledge is scattered',
          urgency: 'low',
          impact: 'team',
          neededBy: '2026-12-31',
          expectedBenefit: 'Less time searching',
          costOrRisk: 'A licence per user',
          sponsor: 'The CFO',
        },
      },
    });
    expect(textOf(saved)).toMatch(/Saved as \*\*IT-\d{4}\*\* \(P4\)/);
    const [record] = await s.app.requests.byRequester('web:frank');
    expect(record).toMatchObject({
      kind: 'project',
      sponsor: 'The CFO',
      neededBy: '2026-12-31',
      priority: 'P4',
    });
  });
});

describe('the IT inbox page', () => {
  /** Presses a button on the page as signed-in web user `user` (the session, not a form field, says who). */
  async function act({ user, ...fields }: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetchAs(s.url, user ?? '', '/it/act', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: res.status, html: await res.text() };
  }

  it('triages from the page with the same buttons, for IT staff only and not from other sites', async () => {
    const saved = await chat(s.url, 'hank', {
      form: {
        formId: 'intake.request',
        values: {
          kind: 'hardware',
          title: 'New headset',
          description: 'Mine broke',
          businessNeed: 'Calls',
          urgency: 'medium',
          impact: 'me',
        },
      },
    });
    const reference = /(IT-\d{4})/.exec(textOf(saved))![1]!;
    await s.app.outboxWorker.runOnce();
    expect((await itInbox()).html).toContain(`${reference} · New headset`);

    expect((await act({ user: 'hank', id: 'triage.assign_me', value: reference })).status).toBe(403);
    expect(
      (
        await act(
          { user: 'ivy', id: 'triage.assign_me', value: reference },
          { origin: 'http://evil.example' },
        )
      ).status,
    ).toBe(403);
    expect((await s.app.requests.get(reference))?.status).toBe('new');

    const done = await act({ user: 'ivy', id: 'triage.assign_me', value: reference });
    expect(done.status).toBe(200);
    expect(done.html).toContain('is now <em>In progress</em>');
    expect(await s.app.requests.get(reference)).toMatchObject({
      status: 'in_progress',
      assignee: { key: 'web:ivy', name: 'ivy' },
    });

    // Declining opens the reason form, whose submission declines with the reason shown to the requester.
    const form = await act({ user: 'ivy', id: 'triage.decline', value: reference });
    expect(form.html).toContain('action="/it/form"');
    const res = await fetchAs(s.url, 'ivy', '/it/form', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        formId: 'triage.decline',
        state: reference,
        'field.note': 'Headsets come from Facilities',
      }).toString(),
    });
    expect(res.status).toBe(200);
    expect((await s.app.requests.get(reference))?.status).toBe('declined');
    await s.app.outboxWorker.runOnce();
    const dms = await inbox('hank');
    expect(dms.map((m) => textOf(m.replies))).toEqual([
      expect.stringMatching(/declined this request[\s\S]*Reason: Headsets come from Facilities/),
      expect.stringMatching(/now \*\*In progress\*\* — ivy is on it/),
    ]);
  });

  it('names IT staff by their signed-in name, as the chat does, when they act from the page', async () => {
    await createRoleGrantStore(s.app.store).grant({
      userKey: 'web:iris',
      role: 'it_staff',
      grantedBy: 'web:ivy',
      grantedAt: new Date().toISOString(),
    });
    const saved = await chat(s.url, 'nell', {
      form: {
        formId: 'intake.request',
        values: {
          kind: 'hardware',
          title: 'New mouse',
          description: 'The wheel is stuck',
          businessNeed: 'Work',
          urgency: 'low',
          impact: 'me',
        },
      },
    });
    const reference = /(IT-\d{4})/.exec(textOf(saved))![1]!;
    const cookie = await sessionFor(s.url, 'iris', 'Iris Chen');
    const res = await fetch(`${s.url}/it/act`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ id: 'triage.assign_me', value: reference }).toString(),
    });
    expect(res.status).toBe(200);
    expect((await s.app.requests.get(reference))?.assignee).toEqual({ key: 'web:iris', name: 'Iris Chen' });
    await s.app.outboxWorker.runOnce();
    expect(textOf((await inbox('nell'))[0]!.replies)).toMatch(/Iris Chen is on it/);
  });

  it('shows IT an anonymous requester as an anonymous web user, not a session id', async () => {
    const res = await fetch(`${s.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        form: {
          formId: 'intake.request',
          values: {
            kind: 'hardware',
            title: 'New webcam',
            description: 'Mine is blurry',
            businessNeed: 'Calls',
            urgency: 'low',
            impact: 'me',
          },
        },
      }),
    });
    const reference = /(IT-\d{4})/.exec(textOf(((await res.json()) as { replies: Reply[] }).replies))![1]!;
    const record = (await s.app.requests.get(reference))!;
    expect(record.requester.userId).toMatch(/^anon:/);
    expect(record.requester.name).toBe(`Anonymous web user …${record.requester.userId.slice(-5)}`);
    await s.app.outboxWorker.runOnce();
    const page = (await itInbox()).html;
    expect(page).toContain('Anonymous web user …');
    expect(page).not.toContain(`${record.requester.userId} (web)`);
  });

  it('opens to someone granted IT staff at run time, the same way the bot decides', async () => {
    expect((await itInbox('jules')).status).toBe(403);
    await createRoleGrantStore(s.app.store).grant({
      userKey: 'web:jules',
      role: 'it_staff',
      grantedBy: 'web:ivy',
      grantedAt: new Date().toISOString(),
    });
    expect((await itInbox('jules')).status).toBe(200);
  });
});
