// The mongoose schema is derived from the zod schema: same paths, same types, strict about everything else.

// The mongoose schema is derived from the zod schema: same paths, same types, strict about everything else.
import mongoose, { type Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { escapeKey, escapeKeys, unescapeKey, unescapeKeys } from '../../src/store/mongo/field-names.ts';
import { zodToMongoose } from '../../src/store/mongo/zod-to-mongoose.ts';
import { requestSchema } from './document-store.contract.ts';

/** Every leaf path of a mongoose schema as "a.b[].c: Type", walking single nested and array subdocuments. */
function mongoosePaths(schema: Schema, prefix = ''): string[] {
  const out: string[] = [];
  schema.eachPath((name, type) => {
    const path = `${prefix}${name}`;
    const nested = (type as unknown as { schema?: Schema }).schema;
    if (type.instance === 'Embedded' && nested) out.push(...mongoosePaths(nested, `${path}.`));
    else if (type.instance === 'Array' && nested) out.push(...mongoosePaths(nested, `${path}[].`));
    else if (type.instance === 'Array') {
      const caster = (type as unknown as { embeddedSchemaType?: { instance: string } }).embeddedSchemaType;
      out.push(`${path}: [${caster?.instance}]`);
    } else out.push(`${path}: ${type.instance}`);
  });
  return out.sort();
}

describe('zodToMongoose', () => {
  it('derives exactly the zod shape, nested objects and arrays of objects included', () => {
    const schema = zodToMongoose(requestSchema);
    const paths = mongoosePaths(schema).filter((p) => !p.startsWith('_'));
    expect(paths).toEqual(
      [
        'assignee: String',
        'createdAt: String',
        'details.answers[].answer: String',
        'details.answers[].question: String',
        'details.extra: Mixed',
        'details.summary: String',
        'expiresAt: String',
        'id: String',
        'priority: Number',
        'reference: String',
        'status: String',
        'tags: [String]',
        'urgent: Boolean',
      ].sort(),
    );
    expect(mongoosePaths(schema).filter((p) => p.startsWith('_'))).toEqual([
      '_expireAt: Date',
      '_id: String',
      '_rev: String',
    ]);
  });

  it('tracks the zod schema: a new zod field appears, a removed one disappears', () => {
    const extended = requestSchema.extend({ channel: z.enum(['slack', 'teams']) }).omit({ tags: true });
    const paths = mongoosePaths(zodToMongoose(extended));
    expect(paths).toContain('channel: String');
    expect(paths.some((p) => p.startsWith('tags'))).toBe(false);
  });

  it('keeps enum values, and is strict about unknown fields on write and in queries', () => {
    const schema = zodToMongoose(requestSchema);
    expect(schema.path('status').options.enum).toEqual(['open', 'waiting', 'closed']);
    expect(schema.get('strict')).toBe('throw');
    expect(schema.get('strictQuery')).toBe('throw');
    expect(schema.get('versionKey')).toBe(false);
    const Model = mongoose.createConnection().model('zod_strict_probe', schema);
    expect(() => new Model({ _id: 'x', id: 'x', nope: 1 })).toThrow(/not in schema/);
    expect(() => Model.find({ nope: 1 }).cast()).toThrow(/not in schema/);
  });

  it('rejects a schema that is not a zod object', () => {
    expect(() => zodToMongoose(z.string() as unknown as typeof requestSchema)).toThrow(/zod object/);
  });
});

describe('stored field names', () => {
  it('escapes dots, a leading dollar and the escape character, reversibly', () => {
    for (const key of ['os.version', '$where', '100%', 'a%2Eb', 'plain', 'x$y', '..']) {
      expect(unescapeKey(escapeKey(key))).toBe(key);
      expect(escapeKey(key)).not.toMatch(/\.|^\$/);
    }
    expect(escapeKey('plain')).toBe('plain');
    const doc = { a: { 'b.c': [{ $d: 1 }] }, e: 'f.g' };
    expect(escapeKeys(doc)).toEqual({ a: { 'b%2Ec': [{ '%24d': 1 }] }, e: 'f.g' });
    expect(unescapeKeys(escapeKeys(doc))).toEqual(doc);
  });
});
