-- The set-up link's token itself, beside its hash, so that every server started on a database
-- with no administrator prints the same link (each used to make its own, and only the last one
-- printed worked). It is kept only until the link is used or replaced. Storing it adds nothing to
-- what this row already gives away: whoever reads it reads the session secret too.
ALTER TABLE instance ADD COLUMN setup_token text;
