-- Stories, curated gold and classroom activities. Each is kept as the document its file in the
-- JSON folder holds (the file's `data`), read back through the same schema as the file: a field
-- added to one of those schemas needs no change here.

-- A project's stories, in the order they were made (stories/<projectId>.json).
CREATE TABLE stories (
  project_id text NOT NULL,
  id text NOT NULL,
  position bigserial NOT NULL,
  doc json NOT NULL,
  PRIMARY KEY (project_id, id)
);

-- An article's gold standard (gold/<articleId>.json); it goes with its article.
CREATE TABLE gold (
  article_id text PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
  doc json NOT NULL
);

-- A classroom activity (activities/<id>/activity.json) and its students, each with their tags
-- (activities/<id>/students/<studentId>.json); deleting the activity deletes its students.
CREATE TABLE activities (
  id text PRIMARY KEY,
  position bigserial NOT NULL,
  doc json NOT NULL
);

CREATE TABLE students (
  activity_id text NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
  id text NOT NULL,
  doc json NOT NULL,
  PRIMARY KEY (activity_id, id)
);
