// Reading brat standoff (https://brat.nlplab.org/standoff.html): a `.txt` and an `.ann` per
// document, text-bound annotations `T1<TAB>Type start end<TAB>text` with offsets in code points of
// the `.txt`. The attributes and notes Framelens writes (Voice, Intensity, AnnotatorNotes) are read
// back; a discontinuous annotation (`start end;start end`) becomes one span per fragment;
// relations, events and other lines are counted and left out.
import type { Intensity, Voice } from '../model.js';
import { VOICES } from '../model.js';
import { rawText, wholeNumber, type SourceRead, type SourceSpan } from './source.js';

export interface NamedText {
  name: string;
  text: string;
}

const MAX_NOTE = 2000;

/** brat writes an annotation's text on one line: compare texts the same way. */
const oneLine = (text: string) => text.replace(/[\t\r\n]+/g, ' ');

function isVoice(value: string): value is Voice {
  return VOICES.some((v) => v === value);
}

function readAnn(name: string, raw: string, ann: string, problems: string[], ignored: string[]): SourceSpan[] {
  const text = rawText(raw);
  const chars = Array.from(raw);
  const spans = new Map<string, SourceSpan[]>();
  const order: string[] = [];
  const later: { where: string; fields: string[] }[] = [];
  ann.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${name} line ${i + 1}`;
    const fields = line.split('\t');
    const id = fields[0] ?? '';
    if (id.startsWith('T')) {
      const [type, ...offsets] = (fields[1] ?? '').split(' ');
      const fragments = offsets.join(' ').split(';').map((f) => f.trim().split(/\s+/).map(wholeNumber));
      if (!type || fields.length < 3 || fragments.some((f) => f.length !== 2 || f.some((n) => n === null))) {
        problems.push(`${where}: not a text-bound annotation "T1<TAB>type start end<TAB>text"`);
        return;
      }
      const ranges = fragments.map(([s, e]) => ({ start: s ?? 0, end: e ?? 0 }));
      const bad = ranges.find((r) => !(r.start < r.end) || r.end > text.codePoints);
      if (bad) {
        problems.push(`${where}: ${id} covers ${bad.start}–${bad.end}, outside the ${text.codePoints} characters of the .txt (or empty)`);
        return;
      }
      const found = ranges.map((r) => chars.slice(r.start, r.end).join('')).join(' ');
      const given = fields.slice(2).join('\t');
      if (oneLine(found) !== oneLine(given)) {
        problems.push(`${where}: ${id} says "${given}" but the .txt has "${found}" there (offsets count code points)`);
        return;
      }
      order.push(id);
      spans.set(
        id,
        ranges.map((r) => ({
          where: `${name} ${id}`,
          label: type,
          start: text.fromCodePoint(r.start),
          end: text.fromCodePoint(r.end),
          voice: 'author',
          intensity: null,
          note: '',
          annotator: null,
        })),
      );
      return;
    }
    if (id.startsWith('A') || id.startsWith('M') || id.startsWith('#')) {
      later.push({ where, fields });
      return;
    }
    ignored.push(`${where}: ${id.startsWith('R') ? 'relation' : id.startsWith('E') ? 'event' : id.startsWith('N') ? 'normalization' : id.startsWith('*') ? 'equivalence' : 'line'} ${id}`);
  });
  // Attributes and notes, once every text-bound annotation is known.
  for (const { where, fields } of later) {
    const id = fields[0] ?? '';
    const [kind, target, value] = (fields[1] ?? '').split(' ');
    const own = spans.get(target ?? '');
    if (id.startsWith('#') && kind === 'AnnotatorNotes' && own) {
      const note = fields.slice(2).join(' ');
      if (note.length > MAX_NOTE) problems.push(`${where}: the note on ${target} is longer than ${MAX_NOTE} characters`);
      for (const s of own) s.note = note;
    } else if (kind === 'Voice' && own && value !== undefined && isVoice(value)) {
      for (const s of own) s.voice = value;
    } else if (kind === 'Intensity' && own && (value === '1' || value === '2' || value === '3')) {
      const intensity: Intensity = value === '1' ? 1 : value === '2' ? 2 : 3;
      for (const s of own) s.intensity = intensity;
    } else {
      ignored.push(`${where}: ${id.startsWith('#') ? 'note' : 'attribute'} ${id}${kind ? ` (${kind})` : ''}`);
    }
  }
  return order.flatMap((id) => spans.get(id) ?? []);
}

/** brat documents: each `.ann` with the `.txt` of the same path. A `.txt` without `.ann` is not a document (README.txt). */
export function readBrat(files: readonly NamedText[]): SourceRead {
  const problems: string[] = [];
  const ignored: string[] = [];
  const byBase = new Map<string, { txt?: NamedText; ann?: NamedText }>();
  for (const f of files) {
    const match = /^(.*)\.(txt|ann)$/i.exec(f.name);
    if (!match?.[1] || !match[2]) {
      if (!/(^|\/)annotation\.conf$|(^|\/)(visual|tools|kb_shortcuts)\.conf$/i.test(f.name)) ignored.push(`${f.name}: not a .txt or .ann file`);
      continue;
    }
    const entry = byBase.get(match[1]) ?? {};
    if (match[2].toLowerCase() === 'txt') entry.txt = f;
    else entry.ann = f;
    byBase.set(match[1], entry);
  }
  const documents: SourceRead['documents'] = [];
  for (const [base, { txt, ann }] of byBase) {
    if (!ann) {
      if (txt) ignored.push(`${txt.name}: a .txt without an .ann beside it`);
      continue;
    }
    if (!txt) {
      problems.push(`${ann.name}: there is no ${base}.txt beside it`);
      continue;
    }
    const spans = readAnn(ann.name, txt.text, ann.text, problems, ignored);
    documents.push({ kind: 'text', name: txt.name, text: rawText(txt.text).text, spans });
  }
  if (documents.length === 0 && problems.length === 0) problems.push('No brat document: upload each .txt with the .ann of the same name (or a .zip of them).');
  return { documents, problems, ignored };
}
