-- Up Migration
-- rate-limiter-flexible's RateLimiterPostgres table (its own layout), shared by every limit of
-- every instance: keys carry the limit's prefix (`dl-address:…`, `login-account:…`). Created
-- here rather than by the library so that the schema stays under the migrations.
CREATE TABLE aiguillage_rate_limit (
  key VARCHAR(255) PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire BIGINT
);
CREATE INDEX aiguillage_rate_limit_expire ON aiguillage_rate_limit (expire);

-- Down Migration
DROP TABLE IF EXISTS aiguillage_rate_limit;
