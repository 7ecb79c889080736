// `itbuddy intake parse`, run as a real process: one JSON object per opening message with the route, kind,
// title, pre-filled fields and the questions the chat would ask — the chat's own reading.
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseOpening } from '../../src/intake/opening-parse.ts';
import { runProcess } from '../helpers/run-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin', 'itbuddy.js');

function itbuddy(args: string[], input = '') {
  return runProcess(process.execPath, [bin, ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      INTAKE_TIMEZONE: 'Europe/London',
    },
    input: input,
  });
}

const now = '2026-12-02T10:00:00Z';

it('prints one reading per line with --jsonl, the same as the chat reads it', async () => {
  const lines = [
    'I need Visio installed for process maps by end of next week',
    'how do I request a laptop?',
    'nobody in the building can print',
    '{"text":"Please add Jo to the finance shared mailbox from the 12th"}',
  ];
  const { code, stdout } = await itbuddy(
    ['intake', 'parse', '--jsonl', '--now', now],
    `${lines.join('\n')}\n`,
  );
  expect(code).toBe(0);
  const out = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(out).toHaveLength(4);
  expect(out[0]).toEqual({
    text: lines[0],
    route: 'request',
    kind: 'software',
    title: 'Visio for process maps',
    fields: {
      kind: 'software',
      title: 'Visio for process maps',
      description: lines[0],
      businessNeed: 'For process maps',
      neededBy: '2026-12-11',
      subject: 'Visio',
    },
    missing: ['forWhom'],
  });
  expect(out[1]).toMatchObject({ route: 'answer', kind: null, fields: {}, missing: [] });
  expect(out[2]).toMatchObject({ route: 'request', kind: 'incident', fields: { urgency: 'critical' } });
  expect(out[3]).toMatchObject({
    route: 'request',
    kind: 'access',
    fields: { affected: 'Jo', person: 'Jo', neededBy: '2026-12-12' },
  });
  const context = { now: new Date(now), timeZone: 'Europe/London' };
  expect(out[3]).toEqual(parseOpening('Please add Jo to the finance shared mailbox from the 12th', context));
});

it('reads one message from the arguments and refuses a bad time zone', async () => {
  const one = await itbuddy(['intake', 'parse', '--now', now, 'could I have a second monitor?']);
  expect(one.code).toBe(0);
  expect(JSON.parse(one.stdout)).toMatchObject({
    route: 'request',
    kind: 'hardware',
    title: 'Second monitor',
  });
  const bad = await itbuddy(['intake', 'parse', '--tz', 'Mars/Base', 'I need Visio']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/not a time zone/);
});

it('reads a collection and a delivery place from the command line as the chat does', async () => {
  const lines = [
    'can somebody collect the broken label printer from the post room, it has been there for weeks',
    'need a headset at desk 31',
  ];
  const { code, stdout } = await itbuddy(
    ['intake', 'parse', '--jsonl', '--now', now],
    `${lines.join('\n')}\n`,
  );
  expect(code).toBe(0);
  const [collect, deliver] = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { title: string; fields: Record<string, string>; missing: string[] });
  expect(collect).toMatchObject({
    kind: 'hardware',
    title: 'Collect broken label printer from the post room',
    missing: [],
  });
  expect(collect!.fields.description).toContain('\n\nCollect from: the post room');
  expect(collect!.fields.businessNeed).toBeUndefined();
  expect(deliver).toMatchObject({ kind: 'hardware', title: 'Headset', missing: ['why'] });
  expect(deliver!.fields.description).toContain('\n\nDeliver to: desk 31');
});
