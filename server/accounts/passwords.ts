// Password policy and hashing: argon2id at OWASP's minimum parameters.
import { createRequire } from 'node:module';
import argon2 from 'argon2';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1 (~30 ms here).
const OWASP_MINIMUM = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

let common: Set<string> | null = null;

/**
 * The common-passwords list, read on the first password check rather than at start: the package
 * also parses its keyboard graphs and word lists, 0.25–0.3 s of a loaded 2-core machine's start.
 */
function commonPasswords(): Set<string> {
  const require = createRequire(import.meta.url);
  const { dictionary } = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  return new Set(dictionary.passwords);
}

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, userName: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) return `A password may be at most ${MAX_PASSWORD_LENGTH} characters.`;
  common ??= commonPasswords();
  const folded = password.toLowerCase();
  // A common word with digits or symbols tacked on ("password123456", "sunshine2024!") is as weak.
  const stem = folded.replace(/[^\p{L}]+$/u, '');
  if (common.has(folded) || common.has(stem)) return 'That password is among the most common ones; choose another.';
  if (folded.includes(userName.toLowerCase())) return 'The password must not contain your name.';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OWASP_MINIMUM);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against for unknown names, so timing does not reveal which names exist. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('framelens-decoy-password');
  return decoy;
}
