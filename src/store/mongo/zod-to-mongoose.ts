// Derives a collection's mongoose Schema from its zod schema, so the stored shape can never drift from the zod one.
import { Schema, type SchemaDefinition, type SchemaDefinitionProperty } from 'mongoose';
import type { z } from 'zod';

/** The hidden fields the MongoDB engine adds next to every document (never returned to callers). */
export const hiddenFields = {
  /** BSON Date copy of the spec's `expiresAt` ISO string, for the TTL index. */
  expireAt: '_expireAt',
  /** Revision token used for conditional writes on servers without atomic updates (FerretDB 1.x). */
  revision: '_rev',
} as const;

/** The part of a zod definition this module reads; zod 4 keeps it under `_zod.def`. */
interface ZodDefLike {
  type: string;
  innerType?: unknown;
  element?: unknown;
  shape?: Record<string, unknown>;
  entries?: Record<string, string | number>;
  values?: unknown[];
  in?: unknown;
}

function defOf(schema: unknown): ZodDefLike {
  const def = (schema as { _zod?: { def?: ZodDefLike } })._zod?.def;
  if (!def) throw new Error('zodToMongoose: expected a zod 4 schema');
  return def;
}

/** Wrappers that do not change the stored shape: optional, nullable, default and friends. */
const wrapperTypes = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'readonly',
  'catch',
  'nonoptional',
]);

/** Strips optional/nullable/default wrappers and returns the definition underneath. */
export function unwrapZod(schema: unknown): ZodDefLike {
  let def = defOf(schema);
  while (wrapperTypes.has(def.type) || def.type === 'pipe') {
    def = defOf(def.type === 'pipe' ? def.in : def.innerType);
  }
  return def;
}

const subSchemaOptions = {
  _id: false,
  id: false,
  strict: 'throw',
  strictQuery: 'throw',
  minimize: false,
} as const;

function literalType(values: unknown[]): SchemaDefinitionProperty {
  if (values.every((v) => typeof v === 'string')) return { type: String, enum: values as string[] };
  if (values.every((v) => typeof v === 'number')) return { type: Number, enum: values as number[] };
  if (values.every((v) => typeof v === 'boolean')) return { type: Boolean };
  return { type: Schema.Types.Mixed };
}

/** The mongoose path definition for one zod type. Zod stays the validator, so nothing is marked `required`. */
function toPath(schema: unknown): SchemaDefinitionProperty {
  const def = unwrapZod(schema);
  switch (def.type) {
    case 'string':
      return { type: String };
    case 'number':
    case 'int':
      return { type: Number };
    case 'boolean':
      return { type: Boolean };
    case 'enum':
      return literalType(Object.values(def.entries ?? {}));
    case 'literal':
      return literalType(def.values ?? []);
    case 'array':
      // `default: undefined` keeps an absent optional array absent (mongoose would otherwise store []).
      return { type: [toPath(def.element)], default: undefined };
    case 'object':
      return { type: new Schema(toDefinition(def.shape ?? {}), subSchemaOptions), default: undefined };
    default:
      // record, union, unknown, any, tuple...: stored as given; zod has validated it.
      return { type: Schema.Types.Mixed };
  }
}

function toDefinition(shape: Record<string, unknown>): SchemaDefinition {
  const definition: SchemaDefinition = {};
  for (const [name, field] of Object.entries(shape)) definition[name] = toPath(field);
  return definition;
}

/** The top-level shape of a zod object schema; throws for anything else. */
export function zodShape(schema: z.ZodType): Record<string, unknown> {
  const def = unwrapZod(schema);
  if (def.type !== 'object' || !def.shape)
    throw new Error('zodToMongoose: the collection schema must be a zod object');
  return def.shape;
}

/**
 * Builds the strict mongoose Schema for a collection: `_id` holds the spec's key value, unknown fields throw
 * on write and on query, no version key, plus the hidden `_expireAt` (Date) and `_rev` fields.
 */
export function zodToMongoose(schema: z.ZodType): Schema {
  const definition = toDefinition(zodShape(schema));
  definition._id = { type: String };
  definition[hiddenFields.expireAt] = { type: Date };
  definition[hiddenFields.revision] = { type: String };
  return new Schema(definition, {
    strict: 'throw',
    strictQuery: 'throw',
    versionKey: false,
    id: false,
    minimize: false,
    autoIndex: false,
    autoCreate: false,
    bufferCommands: false,
  });
}

/** The BSON type alias (`string`, `number`, `bool`) of a top-level scalar field, when it has a single one. */
export function bsonScalarType(schema: z.ZodType, field: string): 'string' | 'number' | 'bool' | undefined {
  const def = unwrapZod(zodShape(schema)[field]);
  switch (def.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'int':
      return 'number';
    case 'boolean':
      return 'bool';
    case 'enum':
    case 'literal': {
      const values = def.type === 'enum' ? Object.values(def.entries ?? {}) : (def.values ?? []);
      if (values.every((v) => typeof v === 'string')) return 'string';
      if (values.every((v) => typeof v === 'number')) return 'number';
      return undefined;
    }
    default:
      return undefined;
  }
}
