-- Browser sessions and the sign-in rate-limit counters, shared by every server on the database:
-- a session started through one is accepted by the others, and a limit counts the wrong
-- passwords sent to any of them.

-- One row a session; `data` is what the JSON folder's session log keeps (schemas.ts sessionData).
-- The user, lesson and client address are columns of their own for the queries that end or cap
-- sessions by them.
CREATE TABLE sessions (
  sid text PRIMARY KEY,
  -- epoch milliseconds after which the session is dead (idle expiry, moved on by use)
  expires bigint NOT NULL,
  data json NOT NULL,
  user_id text,
  activity_id text,
  address text
);
CREATE INDEX sessions_by_expiry ON sessions (expires);
CREATE INDEX sessions_by_user ON sessions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX sessions_by_activity ON sessions (activity_id) WHERE activity_id IS NOT NULL;
CREATE INDEX sessions_by_address ON sessions (address, expires) WHERE address IS NOT NULL;

-- A fixed-window counter of express-rate-limit: hits since the window opened, and when it closes
-- (epoch milliseconds). `key` is the limiter's prefix and the client's key.
CREATE TABLE rate_limits (
  key text PRIMARY KEY,
  hits integer NOT NULL CHECK (hits >= 0),
  reset_at bigint NOT NULL
);
CREATE INDEX rate_limits_by_reset ON rate_limits (reset_at);
