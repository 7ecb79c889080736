// The Bot Framework connector client serialises each message entity through its `Entity` model, which knows only
// `type`, `text` and `mentioned`: every other property is dropped on the way out. Teams' stream information
// (streamId, streamType, streamSequence), the AI-generated label and citations all live in such properties, so
// the model is told to pass unknown properties through as they are, as the Activity model already declares.
import { createRequire } from 'node:module';

interface CompositeMapper {
  type: { additionalProperties?: { type: { name: string } } };
}

let done = false;

/** Lets message entities keep all their properties when sent (idempotent). */
export function keepEntityProperties(): void {
  if (done) return;
  const require = createRequire(import.meta.url);
  const mappers = require('botframework-connector/lib/connectorApi/models/mappers.js') as {
    Entity?: CompositeMapper;
  };
  if (mappers.Entity) mappers.Entity.type.additionalProperties ??= { type: { name: 'Object' } };
  done = true;
}
