-- Up Migration
-- Whether the bot's turn for a post completed: a retry of a post whose instance died (or whose
-- turn met the database down) runs the turn again on the instance it reaches.
ALTER TABLE directline_client_post ADD COLUMN answered BOOLEAN NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE directline_client_post DROP COLUMN IF EXISTS answered;
