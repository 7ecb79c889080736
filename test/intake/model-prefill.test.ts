// Model-assisted extraction shares the one reading: with a model configured, it may fill only what the reader
// left empty; a value the user typed (kind, product, date) is never overridden. Against the stub OpenAI server.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { draftFields, type RequestDraft } from '../../src/intake/request-schema.ts';
import type { Form } from '../../src/messages/replies.ts';
import { type AppHarness, appHarness } from '../llm/llm-harness.ts';
import { completion, schemaName } from '../llm/stub-openai.ts';

let h: AppHarness;

beforeAll(async () => {
  h = await appHarness({ INTAKE_TIMEZONE: 'Europe/London' });
});
afterAll(async () => {
  await h?.close();
});

it('takes from the model only the fields the reader left empty', async () => {
  const modelSays: RequestDraft = {
    ...(Object.fromEntries(draftFields.map((f) => [f, null])) as RequestDraft),
    kind: 'project',
    title: 'A big project',
    neededBy: '2031-01-01',
    businessNeed: 'To draw the process maps for the move',
    affected: 'Sam',
  };
  h.stub.chat = (request) =>
    schemaName(request) === 'request_draft'
      ? completion({ draft: modelSays, unsure: [] })
      : { status: 500, body: { error: { message: 'unscripted' } } };

  const started = await h.ask('I need Visio installed by 2030-06-14');
  expect(started.length).toBeGreaterThan(0);
  const form = (await h.app.bot.handle({
    platform: 'web',
    user: { id: 'alice' },
    conversation: { id: 'web-conv-1', kind: 'personal' },
    action: { id: 'intake.edit' },
  })) as Form[];
  const values = form.find((r) => r.type === 'form')?.values ?? {};
  // Typed by the user and read by the parser: kept.
  expect(values.kind).toBe('software');
  expect(values.title).toBe('Visio');
  expect(values.neededBy).toBe('2030-06-14');
  // Left empty by the parser: filled by the model.
  expect(values.businessNeed).toBe('To draw the process maps for the move');
  expect(values.affected).toBe('Sam');
});
