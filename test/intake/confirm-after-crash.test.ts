// A Confirm repeated after a crash: the request is saved once, and the person hears its reference, whether the
// process died before the conversation was marked saved or after it, before "Saved as" reached them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversationStates } from '../../src/store/repositories/conversation-state.ts';
import { createRequestRepository } from '../../src/store/repositories/requests.ts';
import { chat, type IntakeServer, startIntakeServer, textOf } from './intake-harness.ts';

let s: IntakeServer;
beforeAll(async () => {
  s = await startIntakeServer();
});
afterAll(async () => {
  await s?.stop();
});

const address = (user: string) => ({
  feature: 'intake',
  platform: 'web',
  conversationId: `web:${user}`,
  userId: user,
});

/** Talks a software request up to its summary, answering each question in plain words. */
async function toSummary(user: string): Promise<void> {
  await chat(s.url, user, { text: 'I need Visio installed' });
  await chat(s.url, user, { text: 'just me' });
  await chat(s.url, user, { text: 'I draw the office floor plans for the move' });
  const summary = await chat(s.url, user, { text: 'no rush' });
  expect(textOf(summary)).toContain('Here is what I will send to IT');
}

const savedAs = (replies: Awaited<ReturnType<typeof chat>>) =>
  /Saved as \*\*(IT-\d{4})\*\*/.exec(textOf(replies))?.[1];

describe('a Confirm repeated after a crash', () => {
  it('after "Saved as" was lost: the repeated confirm hears the same reference, and nothing is saved twice', async () => {
    await toSummary('rita');
    const first = savedAs(await chat(s.url, 'rita', { text: 'confirm' }));
    expect(first).toBeDefined();
    // The person never saw that reply (the process died as it left) and confirms again.
    expect(savedAs(await chat(s.url, 'rita', { text: 'confirm' }))).toBe(first);
    const mine = await createRequestRepository(s.app.store).byRequester('web:rita');
    expect(mine.map((r) => r.reference)).toEqual([first]);
    // Anything else afterwards is a new message, not part of the saved request.
    expect(textOf(await chat(s.url, 'rita', { text: 'how do I connect to the VPN?' }))).toMatch(/VPN/);
    expect(await createConversationStates(s.app.store).get(address('rita'))).toBeUndefined();
  });

  it('after the save but before the conversation was marked: the request is found by its attempt, not saved again', async () => {
    await toSummary('sven');
    const states = createConversationStates(s.app.store);
    const before = await states.get(address('sven'));
    const first = savedAs(await chat(s.url, 'sven', { text: 'confirm' }));
    expect(first).toBeDefined();
    // The process died between saving the request and marking the conversation: the summary state is back.
    await states.save(address('sven'), before!.data, new Date(), 3_600_000);
    expect(savedAs(await chat(s.url, 'sven', { text: 'confirm' }))).toBe(first);
    const mine = await createRequestRepository(s.app.store).byRequester('web:sven');
    expect(mine.map((r) => r.reference)).toEqual([first]);
  });
});
