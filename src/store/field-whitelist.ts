// The fields a query may name: only the top-level fields of the collection's zod schema, never user-chosen keys.
import type { CollectionSpec } from './document-store.ts';

/** The top-level field names of the collection's schema. */
export function allowedFields(spec: CollectionSpec<object>): Set<string> {
  const shape = (spec.schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (!shape) throw new Error(`${spec.name}: the schema must be a zod object`);
  return new Set(Object.keys(shape));
}

/** Throws unless `field` is one of the collection's fields. */
export function assertField(fields: Set<string>, field: string, collection: string): void {
  if (!fields.has(field)) throw new Error(`${collection}: "${field}" is not a field of this collection`);
}
