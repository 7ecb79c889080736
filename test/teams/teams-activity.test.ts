// Reading Teams activities, as pure functions: mentions, card submissions, conversation kinds and the references
// kept for later.
import { describe, expect, it } from 'vitest';
import {
  baseConversationId,
  conversationReference,
  messageText,
  parseSubmission,
  threadIdOf,
  toIncomingMessage,
  unknownSubmissionAction,
} from '../../adapters/teams/teams-activity.ts';
import { activity, localBotId } from './teams-harness.ts';

const vars = { serviceUrl: 'https://smba.example.net/emea/' };

describe('messageText', () => {
  it('removes every mention of the bot, keeps other people by name, decodes entities', () => {
    const a = activity('channel-mention', vars, {
      text: '<at>IT Buddy</at> can <at>Alex Wu</at> get Visio &amp; Project? <at>IT Buddy</at>',
      entities: [
        { type: 'mention', text: '<at>IT Buddy</at>', mentioned: { id: localBotId, name: 'IT Buddy' } },
        { type: 'mention', text: '<at>Alex Wu</at>', mentioned: { id: '29:alex', name: 'Alex Wu' } },
      ],
    });
    expect(messageText(a)).toBe('can Alex Wu get Visio & Project?');
  });

  it('leaves text alone when the bot is not mentioned', () => {
    expect(messageText(activity('personal-message', vars, { text: 'VPN <3 & more' }))).toBe('VPN <3 & more');
  });
});

describe('parseSubmission', () => {
  it('maps a button press to its action', () => {
    expect(
      parseSubmission({ action: { id: 'answer.helped', value: 'q1' }, msteams: { type: 'messageBack' } }),
    ).toEqual({
      action: { id: 'answer.helped', value: 'q1' },
    });
  });

  it('finds the payload of a messageBack button that Teams delivered under msteams.value, or as JSON text', () => {
    expect(parseSubmission({ msteams: { value: { action: { id: 'a.b' } } } })).toEqual({
      action: { id: 'a.b' },
    });
    expect(parseSubmission('{"action":{"id":"a.c","value":"7"}}')).toEqual({
      action: { id: 'a.c', value: '7' },
    });
  });

  it('maps a form submission: input ids become values, the form id and state come back', () => {
    expect(
      parseSubmission({
        form: { formId: 'intake.request', state: 's1' },
        summary: 'Visio',
        urgency: 'high',
        seats: 3,
        confirm: true,
        empty: '',
        msteams: { ignored: true },
      }),
    ).toEqual({
      form: {
        formId: 'intake.request',
        state: 's1',
        values: { summary: 'Visio', urgency: 'high', seats: '3', confirm: 'true', empty: '' },
      },
    });
  });

  it('anything else becomes the "expired button" action', () => {
    for (const bad of [{}, [], 'not json', { action: { id: '' } }, { form: { formId: 42 } }, null]) {
      expect(parseSubmission(bad)).toEqual({ action: { id: unknownSubmissionAction } });
    }
  });
});

describe('toIncomingMessage', () => {
  it('a personal message: Entra object id as user id, personal conversation, text', () => {
    expect(toIncomingMessage(activity('personal-message', vars) as never)).toEqual({
      platform: 'teams',
      user: { id: '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f', name: 'Dana Fischer' },
      conversation: {
        id: 'a:1Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa-personal-chat-with-dana',
        kind: 'personal',
      },
      text: 'how do I connect to the VPN?',
    });
  });

  it('a channel message: base channel id, thread, a link back, the mention gone, commands flagged', () => {
    const message = toIncomingMessage(
      activity('channel-mention', vars, { text: '<at>IT Buddy</at> request new laptop' }) as never,
    );
    expect(message).toMatchObject({
      conversation: {
        id: '19:4d7c1e9a2b8f4c6d9e0a1b2c3d4e5f60@thread.tacv2',
        kind: 'channel',
        threadId: '1732357211482',
      },
      text: 'request new laptop',
      command: true,
    });
    expect(message?.sourceUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/message\/19%3A4d7c/);
  });

  it('a group chat is a group conversation; a user without an Entra id keeps the Teams id', () => {
    const message = toIncomingMessage(
      activity('personal-message', vars, {
        from: { id: '29:guest', name: 'Guest' },
        conversation: { conversationType: 'groupChat', isGroup: true, id: '19:meeting_abc@thread.v2' },
      }) as never,
    );
    expect(message?.conversation).toEqual({ id: '19:meeting_abc@thread.v2', kind: 'group' });
    expect(message?.user.id).toBe('29:guest');
  });

  it('other activity types are not messages for the core', () => {
    expect(toIncomingMessage(activity('bot-added-to-team', vars) as never)).toBeUndefined();
  });
});

describe('references', () => {
  it('keeps the channel without its thread and without an activity id, so later posts start new threads', () => {
    const ref = conversationReference(activity('channel-mention', vars) as never);
    expect(ref.conversation?.id).toBe('19:4d7c1e9a2b8f4c6d9e0a1b2c3d4e5f60@thread.tacv2');
    expect(ref.conversation?.tenantId).toBe('9a8b7c6d-1111-4222-8333-444455556666');
    expect(ref).not.toHaveProperty('activityId');
    expect(ref.serviceUrl).toBe(vars.serviceUrl);
    expect(ref.bot?.id).toBe(localBotId);
  });

  it('splits Teams thread ids', () => {
    expect(baseConversationId('19:x@thread.tacv2;messageid=17')).toBe('19:x@thread.tacv2');
    expect(threadIdOf('19:x@thread.tacv2;messageid=17')).toBe('17');
    expect(threadIdOf('a:personal')).toBeUndefined();
  });
});
