-- Up Migration
-- Back office: accounts, invitations and sessions shared by every instance (a coordinator signed
-- in on one is signed in on all), the audit log, the rules history and drafts, the bot's
-- conversation events, and the published configuration (rules, directory, partner sites, named
-- territories) of which every instance keeps a local copy.
CREATE TABLE backoffice_accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  account JSONB NOT NULL
);

CREATE TABLE backoffice_invitations (
  id TEXT PRIMARY KEY,
  invitation JSONB NOT NULL
);

-- Sessions by the SHA-256 of their id; account_id '' for an anonymous (login form) session.
CREATE TABLE backoffice_sessions (
  id_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX backoffice_sessions_account ON backoffice_sessions (account_id);
CREATE INDEX backoffice_sessions_expiry ON backoffice_sessions (expires_at);

CREATE TABLE backoffice_audit (
  id BIGSERIAL PRIMARY KEY,
  action TEXT NOT NULL,
  target TEXT,
  entry JSONB NOT NULL
);
CREATE INDEX backoffice_audit_action ON backoffice_audit (action text_pattern_ops, id);
CREATE INDEX backoffice_audit_target ON backoffice_audit (target, id);

CREATE TABLE rules_versions (
  n INTEGER PRIMARY KEY,
  entry JSONB NOT NULL,
  files JSONB NOT NULL
);

CREATE TABLE rules_drafts (
  account_id TEXT PRIMARY KEY,
  draft JSONB NOT NULL
);

-- The id is the readers' cursor: appends are serialised (advisory lock) so that ids commit in order.
CREATE TABLE conversation_events (
  id BIGSERIAL PRIMARY KEY,
  at TIMESTAMPTZ NOT NULL,
  event JSONB NOT NULL
);

-- Every publication is the whole set (file key -> text): the latest row is what runs.
CREATE TABLE published_config (
  id BIGSERIAL PRIMARY KEY,
  at TIMESTAMPTZ NOT NULL DEFAULT now(),
  by TEXT NOT NULL,
  files JSONB NOT NULL
);

-- Down Migration
DROP TABLE IF EXISTS published_config;
DROP TABLE IF EXISTS conversation_events;
DROP TABLE IF EXISTS rules_drafts;
DROP TABLE IF EXISTS rules_versions;
DROP TABLE IF EXISTS backoffice_audit;
DROP TABLE IF EXISTS backoffice_sessions;
DROP TABLE IF EXISTS backoffice_invitations;
DROP TABLE IF EXISTS backoffice_accounts;
