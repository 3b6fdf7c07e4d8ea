// Join codes for classroom activities: six characters a teacher can read aloud and
// students can type on a phone. No 0/O or 1/I, so nothing on the projector is ambiguous.
// Pure: the random bytes come from the caller (crypto in production, fixed bytes in tests).

/** 32 characters: A–Z without I and O, and 2–9. */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;
const CODE = /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/;

/**
 * A join code from `CODE_LENGTH` random bytes. The alphabet has 32 characters and
 * 256 is a multiple of 32, so `byte % 32` picks every character with equal chance.
 */
export function makeJoinCode(bytes: Uint8Array): string {
  if (bytes.length < CODE_LENGTH) throw new Error(`makeJoinCode needs ${CODE_LENGTH} random bytes`);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[(bytes[i] ?? 0) % CODE_ALPHABET.length];
  return code;
}

/** What a student typed, as a code: upper-case, without spaces, dashes, dots or underscores. */
export function normaliseCode(input: string): string {
  return input.normalize('NFKC').toUpperCase().replace(/[\s\-‐‑–—._]/g, '');
}

export function isJoinCode(code: string): boolean {
  return CODE.test(code);
}

/** For reading aloud and the projector: `ABC DEF`. */
export function formatCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}
