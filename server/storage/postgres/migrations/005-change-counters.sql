-- Change counters, so that a server can keep small documents in memory and still see, on its next
-- request, what any other server changed. A change raises its table's counter in
-- `framelens_changes` under that row's lock, held until commit, so the counters follow commit
-- order; each row keeps the counter value of its last change (`changed`), so a server reads only
-- the rows changed since it last looked, and a deletion also raises `deletions`, telling it to
-- look for rows that are gone. Every table of small documents has one: tags have none (they are
-- never kept in memory).
CREATE TABLE framelens_changes (
  name text PRIMARY KEY,
  version bigint NOT NULL DEFAULT 0,
  deletions bigint NOT NULL DEFAULT 0
);
INSERT INTO framelens_changes (name) VALUES ('activities'), ('students'), ('stories'), ('gold'), ('instance'), ('users'), ('projects'), ('codebooks'), ('articles');

CREATE FUNCTION framelens_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE framelens_changes SET version = version + 1 WHERE name = TG_TABLE_NAME RETURNING version INTO NEW.changed;
  RETURN NEW;
END $$;

CREATE FUNCTION framelens_rows_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE framelens_changes SET version = version + 1, deletions = deletions + 1 WHERE name = TG_TABLE_NAME;
  RETURN NULL;
END $$;

ALTER TABLE activities ADD COLUMN changed bigint NOT NULL DEFAULT 0;
CREATE INDEX activities_changed ON activities (changed);
CREATE TRIGGER activities_changed BEFORE INSERT OR UPDATE ON activities FOR EACH ROW EXECUTE FUNCTION framelens_row_changed();
CREATE TRIGGER activities_deleted AFTER DELETE ON activities FOR EACH STATEMENT EXECUTE FUNCTION framelens_rows_deleted();

ALTER TABLE students ADD COLUMN changed bigint NOT NULL DEFAULT 0;
CREATE INDEX students_changed ON students (changed);
CREATE TRIGGER students_changed BEFORE INSERT OR UPDATE ON students FOR EACH ROW EXECUTE FUNCTION framelens_row_changed();
CREATE TRIGGER students_deleted AFTER DELETE ON students FOR EACH STATEMENT EXECUTE FUNCTION framelens_rows_deleted();

ALTER TABLE stories ADD COLUMN changed bigint NOT NULL DEFAULT 0;
CREATE INDEX stories_changed ON stories (changed);
CREATE TRIGGER stories_changed BEFORE INSERT OR UPDATE ON stories FOR EACH ROW EXECUTE FUNCTION framelens_row_changed();
CREATE TRIGGER stories_deleted AFTER DELETE ON stories FOR EACH STATEMENT EXECUTE FUNCTION framelens_rows_deleted();

ALTER TABLE gold ADD COLUMN changed bigint NOT NULL DEFAULT 0;
CREATE INDEX gold_changed ON gold (changed);
CREATE TRIGGER gold_changed BEFORE INSERT OR UPDATE ON gold FOR EACH ROW EXECUTE FUNCTION framelens_row_changed();
CREATE TRIGGER gold_deleted AFTER DELETE ON gold FOR EACH STATEMENT EXECUTE FUNCTION framelens_rows_deleted();

ALTER TABLE instance ADD COLUMN changed bigint NOT NULL DEFAULT 0;
CREATE INDEX instance_changed ON instance (changed);
CREATE TRIGGER instance_changed BEFORE INSERT OR UPDATE ON instance FOR EACH ROW EXECUTE FUNCTION framelens_row_changed();
CREATE TRIGGER instance_deleted AFTER DELETE ON instance FOR EACH STATEMENT EXECUTE FUNCTION framelens_rows_deleted();

ALTER TABLE users ADD COLUMN changed bigint NOT NULL DEFAULT 0;
CREATE INDEX users_changed ON users (changed);
CREATE TRIGGER users_changed BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION framelens_row_changed();
CREATE TRIGGER users_deleted AFTER DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION framelens_rows_deleted();

ALTER TABLE projects ADD COLUMN changed bigint NOT NULL DEFAULT 0;
CREATE INDEX projects_changed ON projects (changed);
CREATE TRIGGER projects_changed BEFORE INSERT OR UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION framelens_row_changed();
CREATE TRIGGER projects_deleted AFTER DELETE ON projects FOR EACH STATEMENT EXECUTE FUNCTION framelens_rows_deleted();

ALTER TABLE codebooks ADD COLUMN changed bigint NOT NULL DEFAULT 0;
CREATE INDEX codebooks_changed ON codebooks (changed);
CREATE TRIGGER codebooks_changed BEFORE INSERT OR UPDATE ON codebooks FOR EACH ROW EXECUTE FUNCTION framelens_row_changed();
CREATE TRIGGER codebooks_deleted AFTER DELETE ON codebooks FOR EACH STATEMENT EXECUTE FUNCTION framelens_rows_deleted();

ALTER TABLE articles ADD COLUMN changed bigint NOT NULL DEFAULT 0;
CREATE INDEX articles_changed ON articles (changed);
CREATE TRIGGER articles_changed BEFORE INSERT OR UPDATE ON articles FOR EACH ROW EXECUTE FUNCTION framelens_row_changed();
CREATE TRIGGER articles_deleted AFTER DELETE ON articles FOR EACH STATEMENT EXECUTE FUNCTION framelens_rows_deleted();
