// Chooses the answer / clarify / abstain thresholds by a grid search on calibration data the method was not tuned
// on, and prints the reliability table and the sweep that docs/answering.md §3 shows. `node bench/kb-calibrate.ts`
// (add `--json` for the raw figures). The held-out set is never read here: thresholds are not chosen on it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFolderIndex } from '../adapters/cli/kb-source.ts';
import { loadKb } from '../src/kb/load-kb.ts';
import {
  buildIndex,
  defaultMinConfidence,
  defaultOffer,
  defaultTuning,
  type KbIndex,
  maxOffered,
  type OutcomeThresholds,
  outcomeOf,
} from '../src/kb/search-index.ts';
import { type Labelled, readLabelled } from './kb-bench.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const evalDir = path.resolve(repoRoot, '..', 'shared', 'kb-eval');

/** The rule the thresholds must keep on the calibration data (see docs/answering.md §3). */
export const calibrationRule = {
  /** Share of direct answers (in scope or not) that are the right article. */
  minPrecision: 0.92,
  /** Share of out-of-scope questions answered directly. */
  maxNegativesAnswered: 0.05,
  /**
   * Differences smaller than this share of the in-scope questions are noise: points that close to the best count
   * as equally good, and the next criterion decides between them.
   */
  slack: 0.01,
};

/** What one search said about a labelled question, enough to replay any thresholds without searching again. */
export interface Observation {
  set: string;
  expect: string | null;
  /** The ranked hits (up to `maxOffered`), best first, with their confidences. */
  hits: { id: string; confidence: number }[];
  margin: number;
}

/** The thresholds of the three outcomes. */
export type Thresholds = OutcomeThresholds;

/** The outcome the thresholds give an observation: the article answered directly (or null) and the choices. */
export function decide(o: Observation, t: Thresholds): { answered: string | null; offered: string[] } {
  const { answered, offered } = outcomeOf(o.hits, o.margin, t);
  return { answered: answered ? o.hits[0]!.id : null, offered: offered.map((h) => h.id) };
}

/** Counts of the measures over a list of observations. */
export interface Figures {
  inScope: number;
  outOfScope: number;
  direct: number;
  resolved: number;
  wrongDirect: number;
  negativesAnswered: number;
  negativesOffered: number;
}

/** Scores the thresholds on the observations. */
export function figures(obs: readonly Observation[], t: Thresholds): Figures {
  const f: Figures = {
    inScope: 0,
    outOfScope: 0,
    direct: 0,
    resolved: 0,
    wrongDirect: 0,
    negativesAnswered: 0,
    negativesOffered: 0,
  };
  for (const o of obs) {
    const v = decide(o, t);
    if (o.expect === null) {
      f.outOfScope++;
      if (v.answered !== null) f.negativesAnswered++;
      else if (v.offered.length > 0) f.negativesOffered++;
      continue;
    }
    f.inScope++;
    if (v.answered === o.expect) f.direct++;
    else if (v.answered !== null) f.wrongDirect++;
    if (v.answered === o.expect || v.offered.includes(o.expect)) f.resolved++;
  }
  return f;
}

/** Share of direct answers that were right: a direct answer to an out-of-scope question is a wrong one. */
export function precision(f: Figures): number {
  const answered = f.direct + f.wrongDirect + f.negativesAnswered;
  return answered === 0 ? 1 : f.direct / answered;
}

/** Whether the figures keep the calibration rule (precision of direct answers, out of scope answered). */
export function keepsRule(f: Figures): boolean {
  return (
    precision(f) >= calibrationRule.minPrecision &&
    f.negativesAnswered <= calibrationRule.maxNegativesAnswered * f.outOfScope
  );
}

/** The grid: the answer threshold in steps of 0.025, the clarify ones in steps of 0.05, a close-call margin of none to 15%, waived at 0.8, 0.85, 0.9 or never. */
export const grid = {
  answer: steps(0.4, 0.9, 0.025),
  margin: [0, 0.05, 0.1, 0.15],
  sure: [0.8, 0.85, 0.9, 1.01],
  offerMin: steps(0.2, 0.5, 0.05),
  offerOthers: steps(0.1, 0.35, 0.05),
};

