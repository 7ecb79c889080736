// Intake reading figures on the labelled opening messages (test/fixtures/intake-openings.jsonl): routing, kind,
// stated details and questions left, for the tuning half and the held-out half separately.
// `node bench/intake-bench.ts --misses` also prints the tuning half's misses (never the held-out half's).
import { readOpening } from '../src/intake/opening-reader.ts';
import { type Reading, readLabelledOpenings, scoreOpenings } from '../test/intake/opening-score.ts';

/** The labelled set is read as if sent on Wednesday 2 December 2026, 10:00 in London. */
export const benchContext = { now: new Date('2026-12-02T10:00:00Z'), timeZone: 'Europe/London' };

function read(text: string): Reading {
  const r = readOpening(text, benchContext);
  return {
    route: r.route,
    kind: r.draft.kind,
    neededBy: r.draft.neededBy,
    urgency: r.draft.urgency,
    impact: r.draft.impact,
    person: r.person,
    questions: r.missing.length,
  };
}

/** Scores both halves. */
export async function intakeBench(): Promise<Record<string, unknown>> {
  const rows = readLabelledOpenings();
  const out: Record<string, unknown> = {};
  for (const split of ['tune', 'heldout'] as const) {
    const { misses, ...figures } = scoreOpenings(
      rows.filter((r) => r.split === split),
      read,
    );
    out[split] = { ...figures, missed: misses.length };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await intakeBench(), null, 2)}\n`);
  if (process.argv.includes('--misses')) {
    const rows = readLabelledOpenings().filter((r) => r.split === 'tune');
    for (const m of scoreOpenings(rows, read).misses) process.stdout.write(`${m}\n`);
  }
}
