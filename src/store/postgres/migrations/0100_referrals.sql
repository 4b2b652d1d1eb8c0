-- Up Migration
-- Referrals and their mail queue (see referralStore.ts). The full record is JSONB; the summary
-- columns beside it are what the use cases query, each through an index.
CREATE TABLE referrals (
  id TEXT PRIMARY KEY,
  reference TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  partner_id TEXT,
  actor_id TEXT NOT NULL,
  tier TEXT NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  status_at TIMESTAMPTZ NOT NULL,
  closed_at TIMESTAMPTZ,
  reminders INTEGER NOT NULL,
  check_ins INTEGER NOT NULL,
  review BOOLEAN NOT NULL,
  erased BOOLEAN NOT NULL,
  anonymised BOOLEAN NOT NULL,
  record JSONB NOT NULL,
  -- The writing transaction: readers of changes() follow it with the snapshot's xmin, so that a
  -- transaction committing late is never skipped (a sequence number would be, out of order).
  change_xid XID8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX referrals_reference ON referrals (reference);
CREATE INDEX referrals_conversation ON referrals (conversation_id);
-- Monthly loads: created_at range, grouped by actor.
CREATE INDEX referrals_created ON referrals (created_at, actor_id);
CREATE INDEX referrals_actor_created ON referrals (actor_id, created_at);
CREATE INDEX referrals_status ON referrals (status, status_at);
-- Follow-up: only open, personal-data-bearing records.
CREATE INDEX referrals_open ON referrals (status, created_at) WHERE status IN ('pending', 'taking_care') AND NOT erased AND NOT anonymised;
-- Anonymisation: records still holding personal data, by the date their clock starts.
CREATE INDEX referrals_to_anonymise ON referrals ((COALESCE(closed_at, status_at))) WHERE NOT anonymised;
CREATE INDEX referrals_change ON referrals (change_xid, id);
-- One request per conversation and project: a double submit landing on two instances at once
-- (no sticky session) creates one referral; the loser's commit fails and it answers with the
-- winner's. The first record of a request is `<reference>-1`.
CREATE UNIQUE INDEX referrals_one_request ON referrals (conversation_id, md5((record -> 'profile')::text)) WHERE id LIKE '%-1';

CREATE TABLE mail_queue (
  id TEXT PRIMARY KEY,
  reference TEXT,
  kind TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'sent')),
  attempts INTEGER NOT NULL,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  sent_at TIMESTAMPTZ,
  -- A claim (mailer of one instance) holds the message until then; expired: anyone may take it.
  lease_until TIMESTAMPTZ,
  -- The message (personal data): NULL once delivered, the row staying as a receipt.
  body JSONB
);
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at) WHERE state = 'queued';
CREATE INDEX mail_queue_reference ON mail_queue (reference) WHERE state = 'queued';
CREATE INDEX mail_queue_receipts ON mail_queue (sent_at) WHERE state = 'sent';

-- Down Migration
DROP TABLE IF EXISTS mail_queue;
DROP TABLE IF EXISTS referrals;
