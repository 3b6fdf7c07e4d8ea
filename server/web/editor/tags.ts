// A tag as the sentence editors handle it, whichever store it lives in: an annotator's tag, a
// student's, or a reference tag (whose text is its rationale).
import type { SpanFields, Tag, TagOrigin } from '../../core/model.js';
import type { ReferenceTag } from '../../storage/activity-schemas.js';
import type { TagFields } from '../../core/spans.js';

export interface EditorTag extends Omit<SpanFields, 'note'> {
  id: string;
  /** The note (annotators, students) or the rationale (reference). */
  text: string;
  /** When it was first saved, kept when an undo brings a deleted tag back. */
  createdAt: string | null;
  /** Where an annotator's tag came from (kept, too, when an undo brings it back). */
  origin?: TagOrigin;
}

/** The fields a form sets, without the id and where the tag lives. */
export type EditorFields = Pick<EditorTag, 'start' | 'end' | 'category' | 'voice' | 'intensity' | 'text'>;

export function fromTag(tag: Tag): EditorTag {
  return {
    id: tag.id,
    sentence: tag.sentence,
    start: tag.start,
    end: tag.end,
    category: tag.category,
    voice: tag.voice,
    intensity: tag.intensity,
    text: tag.note,
    createdAt: tag.createdAt,
    ...(tag.origin ? { origin: tag.origin } : {}),
  };
}

export function fromReference(tag: ReferenceTag): EditorTag {
  return { ...tag, intensity: null, text: tag.rationale, createdAt: null };
}

/** The fields as the annotation store keeps them. */
export function tagFields(fields: EditorFields): TagFields {
  return { start: fields.start, end: fields.end, category: fields.category, voice: fields.voice, intensity: fields.intensity, note: fields.text };
}

export function sameFields(a: EditorFields, b: EditorFields): boolean {
  return (
    a.start === b.start &&
    a.end === b.end &&
    a.category === b.category &&
    a.voice === b.voice &&
    a.intensity === b.intensity &&
    a.text === b.text
  );
}
