-- Up Migration
-- Direct Line conversations shared by the instances (src/channels/directline/postgresStore.ts):
-- a holder's next request may land on any of them. Times are epoch milliseconds.
CREATE TABLE directline_conversation (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  partner_id TEXT,
  -- Sequence number of the next activity: the watermark clients hold.
  next_seq INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  last_used BIGINT NOT NULL
);
CREATE INDEX directline_conversation_last_used ON directline_conversation (last_used);

-- The activity log clients poll: the primary key is the polling index (conversation, sequence).
CREATE TABLE directline_activity (
  conversation_id TEXT NOT NULL REFERENCES directline_conversation (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  size INTEGER NOT NULL,
  activity JSON NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);

-- clientActivityID of recent posts: a client's retry on another instance is not a new message.
CREATE TABLE directline_client_post (
  conversation_id TEXT NOT NULL REFERENCES directline_conversation (id) ON DELETE CASCADE,
  client_activity_id TEXT NOT NULL,
  activity_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, client_activity_id)
);

-- Down Migration
DROP TABLE IF EXISTS directline_client_post;
DROP TABLE IF EXISTS directline_activity;
DROP TABLE IF EXISTS directline_conversation;