function steps(from: number, to: number, by: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to + 1e-9; v += by) out.push(Math.round(v * 1000) / 1000);
  return out;
}

/** The point of each dimension next to `value` in `values` (one step either side). */
function around(values: readonly number[], value: number): number[] {
  const i = values.indexOf(value);
  return [values[i - 1], values[i + 1]].filter((v): v is number => v !== undefined);
}

/** A point's neighbours: one grid step in one dimension. */
function neighbours(t: Thresholds): Thresholds[] {
  const out: Thresholds[] = [];
  for (const key of Object.keys(grid) as (keyof Thresholds)[]) {
    for (const v of around(grid[key], t[key])) out.push({ ...t, [key]: v });
  }
  return out;
}

/**
 * The grid search. Step 1 picks the answer threshold and the close-call rule among the points that keep the rule
 * and whose neighbours (one grid step in any one of the three) keep it too, so the choice is not a knife edge:
 * the most direct right answers, then, among points within `slack` of that, the most resolved, the most precise,
 * and the highest answer threshold. Step 2, with those fixed, picks the clarify thresholds: the most resolved,
 * then, within `slack` of that, the fewest out-of-scope questions offered choices, then the values in use now.
 */
export function chooseThresholds(obs: readonly Observation[]): { chosen: Thresholds; figures: Figures } {
  const current = { offerMin: defaultOffer.min, offerOthers: defaultOffer.others };
  const inScope = obs.filter((o) => o.expect !== null).length;
  const slack = Math.floor(calibrationRule.slack * inScope);
  const steady = (t: Thresholds) =>
    keepsRule(figures(obs, t)) &&
    neighbours(t)
      .filter((n) => n.offerMin === t.offerMin && n.offerOthers === t.offerOthers)
      .every((n) => keepsRule(figures(obs, n)));
  const points: { t: Thresholds; f: Figures }[] = [];
  for (const answer of grid.answer)
    for (const margin of grid.margin)
      for (const sure of grid.sure) {
        const t = { answer, margin, sure, ...current };
        if (steady(t)) points.push({ t, f: figures(obs, t) });
      }
  if (points.length === 0)
    throw new Error('no point of the grid keeps the calibration rule with its neighbours');
  const bestDirect = Math.max(...points.map((p) => p.f.direct));
  const near = points.filter((p) => p.f.direct >= bestDirect - slack);
  near.sort(
    (a, b) =>
      b.f.resolved - a.f.resolved ||
      precision(b.f) - precision(a.f) ||
      b.f.direct - a.f.direct ||
      b.t.answer - a.t.answer,
  );
  const step1 = near[0]!.t;
  const offers: { t: Thresholds; f: Figures }[] = [];
  for (const offerMin of grid.offerMin)
    for (const offerOthers of grid.offerOthers) {
      if (offerOthers > offerMin) continue;
      const t = { ...step1, offerMin, offerOthers };
      offers.push({ t, f: figures(obs, t) });
    }
  const bestResolved = Math.max(...offers.map((p) => p.f.resolved));
  const nearOffers = offers.filter((p) => p.f.resolved >= bestResolved - slack);
  nearOffers.sort(
    (a, b) =>
      a.f.negativesOffered - b.f.negativesOffered ||
      b.f.resolved - a.f.resolved ||
      // Between equals, the values in use now: no change without evidence for it.
      Math.abs(a.t.offerMin - current.offerMin) +
        Math.abs(a.t.offerOthers - current.offerOthers) -
        Math.abs(b.t.offerMin - current.offerMin) -
        Math.abs(b.t.offerOthers - current.offerOthers),
  );
  const chosen = nearOffers[0]!;
  return { chosen: chosen.t, figures: chosen.f };
}

