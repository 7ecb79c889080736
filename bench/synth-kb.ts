// A deterministic synthetic knowledge base for load figures: thousands of plausible IT articles and questions
// about them, generated from a seed so every run measures the same input.
import type { Article } from '../src/kb/article.ts';

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const things =
  `laptop printer scanner monitor dock headset webcam keyboard mouse phone tablet router badge vpn wifi
  mailbox calendar folder drive share account password token licence certificate browser plugin driver update
  backup archive ticket portal dashboard report database server cluster printer-queue tray toner cartridge
  charger cable adapter battery screen speaker microphone camera projector display notebook desktop workstation`
    .split(/\s+/)
    .filter(Boolean);
const actions =
  `install set-up configure reset unlock restore request renew connect sync share move migrate remove
  enable disable update export import recover replace order book join add`
    .split(/\s+/)
    .filter(Boolean);
const symptoms =
  `slow frozen offline missing locked expired blocked crashing disconnected flickering silent blank
  jammed full corrupted duplicated outdated unreachable denied stuck noisy overheating`
    .split(/\s+/)
    .filter(Boolean);
const filler =
  `the a your our this that it you we they when then after before if so and or but with from into on
  in at by for of to as is are be can will should may usually often first next finally also only please check
  make sure open select click choose press wait try again still works working help team office home
  colleague manager service desk page settings menu button window option name number email address device`
    .split(/\s+/)
    .filter(Boolean);
const syllables = 'ka lo mi ne su ra to vi ze pa qu ob el an ix or um de fa go hu ja'.split(' ');

/** Generated articles and questions, each question labelled with the article it is about. */
export interface SynthKb {
  articles: Article[];
  queries: { q: string; expect: string }[];
}

/** Generates `count` articles and `queryCount` questions from `seed`. */
export function synthesiseKb(count = 5000, queryCount = 2000, seed = 42): SynthKb {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  // Zipf-like: early items are picked far more often, as in real text.
  const zipf = <T>(list: readonly T[]): T => list[Math.floor(list.length * rnd() ** 2.5)]!;
  const word = () => Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => pick(syllables)).join('');
  const products = Array.from({ length: Math.max(50, Math.floor(count / 4)) }, word);
  const sentence = (topic: string[]) => {
    const n = 8 + Math.floor(rnd() * 10);
    const words = Array.from({ length: n }, () =>
      rnd() < 0.25 ? pick(topic) : rnd() < 0.5 ? zipf(things) : zipf(filler),
    );
    return `${words.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
  };
  const articles: Article[] = [];
  const topics: string[][] = [];
  for (let i = 0; i < count; i++) {
    const product = pick(products);
    const thing = pick(things);
    const action = pick(actions).replace('-', ' ');
    const symptom = pick(symptoms);
    const topic = [product, thing, action, symptom];
    topics.push(topic);
    const title = `${action.replace(/^./, (c) => c.toUpperCase())} your ${product} ${thing}`;
    const sections = ['Steps', 'If that did not work', 'Good to know'].map((heading) => ({
      heading,
      text: Array.from({ length: 3 + Math.floor(rnd() * 4) }, (_, k) =>
        heading === 'Steps' ? `${k + 1}. ${sentence(topic)}` : sentence(topic),
      ).join('\n'),
    }));
    const intro = `${sentence(topic)} ${sentence(topic)}`;
    const id = `synth-${i}-${product}-${thing}`.replace(/[^a-z0-9-]/g, '-');
    articles.push({
      id,
      title,
      tags: [thing, product, symptom],
      questions: [
        `how do I ${action} my ${product} ${thing}`,
        `${product} ${thing} is ${symptom}`,
        `${thing} ${symptom} again`,
      ],
      owner: 'Service Desk',
      updated: '2026-01-01',
      intro,
      sections,
      body: [intro, ...sections.map((s) => `## ${s.heading}\n${s.text}`)].join('\n\n'),
      file: `${id}.md`,
    });
  }
  const typo = (w: string) => {
    if (w.length < 6 || rnd() < 0.7) return w;
    const i = 1 + Math.floor(rnd() * (w.length - 3));
    return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
  };
  const queries = Array.from({ length: queryCount }, () => {
    const i = Math.floor(rnd() * count);
    const [product, thing, action, symptom] = topics[i]!;
    const shapes = [
      `how can I ${action} the ${product} ${thing}?`,
      `my ${typo(product!)} ${thing} keeps being ${symptom}`,
      `${thing} on ${product} ${symptom} since this morning, what do I do`,
      `need to ${action} ${product}`,
    ];
    return { q: pick(shapes), expect: articles[i]!.id };
  });
  return { articles, queries };
}
