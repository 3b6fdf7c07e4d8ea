-- A study: the instance's secret, accounts, projects, uploaded codebooks, articles, and each
-- annotator's tags and reviewed sentences on each article.
-- Times are kept as the ISO text the app wrote, and documents (a project, a codebook, an
-- article's sentences) as `json`, which keeps their text as written: a study copied in and back
-- out (`framelens migrate`) comes back byte for byte.

CREATE TABLE instance (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  session_secret text NOT NULL CHECK (length(session_secret) >= 32),
  created_at text NOT NULL,
  -- sha256 of the one-time set-up token, while no account exists
  setup_token_hash text
);

CREATE TABLE users (
  id text PRIMARY KEY,
  -- order of the accounts as listed
  position integer NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('researcher', 'annotator', 'teacher')),
  password_hash text NOT NULL,
  created_at text NOT NULL,
  reset_token_hash text,
  reset_token_expires_at text,
  CHECK ((reset_token_hash IS NULL) = (reset_token_expires_at IS NULL))
);

CREATE TABLE projects (
  id text PRIMARY KEY,
  position bigserial NOT NULL,
  -- the whole project (members, assignment): read and changed as one
  doc json NOT NULL
);

CREATE TABLE codebooks (
  id text PRIMARY KEY,
  doc json NOT NULL
);

CREATE TABLE articles (
  id text PRIMARY KEY,
  project_id text NOT NULL,
  title text NOT NULL,
  source text NOT NULL,
  url text NOT NULL,
  published_at text NOT NULL,
  text text NOT NULL,
  sentences json NOT NULL,
  created_at text NOT NULL,
  created_by text NOT NULL
);
CREATE INDEX articles_by_project ON articles (project_id, created_at COLLATE "C", id COLLATE "C");

-- One annotator's work on one article. Its row is locked while a change to it is applied, so
-- concurrent saves from any number of servers are applied one after the other.
CREATE TABLE annotations (
  article_id text NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  annotator_id text NOT NULL,
  reviewed integer[] NOT NULL,
  updated_at text NOT NULL,
  -- the position the next new tag gets (tags keep the order they were added in)
  next_position integer NOT NULL DEFAULT 0,
  -- goes up with every committed change
  version bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (article_id, annotator_id)
);

CREATE TABLE tags (
  article_id text NOT NULL,
  annotator_id text NOT NULL,
  id text NOT NULL,
  position integer NOT NULL,
  sentence integer NOT NULL CHECK (sentence >= 0),
  start_offset integer NOT NULL CHECK (start_offset >= 0),
  end_offset integer NOT NULL CHECK (end_offset >= 0),
  category text NOT NULL,
  voice text NOT NULL CHECK (voice IN ('author', 'quoted', 'paraphrase')),
  intensity smallint CHECK (intensity BETWEEN 1 AND 3),
  note text NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (article_id, annotator_id, id),
  FOREIGN KEY (article_id, annotator_id) REFERENCES annotations (article_id, annotator_id) ON DELETE CASCADE
);