/** Searches every question once and keeps what the thresholds need. */
export function observe(index: KbIndex, set: string, questions: readonly Labelled[]): Observation[] {
  return questions.map((q) => {
    const outcome = index.search(q.q, { limit: maxOffered });
    return {
      set,
      expect: q.expect,
      hits: outcome.hits.map((h) => ({ id: h.article.id, confidence: h.confidence })),
      margin: outcome.signals?.margin ?? 1,
    };
  });
}

/** The data sets: calibration (never tuned on) and, for comparison only, the data the method was tuned on. */
async function observations(): Promise<{ calibration: Observation[]; tuning: Observation[] }> {
  const dev = path.join(evalDir, 'questions-dev.jsonl');
  if (!existsSync(dev)) throw new Error('no evaluation set at ../shared/kb-eval beside the repository');
  const { index: evalIndex } = await loadFolderIndex(path.join(evalDir, 'articles'));
  const product = await loadKb(path.join(repoRoot, 'kb'));
  const productIndex = buildIndex(product.articles, product.synonyms);
  const devQuestions = await readLabelled(dev);
  // The same fixed halves as kb-bench.ts: lines 1, 3, 5, ... tuned the method; lines 2, 4, 6, ... did not.
  const tuningHalf = devQuestions.filter((_, i) => i % 2 === 0);
  const otherHalf = devQuestions.filter((_, i) => i % 2 === 1);
  const fixtures = path.join(repoRoot, 'test', 'fixtures');
  return {
    calibration: [
      ...observe(
        evalIndex,
        'calibration set',
        await readLabelled(path.join(fixtures, 'kb-eval-calibration.jsonl')),
      ),
      ...observe(evalIndex, 'dev, other half', otherHalf),
      ...observe(
        productIndex,
        'product questions',
        await readLabelled(path.join(repoRoot, 'test', 'kb', 'fixtures', 'product-questions.jsonl')),
      ),
    ],
    tuning: [
      ...observe(evalIndex, 'dev, tuning half', tuningHalf),
      ...observe(
        evalIndex,
        'own tuning set',
        await readLabelled(path.join(fixtures, 'kb-eval-tuning.jsonl')),
      ),
    ],
  };
}

/** Reliability of the top article's confidence, by band, before any threshold. */
export function reliability(obs: readonly Observation[]): string[][] {
  const bands = [0, 0.2, 0.35, 0.5, 0.65, 0.75, 0.85, 0.95, 1.01];
  const rows: string[][] = [];
  for (let i = 0; i + 1 < bands.length; i++) {
    const [lo, hi] = [bands[i]!, bands[i + 1]!];
    const inBand = obs.filter((o) => {
      const c = o.hits[0]?.confidence ?? 0;
      return c >= lo && c < hi;
    });
    const inScope = inBand.filter((o) => o.expect !== null);
    const top = inScope.filter((o) => o.hits[0]?.id === o.expect).length;
    const top3 = inScope.filter((o) => o.hits.some((h) => h.id === o.expect)).length;
    const pct = (n: number) => (inScope.length === 0 ? '–' : `${Math.round((100 * n) / inScope.length)}%`);
    const label = hi > 1 ? `${lo.toFixed(2)} and above` : lo === 0 ? `below ${hi.toFixed(2)}` : `${lo}–${hi}`;
    rows.push([label, String(inScope.length), pct(top), pct(top3), String(inBand.length - inScope.length)]);
  }
  return rows;
}

