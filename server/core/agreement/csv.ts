// Reliability data as CSV: a header row of coder names, then one row per
// unit, one column per coder; an empty cell is a missing value.
//
// Parsing follows RFC 4180: fields separated by commas, records by CRLF or LF
// (a lone CR too), fields may be quoted with `"`, and a quoted field may hold
// commas, line breaks and doubled quotes (`""`). Beyond the RFC: a leading
// UTF-8 BOM is ignored, unquoted fields are trimmed of surrounding spaces and
// tabs, blank lines are skipped, and the final line break is optional.
// No CSV parser is installed in this project, hence this small one.

import type { Cell, Level, ReliabilityData } from './reliability.js';

/** Thrown for malformed CSV or values that do not fit the level. */
export class CsvError extends Error {
  override name = 'CsvError';
}

interface Field {
  text: string;
  quoted: boolean;
}

/** Splits CSV text into records of fields (RFC 4180). Line numbers are 1-based. */
export function parseCsvRecords(text: string): { fields: Field[]; line: number }[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: { fields: Field[]; line: number }[] = [];
  let fields: Field[] = [];
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = text.length;
  let atRecordStart = true;

  const endRecord = (): void => {
    // A blank line is a record with one empty, unquoted field: skip it.
    const blank = fields.length === 1 && !fields[0]!.quoted && fields[0]!.text.trim() === '';
    if (!blank) records.push({ fields, line: recordLine });
    fields = [];
    atRecordStart = true;
  };

  while (i < n || !atRecordStart) {
    if (atRecordStart) {
      recordLine = line;
      atRecordStart = false;
    }
    // One field.
    let field: Field;
    // Allow spaces before an opening quote.
    let j = i;
    while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
    if (j < n && text[j] === '"') {
      const startLine = line;
      let value = '';
      j++;
      for (;;) {
        if (j >= n) throw new CsvError(`line ${startLine}: a quoted field is not closed`);
        const ch = text[j]!;
        if (ch === '"') {
          if (text[j + 1] === '"') {
            value += '"';
            j += 2;
            continue;
          }
          j++;
          break;
        }
        if (ch === '\n' || (ch === '\r' && text[j + 1] !== '\n')) line++;
        value += ch;
        j++;
      }
      while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
      if (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') {
        throw new CsvError(`line ${line}: unexpected character after a closing quote`);
      }
      field = { text: value, quoted: true };
      i = j;
    } else {
      let k = i;
      while (k < n && text[k] !== ',' && text[k] !== '\n' && text[k] !== '\r') {
        if (text[k] === '"') throw new CsvError(`line ${line}: a quote inside an unquoted field (quote the whole field and double the quote)`);
        k++;
      }
      field = { text: text.slice(i, k).trim(), quoted: false };
      i = k;
    }
    fields.push(field);
    if (i >= n) {
      endRecord();
      break;
    }
    const sep = text[i]!;
    if (sep === ',') {
      i++;
      continue;
    }
    // Line break: CRLF, LF or CR.
    i += sep === '\r' && text[i + 1] === '\n' ? 2 : 1;
    line++;
    endRecord();
  }
  return records;
}

export interface ParsedReliabilityCsv extends ReliabilityData {
  readonly coders: string[];
  readonly units: Cell[][];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses reliability data CSV. At the nominal level values stay strings
 * (so "1" and "1.0" are different categories); at the ordinal, interval and
 * ratio levels every value must be a decimal number. Throws {@link CsvError}
 * with a message naming the line for ragged rows, a missing header, no
 * units, duplicate or empty coder names, and non-numeric values.
 */
export function parseReliabilityCsv(text: string, level: Level = 'nominal'): ParsedReliabilityCsv {
  const records = parseCsvRecords(text);
  const header = records[0];
  if (!header) throw new CsvError('no header row: the first line must name the coders');
  const coders = header.fields.map((f) => f.text);
  const seen = new Set<string>();
  coders.forEach((name, c) => {
    if (name === '') throw new CsvError(`line ${header.line}: coder name in column ${c + 1} is empty`);
    if (seen.has(name)) throw new CsvError(`line ${header.line}: duplicate coder name ${JSON.stringify(name)}`);
    seen.add(name);
  });
  if (records.length < 2) throw new CsvError('no units: the file has a header row but no data rows');
  const numeric = level !== 'nominal';
  const units: Cell[][] = [];
  for (let r = 1; r < records.length; r++) {
    const { fields, line } = records[r]!;
    if (fields.length !== coders.length) {
      throw new CsvError(`line ${line}: ${fields.length} fields, expected ${coders.length} (one per coder in the header)`);
    }
    units.push(
      fields.map((f, c) => {
        if (f.text === '' || (f.quoted && f.text.trim() === '')) return null;
        if (!numeric) return f.text;
        const t = f.text.trim();
        if (!NUMBER.test(t)) {
          throw new CsvError(
            `line ${line}, coder ${JSON.stringify(coders[c])}: ${JSON.stringify(f.text)} is not a number (the ${level} level needs numbers)`,
          );
        }
        return Number(t);
      }),
    );
  }
  return { coders, units };
}
