// One rule for every CSV Framelens writes: text that a spreadsheet would run as a formula
// (a leading = + - @, tab or carriage return) gets a leading apostrophe (OWASP "CSV injection").
export function csvSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The `cast` option for csv-stringify. */
export const csvCast = { string: csvSafe };
