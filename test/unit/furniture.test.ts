import { describe, expect, it } from 'vitest';
import { furnitureKind, looksLikeFurniture } from '../../server/core/furniture.js';

describe('furnitureKind()', () => {
  it('ticks bylines', () => {
    for (const line of [
      'By Maria Delgado, Staff Reporter',
      'By MARIA DELGADO',
      'By Jane Doe and John O’Neill | Reuters',
      'By Jane Doe, Brussels',
      'Words by Kwame Mensah',
      'By @janedoe',
    ]) {
      expect(furnitureKind(line), line).toBe('byline');
    }
  });

  it('ticks date lines', () => {
    for (const line of [
      'Published March 3, 2025',
      'Published: 3 March 2025',
      'Updated Mon 3 Mar 2025 14.05 GMT',
      'Last updated on March 3, 2025 at 10:15 a.m. EST',
      'March 3rd, 2025',
      '2025-03-03',
      'Posted 03/03/2025',
    ]) {
      expect(furnitureKind(line), line).toBe('date');
    }
  });

  it('ticks credits, copyright lines and dividers', () => {
    expect(furnitureKind('(Reporting by Maria Delgado; Editing by John Stonestreet)')).toBe('credit');
    expect(furnitureKind('Photo: Reuters/Yves Herman')).toBe('credit');
    expect(furnitureKind('© 2025 Reuters. All rights reserved.')).toBe('credit');
    expect(furnitureKind('Copyright 2025 The Associated Press.')).toBe('credit');
    expect(furnitureKind('***')).toBe('divider');
    expect(furnitureKind('…')).toBe('divider');
  });

  it('ticks short lines without closing punctuation, as before', () => {
    for (const line of ['Sputnik', 'No comments:', 'Post a Comment', 'Share this article', 'Advertisement']) {
      expect(furnitureKind(line), line).toBe('short');
    }
  });

  it('leaves sentences alone, even short ones ending in a closing quote or bracket', () => {
    for (const line of [
      'They called it ‘a sham’',
      '‘We will win’',
      'Officials met (in Kyiv)',
      'He left.',
      'Why now?',
      'By Monday the talks had failed.',
      'By Monday, the talks had failed',
      'By the end of the day nothing had changed',
      'On March 3 the talks failed',
      'Published in March, the report was ignored.',
      'Photographers were kept out of the room.',
      'The vote was on March 3, 2025.',
      'Russian and NATO officials held talks in Brussels on Wednesday.',
    ]) {
      expect(furnitureKind(line), line).toBeNull();
      expect(looksLikeFurniture(line)).toBe(false);
    }
  });
});
