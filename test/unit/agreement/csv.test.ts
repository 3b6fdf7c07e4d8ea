import { describe, expect, it } from 'vitest';

import { CsvError, parseCsvRecords, parseReliabilityCsv } from '../../../server/core/agreement/index.js';
import { K2011, K2011_CSV } from './fixtures.js';

describe('parseReliabilityCsv', () => {
  it('reads the K2011 example: header of coders, empty cells missing', () => {
    expect(parseReliabilityCsv(K2011_CSV, 'interval')).toEqual(K2011);
    const nominal = parseReliabilityCsv(K2011_CSV);
    expect(nominal.units[0]).toEqual(['1', '1', null, '1']);
  });

  it('handles RFC 4180 quoting, CRLF, a BOM and a missing final newline', () => {
    const text = '\uFEFFAnn,"Bob, Jr.",Cy\r\n"loaded, emotive","say ""no""",\r\n"multi\nline",x,"y"';
    const data = parseReliabilityCsv(text);
    expect(data.coders).toEqual(['Ann', 'Bob, Jr.', 'Cy']);
    expect(data.units).toEqual([
      ['loaded, emotive', 'say "no"', null],
      ['multi\nline', 'x', 'y'],
    ]);
  });

  it('trims unquoted fields and skips blank lines', () => {
    const data = parseReliabilityCsv('a , b\n\n 1 ,  \n\n2,3\n', 'ordinal');
    expect(data).toEqual({ coders: ['a', 'b'], units: [[1, null], [2, 3]] });
  });

  it('keeps nominal values as strings', () => {
    expect(parseReliabilityCsv('a,b\n1,1.0\n').units).toEqual([['1', '1.0']]);
  });

  it('rejects bad input with clear messages', () => {
    expect(() => parseReliabilityCsv('')).toThrow(/no header row/);
    expect(() => parseReliabilityCsv('a,b\n')).toThrow(/no units/);
    expect(() => parseReliabilityCsv('a,b\n1,2\n3\n')).toThrow(/line 3: 1 fields, expected 2/);
    expect(() => parseReliabilityCsv('a,b\n1,2,3\n')).toThrow(CsvError);
    expect(() => parseReliabilityCsv('a,a\n1,2\n')).toThrow(/duplicate coder/);
    expect(() => parseReliabilityCsv('a,\n1,2\n')).toThrow(/empty/);
    expect(() => parseReliabilityCsv('a,b\n"1,2\n')).toThrow(/not closed/);
    expect(() => parseReliabilityCsv('a,b\n1"x,2\n')).toThrow(/quote/);
    expect(() => parseReliabilityCsv('a,b\n1,two\n', 'interval')).toThrow(/line 2, coder "b": "two" is not a number/);
  });

  it('parses records with line numbers', () => {
    const records = parseCsvRecords('x\n"a\nb"\nc');
    expect(records.map((r) => r.line)).toEqual([1, 2, 4]);
  });
});
