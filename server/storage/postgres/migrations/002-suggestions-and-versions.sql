-- What suggestions added to tags and annotations after 001: where a tag came from (typed by hand,
-- or an accepted suggestion), and the suggestions an annotator rejected on an article. Both as
-- `json` documents, absent (NULL) where the JSON folder's files have no such field.
ALTER TABLE tags ADD COLUMN origin json;
ALTER TABLE annotations ADD COLUMN rejected json;

-- An annotation's version is drawn from one sequence for every row, so a (row, version) pair names
-- one state for good, even across an article removed and made again: a server that remembers an
-- annotation at a version can write a save conditioned on it (saves.ts) without reading it again.
CREATE SEQUENCE annotation_versions;
SELECT setval('annotation_versions', (SELECT coalesce(max(version), 0) + 1 FROM annotations));
ALTER TABLE annotations ALTER COLUMN version SET DEFAULT nextval('annotation_versions');
