// Deterministic news-like text for the benchmarks: wire-style sentences with the things
// that make segmentation and tagging realistic — titles (Sen., Dr.), initialisms (U.S.),
// dates (Jan. 6), decimals, money, quotations with attributions, hedges and loaded labels.

import { mulberry32 } from '../server/core/agreement/index.js';

/** A seeded PRNG (the agreement module's mulberry32), so every run benchmarks the same study. */
export const rng = mulberry32;

export type Random = () => number;

export function int(r: Random, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1));
}

export function pick<T>(r: Random, items: readonly T[]): T {
  const item = items[Math.floor(r() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

const FIRST = [
  'Maria', 'James', 'Aisha', 'Wei', 'Olena', 'Carlos', 'Fatima', 'John', 'Ingrid', 'Kwame', 'Sofia', 'Dmitri',
  'Priya', 'Thomas', 'Leila', 'Hiroshi', 'Amara', 'Peter', 'Elena', 'Samuel', 'Nadia', 'Luis', 'Grace', 'Omar',
];
const LAST = [
  'Lopez', 'Carter', 'Okafor', 'Zhang', 'Kovalenko', 'Mendes', 'Haddad', 'Miller', 'Larsen', 'Mensah', 'Rossi',
  'Petrov', 'Sharma', 'Becker', 'Nasser', 'Tanaka', 'Diallo', 'Schmidt', 'Ivanova', 'Adeyemi', 'Karimi', 'Ortega',
  'Walsh', 'Farouk',
];
const TITLES = ['Sen.', 'Rep.', 'Gov.', 'Dr.', 'Prof.', 'Gen.', 'Mr.', 'Ms.', 'President', 'Minister', 'Mayor', 'Judge'];
const ROLES = [
  'a senior analyst at the Brookings Institution',
  'the country’s former finance minister',
  'a spokeswoman for the U.S. State Department',
  'the head of the opposition bloc',
  'an economist at Globex Inc.',
  'a professor of political science at the University of Nairobi',
  'the union’s chief negotiator',
  'a retired U.N. envoy',
  'the mayor’s chief of staff',
  'a lawyer representing the families',
];
const ORGS = [
  'the U.S. Department of Energy', 'NATO', 'the European Commission', 'the Federal Reserve', 'Acme Corp.',
  'the World Health Organization', 'the Kremlin', 'the White House', 'the U.N. Security Council', 'Globex Inc.',
  'the city council', 'the central bank', 'the opposition party', 'the ruling coalition', 'the Interior Ministry',
  'the Supreme Court', 'the teachers’ union', 'the IMF', 'the electoral commission', 'Parliament',
];
const SOURCES = [
  'two people familiar with the matter', 'Reuters', 'a government statement', 'local media', 'officials',
  'a report seen by the newspaper', 'state television', 'court documents', 'the Associated Press',
];
const PLACES = [
  'Brussels', 'Washington', 'Kyiv', 'Beijing', 'Nairobi', 'São Paulo', 'Berlin', 'the Gulf region', 'Texas',
  'the northern province', 'Geneva', 'Lagos', 'Mumbai', 'the capital', 'Warsaw', 'Jakarta',
];
const TOPICS = [
  'the new tariffs', 'the ceasefire', 'the energy bill', 'the housing crisis', 'the vaccine rollout',
  'the pension reform', 'the border policy', 'migration', 'inflation', 'the trade deal', 'the climate targets',
  'the budget deficit', 'the election results', 'the security proposals', 'the minimum wage', 'the strike',
  'the mining concession', 'the sanctions package',
];
const OUTCOMES = [
  'be delayed until next year', 'cost taxpayers billions', 'ease tensions in the region', 'hurt small businesses',
  'bring prices down', 'force thousands from their homes', 'be challenged in court', 'pass with a narrow majority',
  'reshape the market for a decade', 'deepen the divide between the two parties',
];
const SPEECH = ['said', 'warned', 'argued', 'claimed', 'insisted', 'noted', 'told reporters', 'admitted', 'stressed'];
const HEDGES = ['reportedly', 'allegedly', 'apparently', 'presumably', 'by some accounts'];
const ADJECTIVES = [
  'controversial', 'sweeping', 'long-overdue', 'disastrous', 'landmark', 'hastily drafted', 'modest', 'radical',
  'unprecedented', 'so-called emergency',
];
const LABELS = ['a power grab', 'a bailout for the rich', 'reckless', 'a historic step', 'a cynical ploy', 'overdue'];
const REGIMES = ['the regime', 'the government', 'the junta', 'the administration', 'the authorities'];
const QUOTES = [
  'We will not back down', 'This is a dark day for democracy', 'The numbers speak for themselves',
  'Nobody wants another war', 'We were never consulted', 'This decision will save lives',
  'The people have spoken', 'It is a betrayal of working families', 'We are ready to talk, but not at any price',
  'There is no evidence for these claims',
];
const QUESTIONS = ['Who is going to pay for this', 'Why now', 'What happens to the families', 'Where is the money'];
const FIGURES = ['Unemployment', 'Consumer prices', 'Fuel prices', 'Exports', 'Rents', 'Support for the party'];
const MONTHS = ['Jan.', 'Feb.', 'March', 'April', 'Aug.', 'Sept.', 'Oct.', 'Nov.', 'Dec.'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function person(r: Random): string {
  const name = `${pick(r, FIRST)} ${pick(r, LAST)}`;
  return r() < 0.6 ? `${pick(r, TITLES)} ${name}` : name;
}

function when(r: Random): string {
  return pick(r, [
    `on ${pick(r, DAYS)}`,
    `on ${pick(r, MONTHS)} ${int(r, 1, 28)}`,
    'last week',
    'earlier this year',
    `in ${int(r, 2015, 2025)}`,
    `at ${int(r, 1, 11)} a.m. on ${pick(r, DAYS)}`,
  ]);
}

function money(r: Random): string {
  return pick(r, [`$${int(r, 1, 99)}.${int(r, 1, 9)} billion`, `€${int(r, 2, 900)} million`, `$${int(r, 1, 9)},${int(r, 100, 999)}`]);
}

function percent(r: Random): string {
  return pick(r, [`${int(r, 1, 19)}.${int(r, 0, 9)}%`, `${int(r, 2, 40)} percent`]);
}

const TEMPLATES: ((r: Random) => string)[] = [
  (r) => `${person(r)} said ${when(r)} that ${pick(r, TOPICS)} would ${pick(r, OUTCOMES)}.`,
  (r) => `“${pick(r, QUOTES)},” ${person(r)} ${pick(r, SPEECH)} in ${pick(r, PLACES)}.`,
  (r) => `${capital(pick(r, ORGS))} ${pick(r, HEDGES)} approved ${pick(r, TOPICS)} ${when(r)}, according to ${pick(r, SOURCES)}.`,
  (r) => `The ${pick(r, ADJECTIVES)} plan, which critics call ${pick(r, LABELS)}, would cost ${money(r)} over ${int(r, 2, 10)} years.`,
  (r) => `${pick(r, FIGURES)} rose ${percent(r)} in ${pick(r, MONTHS)}, ${pick(r, ORGS)} said ${when(r)}.`,
  (r) => `But ${person(r)}, ${pick(r, ROLES)}, warned that ${pick(r, TOPICS)} could ${pick(r, OUTCOMES)}.`,
  (r) => `“${pick(r, QUESTIONS)}?” asked ${person(r)}.`,
  (r) => `Officials in ${pick(r, PLACES)} did not respond to a request for comment.`,
  (r) => `${person(r)}, ${pick(r, ROLES)}, has long opposed ${pick(r, TOPICS)}.`,
  (r) => `Some ${int(r, 2, 90)},000 people protested in ${pick(r, PLACES)} ${when(r)}, police said.`,
  (r) => `Analysts at ${pick(r, ORGS)} expect ${pick(r, FIGURES).toLowerCase()} to reach ${percent(r)} by ${int(r, 2026, 2030)}.`,
  (r) => `In a statement, ${pick(r, ORGS)} described the decision as “${pick(r, LABELS)}” and demanded an inquiry.`,
  (r) => `It was not immediately clear whether ${pick(r, TOPICS)} would ${pick(r, OUTCOMES)}.`,
  (r) => `${person(r)} is due to meet ${person(r)} in ${pick(r, PLACES)} ${when(r)}.`,
  (r) => `The ${pick(r, ADJECTIVES)} measure passed ${int(r, 51, 80)}-${int(r, 20, 49)} after a heated debate.`,
  (r) => `Critics say ${pick(r, REGIMES)} has ${pick(r, ['crushed', 'stifled', 'tolerated', 'ignored'])} dissent for years.`,
  (r) => `Under the proposal, ${pick(r, TOPICS)} would be reviewed by ${pick(r, ORGS)} every ${int(r, 2, 5)} years.`,
  (r) => `The U.S. economy grew at an annual rate of ${int(r, 1, 4)}.${int(r, 0, 9)}% in the third quarter, the Commerce Department said.`,
  (r) => `Neither side has released details of the talks on ${pick(r, TOPICS)}.`,
  (r) => `${capital(pick(r, REGIMES))} ${pick(r, HEDGES)} deployed troops near ${pick(r, PLACES)}, a claim ${pick(r, ORGS)} denied.`,
  (r) => `The deal, worth ${money(r)}, was signed ${when(r)} in ${pick(r, PLACES)}.`,
];

export interface NewsArticle {
  title: string;
  source: string;
  url: string;
  publishedAt: string;
  text: string;
}

/** A quotation of two sentences with its attribution: two sentences for the segmenter. */
function twoSentenceQuote(r: Random): string {
  return `“${pick(r, QUOTES)}. ${pick(r, QUOTES)},” ${person(r)} ${pick(r, SPEECH)}.`;
}

/** One news-like sentence. */
export function sentence(r: Random): string {
  return pick(r, TEMPLATES)(r);
}

/** `count` sentences in paragraphs of 1–4 sentences (a blank line between paragraphs). */
export function articleText(r: Random, count: number): string {
  const paragraphs: string[] = [];
  let left = count;
  while (left > 0) {
    const n = Math.min(left, int(r, 1, 4));
    if (n >= 2 && r() < 0.15) {
      paragraphs.push([twoSentenceQuote(r), ...Array.from({ length: n - 2 }, () => sentence(r))].join(' '));
    } else {
      paragraphs.push(Array.from({ length: n }, () => sentence(r)).join(' '));
    }
    left -= n;
  }
  return paragraphs.join('\n\n');
}

export function article(r: Random, sentences: number, n: number): NewsArticle {
  const topic = pick(r, TOPICS);
  return {
    title: `${capital(pick(r, ORGS))} ${pick(r, ['backs', 'rejects', 'delays', 'defends', 'revisits'])} ${topic} amid ${pick(r, ['protests', 'criticism', 'talks', 'pressure'])}`,
    source: pick(r, ['Wire Service', 'The Daily Ledger', 'Sputnik', 'Global Times', 'The Herald', 'Metro News']),
    url: `https://news.example/${n}/${topic.replace(/\W+/g, '-')}`,
    publishedAt: `2025-${String(int(r, 1, 12)).padStart(2, '0')}-${String(int(r, 1, 28)).padStart(2, '0')}`,
    text: articleText(r, sentences),
  };
}
