-- Up Migration
-- botbuilder conversation state, one row per storage key (see conversationStore.ts).
CREATE TABLE conversation_state (
  key TEXT PRIMARY KEY,
  etag TEXT NOT NULL,
  item JSONB NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
-- purgeIdle walks the oldest rows only.
CREATE INDEX conversation_state_updated_at ON conversation_state (updated_at);

-- Down Migration
DROP TABLE IF EXISTS conversation_state;
