// The source link that travels through a form's state is kept only when it points at the platform itself.
import { expect, it } from 'vitest';
import { sourceFromState, sourceState } from '../../src/intake/source-link.ts';

it('round-trips a Slack permalink and a Teams message link', () => {
  const slack = 'https://example.slack.com/archives/C0GENERAL/p1700000450000450';
  const teams = 'https://teams.microsoft.com/l/message/19%3Aabc%40thread.tacv2/1700000000000?tenantId=t1';
  expect(sourceFromState('slack', sourceState(slack))).toBe(slack);
  expect(sourceFromState('teams', sourceState(teams))).toBe(teams);
  expect(sourceState(undefined)).toBeUndefined();
});

it('drops links elsewhere, of the wrong platform, not https, with credentials, or unreadable state', () => {
  const state = (url: unknown) => JSON.stringify({ sourceUrl: url });
  for (const [platform, value] of [
    ['slack', state('https://evil.example/archives/C1/p1')],
    ['slack', state('https://slack.com.evil.example/archives/C1/p1')],
    ['slack', state('http://example.slack.com/archives/C1/p1')],
    ['slack', state('https://user:pw@example.slack.com/archives/C1/p1')],
    ['slack', state('javascript:alert(1)')],
    ['slack', state(42)],
    ['slack', state(`https://example.slack.com/${'a'.repeat(2100)}`)],
    ['teams', state('https://example.slack.com/archives/C1/p1')],
    ['web', state('https://example.slack.com/archives/C1/p1')],
    ['slack', 'not json'],
    ['slack', undefined],
  ] as const) {
    expect(sourceFromState(platform, value), String(value)).toBeUndefined();
  }
});