/** One line of figures: direct / resolved / wrong direct (of in scope); precision; out of scope answered / offered. */
export function line(f: Figures): string {
  const p = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`);
  return (
    `${p(f.direct, f.inScope)} / ${p(f.resolved, f.inScope)} / ${p(f.wrongDirect, f.inScope)}; ` +
    `precision ${(100 * precision(f)).toFixed(1)}%; out of scope ${p(f.negativesAnswered, f.outOfScope)} ` +
    `answered, ${p(f.negativesOffered, f.outOfScope)} offered`
  );
}

function table(header: string[], rows: string[][]): string {
  const all = [header, header.map(() => '---'), ...rows];
  return all.map((r) => `| ${r.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  const { calibration, tuning } = await observations();
  const current: Thresholds = {
    answer: defaultMinConfidence,
    margin: defaultTuning.ambiguity.margin,
    sure: defaultTuning.ambiguity.sure,
    offerMin: defaultOffer.min,
    offerOthers: defaultOffer.others,
  };
  const { chosen, figures: best } = chooseThresholds(calibration);
  const onTuning = chooseThresholds(tuning);
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ current, chosen, figures: best, onTuning }, null, 2)}\n`);
    return;
  }
  const sets = [...new Set(calibration.map((o) => o.set))];
  const out: string[] = [];
  out.push(`Calibration data: ${sets.join(' + ')}; ${calibration.length} questions.`);
  out.push(
    `Rule: precision of direct answers >= ${calibrationRule.minPrecision * 100}%, out of scope answered ` +
      `<= ${calibrationRule.maxNegativesAnswered * 100}%, for the chosen point and its neighbours.`,
  );
  out.push('', '## Reliability of the top confidence (calibration data)', '');
  const head = ['top confidence', 'in scope', 'top article right', 'right one in top 3', 'out of scope'];
  out.push(table(head, reliability(calibration)));
  out.push('', '## Reliability of the top confidence (tuning data, for comparison)', '');
  out.push(table(head, reliability(tuning)));
  out.push('', '## Thresholds (direct / resolved / wrong direct of in scope)', '');
  const show = (name: string, t: Thresholds) => {
    out.push(
      `${name}: answer ${t.answer}, lead ${t.margin} unless ${t.sure > 1 ? 'never' : t.sure}, ` +
        `clarify ${t.offerMin} / others ${t.offerOthers}`,
    );
    out.push(`  calibration, all: ${line(figures(calibration, t))}`);
    for (const set of sets)
      out.push(
        `  ${set}: ${line(
          figures(
            calibration.filter((o) => o.set === set),
            t,
          ),
        )}`,
      );
    out.push(`  tuning data: ${line(figures(tuning, t))}`);
  };
  show('in the product now', current);
  show('chosen', chosen);
  show('the same search on the tuning data would choose', onTuning.chosen);
  out.push('', '## Neighbours of the chosen point (one grid step)', '');
  for (const n of neighbours(chosen)) {
    const changed = (Object.keys(n) as (keyof Thresholds)[]).find((k) => n[k] !== chosen[k])!;
    const f = figures(calibration, n);
    out.push(
      `${changed} ${chosen[changed]} → ${n[changed]}: ${line(f)}${keepsRule(f) ? '' : '  (breaks the rule)'}`,
    );
  }
  out.push('', '## Sweep of the answer threshold (other thresholds as chosen)', '');
  const rows = grid.answer.map((answer) => {
    const t = { ...chosen, answer };
    return [String(answer), line(figures(calibration, t)), line(figures(tuning, t))];
  });
  out.push(table(['answer at', 'calibration data', 'tuning data'], rows));
  out.push('', '## Sweep of the clarify threshold (other thresholds as chosen)', '');
  const offerRows = grid.offerMin.map((offerMin) => {
    const t = { ...chosen, offerMin, offerOthers: Math.min(offerMin, chosen.offerOthers) };
    return [String(offerMin), line(figures(calibration, t)), line(figures(tuning, t))];
  });
  out.push(table(['clarify at', 'calibration data', 'tuning data'], offerRows));
  out.push('', '## Close-call rule at the chosen answer threshold (calibration data)', '');
  const ruleRows: string[][] = [];
  for (const margin of grid.margin)
    for (const sure of grid.sure) {
      const f = figures(calibration, { ...chosen, margin, sure });
      ruleRows.push([
        String(margin),
        sure > 1 ? 'never' : String(sure),
        line(f),
        keepsRule(f) ? 'yes' : 'no',
      ]);
    }
  out.push(table(['lead', 'waived at', 'figures', 'keeps the rule'], ruleRows));
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
