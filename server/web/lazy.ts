// Libraries that only some requests need are imported when first needed, not at start: a start
// then loads only what serving needs before the tags are in (issue 14: a restart after a crash
// within 2 s). Each is imported once; a failed import is tried again at the next use.

/** A module (or a value made from it) loaded on first use, then kept. */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | null = null;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = null;
      throw error;
    });
    return loaded;
  };
}
