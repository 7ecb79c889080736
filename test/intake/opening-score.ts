// Scores an opening-message reader against the labelled set in test/fixtures/intake-openings.jsonl: routing,
// kind on requests, stated details (date, urgency, impact, person) with no invented date, and questions left.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const rowSchema = z.object({
  id: z.number(),
  split: z.enum(['tune', 'heldout']),
  text: z.string(),
  route: z.enum(['answer', 'request', 'problem']),
  kind: z.string(),
  neededBy: z.string(),
  urgency: z.string(),
  impact: z.string(),
  person: z.string(),
});
/** One labelled opening message. */
export type LabelledOpening = z.infer<typeof rowSchema>;

/** The labelled set, read from the fixture. */
export function readLabelledOpenings(): LabelledOpening[] {
  const file = fileURLToPath(new URL('../fixtures/intake-openings.jsonl', import.meta.url));
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => rowSchema.parse(JSON.parse(l)));
}

/** What a reader says about one message; null where it found nothing. */
export interface Reading {
  route: string;
  kind: string | null;
  neededBy: string | null;
  urgency: string | null;
  impact: string | null;
  person: string | null;
  /** Questions the conversation would still ask for this message (plan steps left). */
  questions: number;
}

/** Figures for one half. */
export interface OpeningScore {
  messages: number;
  routing: number;
  kindOnRequests: number;
  details: number;
  person: number;
  inventedDates: number;
  softwareQuestionsMax: number;
  softwareQuestionsMean: number;
  misses: string[];
}

const none = (v: string) => (v === 'none' ? null : v);

/** Scores `read` on `rows`; each figure is a share from 0 to 1 except the counts. */
export function scoreOpenings(rows: LabelledOpening[], read: (text: string) => Reading): OpeningScore {
  let routeOk = 0;
  let requests = 0;
  let kindOk = 0;
  let detailRows = 0;
  let detailsOk = 0;
  let personRows = 0;
  let personOk = 0;
  let invented = 0;
  const softwareQuestions: number[] = [];
  const misses: string[] = [];
  for (const row of rows) {
    const r = read(row.text);
    const why: string[] = [];
    if (r.route === row.route) routeOk++;
    else why.push(`route ${r.route}≠${row.route}`);
    if (row.route === 'request') {
      requests++;
      if (r.kind === row.kind) kindOk++;
      else why.push(`kind ${r.kind}≠${row.kind}`);
    }
    if (row.route !== 'answer') {
      detailRows++;
      const wrong: string[] = [];
      if (r.neededBy !== none(row.neededBy)) wrong.push(`date ${r.neededBy}≠${row.neededBy}`);
      if (row.urgency !== 'none' && r.urgency !== row.urgency)
        wrong.push(`urgency ${r.urgency}≠${row.urgency}`);
      if (row.impact !== 'none' && r.impact !== row.impact) wrong.push(`impact ${r.impact}≠${row.impact}`);
      if (wrong.length === 0) detailsOk++;
      why.push(...wrong);
      if (row.person !== 'none') {
        personRows++;
        if (r.person?.toLowerCase() === row.person.toLowerCase()) personOk++;
        else why.push(`person ${r.person}≠${row.person}`);
      }
    }
    if (row.neededBy === 'none' && r.neededBy !== null) invented++;
    if (row.route === 'request' && row.kind === 'software') softwareQuestions.push(r.questions);
    if (why.length > 0) misses.push(`#${row.id} ${row.text} — ${why.join(', ')}`);
  }
  const share = (a: number, b: number) => (b === 0 ? 1 : Math.round((a / b) * 1000) / 1000);
  return {
    messages: rows.length,
    routing: share(routeOk, rows.length),
    kindOnRequests: share(kindOk, requests),
    details: share(detailsOk, detailRows),
    person: share(personOk, personRows),
    inventedDates: invented,
    softwareQuestionsMax: Math.max(0, ...softwareQuestions),
    softwareQuestionsMean: share(
      softwareQuestions.reduce((a, b) => a + b, 0),
      softwareQuestions.length,
    ),
    misses,
  };
}
