-- Account fields the first schema did not keep, so that they survive PostgreSQL (and a
-- `framelens migrate` there and back): who administers accounts, a deactivation, the last sign-in.
-- NULL where the account's record has no such field.
ALTER TABLE users
  ADD COLUMN admin boolean,
  ADD COLUMN deactivated_at text,
  ADD COLUMN last_sign_in_at text;
