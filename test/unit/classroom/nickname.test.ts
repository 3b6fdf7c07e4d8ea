// Nicknames: the shown form, the comparison key and the look-alike flags (issue 14 item 14).
import { describe, expect, it } from 'vitest';
import { displayNickname, lookAlikeKey, mixedScripts, nicknameFlags, nicknameKey } from '../../../server/core/classroom/nickname.js';

const ZWJ = '\u200d';
const ZWNJ = '\u200c';

describe('nicknameKey', () => {
  it('is one key for Sam with invisible characters anywhere (joiners, bidi controls, fillers, soft hyphens, BOM)', () => {
    const variants = ['Sam', `Sam${ZWJ}`, `${ZWJ}Sam`, `S${ZWJ}am`, `S${ZWNJ}am`, '\u202eSam', 'Sa\u00adm', '\ufeffSam', 'Sam\u2060', 'S\u034Fam', 'Sam\ufe0f'];
    for (const v of variants) expect(nicknameKey(v), JSON.stringify(v)).toBe('sam');
  });

  it('folds case and compatibility forms (NFKC case folding): SAM, ｓａｍ, ß and SS, ﬁ and fi', () => {
    expect(nicknameKey('SAM')).toBe('sam');
    expect(nicknameKey('ｓａｍ')).toBe('sam');
    expect(nicknameKey(' Sam  Lee ')).toBe('sam lee');
    expect(nicknameKey('Straße')).toBe(nicknameKey('STRASSE'));
    expect(nicknameKey('ﬁona')).toBe('fiona');
    expect(nicknameKey('ΣΟΦΙΑΣ')).toBe(nicknameKey('σοφιας'));
  });

  it('keeps different names apart', () => {
    expect(nicknameKey('Sam')).not.toBe(nicknameKey('Sami'));
    expect(nicknameKey('Ѕam')).not.toBe(nicknameKey('Sam')); // a look-alike, flagged rather than merged
  });
});

describe('displayNickname', () => {
  it('drops invisible characters that do nothing visible', () => {
    expect(displayNickname(`Sam${ZWJ}`, 24)).toBe('Sam');
    expect(displayNickname(`${ZWJ}Sam`, 24)).toBe('Sam');
    expect(displayNickname(`S${ZWJ}am`, 24)).toBe('Sam');
    expect(displayNickname('\u202eSam\u202c', 24)).toBe('Sam');
    expect(displayNickname('  Sam   Lee ', 24)).toBe('Sam Lee');
  });

  it('keeps emoji sequences whole: ZWJ sequences, emoji presentation, keycaps, skin tones, tag flags', () => {
    for (const emoji of ['👩‍💻', '❤️‍🔥', '👩🏽‍🚀', '🏳️‍🌈', '1️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿']) {
      expect(displayNickname(`${emoji} Ana`, 24), emoji).toBe(`${emoji} Ana`);
    }
  });

  it('keeps the joiners that spell words in Persian and Hindi', () => {
    expect(displayNickname(`نام${ZWNJ}ها`, 24)).toBe(`نام${ZWNJ}ها`);
    expect(displayNickname(`क्${ZWJ}ष`, 24)).toBe(`क्${ZWJ}ष`);
  });

  it('refuses nothing-but-invisible, too long, and control characters', () => {
    expect(displayNickname(ZWJ, 24)).toBeNull();
    expect(displayNickname('\u3164', 24)).toBeNull(); // Hangul filler, a "blank" name
    expect(displayNickname('   ', 24)).toBeNull();
    expect(displayNickname('a'.repeat(25), 24)).toBeNull();
    expect(displayNickname('Sam\u0007', 24)).toBeNull();
    expect(displayNickname('Sam\u0600', 24)).toBeNull(); // a format character that is not invisible
  });

  it('a shown nickname has the same key as what was typed', () => {
    for (const typed of [`Sam${ZWJ}`, '👩‍💻 Ana', 'ＳＡＭ', `نام${ZWNJ}ها`]) {
      expect(nicknameKey(displayNickname(typed, 24) ?? '')).toBe(nicknameKey(typed));
    }
  });
});

describe('look-alikes', () => {
  it('mixed alphabets: Cyrillic Ѕ in a Latin name; Japanese and Korean mixes are one writing system', () => {
    expect(mixedScripts('Ѕam')).toEqual(['Cyrillic', 'Latin']);
    expect(mixedScripts('Sam')).toEqual([]);
    expect(mixedScripts('Саша')).toEqual([]);
    expect(mixedScripts('田中さん')).toEqual([]);
    expect(mixedScripts('김철수金')).toEqual([]);
    expect(mixedScripts('Sam 2 👍')).toEqual([]);
  });

  it('skeletons: Sam and Cyrillic Ѕam, Ali and AIi, m and rn look alike', () => {
    expect(lookAlikeKey('Ѕam')).toBe(lookAlikeKey('Sam'));
    expect(lookAlikeKey('AIi')).toBe(lookAlikeKey('Ali'));
    expect(lookAlikeKey('Sarn')).toBe(lookAlikeKey('Sam'));
    expect(lookAlikeKey('Sam')).not.toBe(lookAlikeKey('Tom'));
  });

  it('flags mixed alphabets and look-alikes of classmates, by student id', () => {
    const flags = nicknameFlags([
      { id: 'a', nickname: 'Sam' },
      { id: 'b', nickname: 'Ѕam' },
      { id: 'c', nickname: 'Tom' },
      { id: 'd', nickname: 'Саша' },
    ]);
    expect(flags.get('a')).toBe('looks like “Ѕam”');
    expect(flags.get('b')).toBe('mixes alphabets (Cyrillic, Latin); looks like “Sam”');
    expect(flags.has('c')).toBe(false);
    expect(flags.has('d')).toBe(false);
  });
});
