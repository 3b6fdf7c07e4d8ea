import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_LENGTH, formatCode, isJoinCode, makeJoinCode, normaliseCode } from '../../../server/core/classroom/join-code.js';

describe('join codes', () => {
  it('use 32 characters without 0/O or 1/I', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    for (const c of '0O1I') expect(CODE_ALPHABET).not.toContain(c);
  });

  it('are 6 characters, one per random byte (byte mod 32, so every character is equally likely)', () => {
    expect(makeJoinCode(Uint8Array.from([0, 1, 31, 32, 255, 100]))).toBe('AB9A9E'); // 0→A, 1→B, 31→9, 32→A, 255 (=31)→9, 100 (=4)→E
    for (let b = 0; b < 256; b++) {
      const code = makeJoinCode(new Uint8Array(CODE_LENGTH).fill(b));
      expect(isJoinCode(code)).toBe(true);
      expect(code).toBe((CODE_ALPHABET[b % 32] ?? '').repeat(6));
    }
  });

  it('refuse fewer than 6 random bytes', () => {
    expect(() => makeJoinCode(new Uint8Array(5))).toThrow(/6 random bytes/);
  });

  it('accept what students type: lower case, spaces and dashes', () => {
    expect(normaliseCode(' abc-234 ')).toBe('ABC234');
    expect(normaliseCode('ab c 2 3 4')).toBe('ABC234');
    expect(normaliseCode('ABC–234')).toBe('ABC234');
    expect(isJoinCode(normaliseCode('abc 234'))).toBe(true);
  });

  it('reject ambiguous characters and wrong lengths', () => {
    expect(isJoinCode('ABC230')).toBe(false);
    expect(isJoinCode('ABCO23')).toBe(false);
    expect(isJoinCode('ABCI23')).toBe(false);
    expect(isJoinCode('ABC1 3')).toBe(false);
    expect(isJoinCode('ABC23')).toBe(false);
    expect(isJoinCode('ABC2345')).toBe(false);
  });

  it('are shown in two groups of three for reading aloud', () => {
    expect(formatCode('ABC234')).toBe('ABC 234');
  });
});
