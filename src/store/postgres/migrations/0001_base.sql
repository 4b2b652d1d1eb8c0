-- Up Migration
-- Aiguillage's production schema starts here; each store adds its own numbered file
-- (0100 referrals, 0200 conversations and channel, 0300 back office, 0400 jobs…).
CREATE TABLE IF NOT EXISTS aiguillage_instance (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Down Migration
DROP TABLE IF EXISTS aiguillage_instance;
