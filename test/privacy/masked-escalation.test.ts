// When text passed to IT was masked, the person is told what was hidden and how to share it safely: also when a
// question (logged already masked) is passed on with the answer card's 'Ask IT' button.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, Form } from '../../src/messages/replies.ts';
import { chat, type IntakeServer, only, startIntakeServer, textOf } from '../intake/intake-harness.ts';

let s: IntakeServer;
beforeAll(async () => {
  s = await startIntakeServer();
});
afterAll(async () => {
  await s?.stop();
});

describe('a secret typed into a question', () => {
  it('is not kept in the question log, and the person hears so before the answer', async () => {
    const replies = await chat(s.url, 'ian', {
      text: 'how do I connect to the VPN from home? my pass is Sunshine42',
    });
    expect(replies[0]?.type).toBe('notice');
    expect(textOf([replies[0]!])).toMatch(
      /didn't keep what looked like a password.*never type secrets in chat/s,
    );
    expect(replies.some((r) => r.type === 'card' && r.kind === 'answer')).toBe(true);
    expect(JSON.stringify(replies)).not.toContain('Sunshine42');
    // An ordinary question about passwords gets no such notice.
    const plain = await chat(s.url, 'ian', { text: 'my password is not working' });
    expect(plain.some((r) => r.type === 'notice' && /didn't keep/.test(r.text))).toBe(false);
  });
});

describe('masked text passed to IT', () => {
  it("a question with a password, passed on with 'Ask IT', warns and carries only the masked text", async () => {
    // "from home": without it, connecting and fixing the VPN are a close call, which gets choices, not a card.
    const answer = only(
      await chat(s.url, 'gina', { text: 'how do I connect to the VPN from home? my pass is Sunshine42' }),
      'card',
    ) as Card;
    const askIt = answer.actions!.find((a) => a.action?.id === 'answer.ask_it')!;
    const started = await chat(s.url, 'gina', { action: askIt.action! });
    const warning = started.find((r) => r.type === 'notice');
    expect(warning && textOf([warning])).toMatch(/hid what looked like a password.*never share secrets/s);
    expect(textOf(started)).toMatch(/password manager|call you/);
    const form = only(await chat(s.url, 'gina', { action: { id: 'intake.edit' } }), 'form') as Form;
    expect(form.values?.description).toBe(
      'how do I connect to the VPN from home? my pass is [password hidden]',
    );
    expect(JSON.stringify(started)).not.toContain('Sunshine42');
  });

  it('a request in another language with a password is masked and the person told', async () => {
    const started = await chat(s.url, 'hugo', {
      text: 'I need access to the finance share, mein Passwort ist Sommer2026! falls nötig',
    });
    expect(textOf(started)).toMatch(/hid what looked like a password/);
    expect(JSON.stringify(started)).not.toContain('Sommer2026');
  });
});
