package sync

// UndoSchema10 takes a store of schema 10 back to schema 9's tables, for
// tests (this package's and package sync_test's) that make a store of an
// older schema from a new one.
const UndoSchema10 = `DROP TABLE superseded_reviews; DROP VIEW run_verdicts; DROP TABLE run_chunks; DROP TABLE runs;
	ALTER TABLE reviews DROP COLUMN status; ALTER TABLE reviews DROP COLUMN detail; ALTER TABLE reviews DROP COLUMN version; ALTER TABLE reviews DROP COLUMN member_id; ALTER TABLE reviews DROP COLUMN piece;
	ALTER TABLE reviews DROP COLUMN run; ALTER TABLE batches DROP COLUMN run; `
