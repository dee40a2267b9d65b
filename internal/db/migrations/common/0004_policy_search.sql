-- The change log: one row per change to public content, in commit order.
-- Derived views (the search index, the portal page cache) are rebuilt from
-- the database and kept current by reading this log from the sequence
-- number they last applied, so a crash between commit and index update,
-- a restart or a second replica all catch up the same way. The head row is
-- the lock that makes sequence numbers gapless and ordered by commit.
CREATE TABLE change_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL
);
INSERT INTO change_head (id, seq) VALUES (1, 0);

CREATE TABLE changes (
	seq BIGINT PRIMARY KEY,
	at TEXT NOT NULL,
	kind TEXT NOT NULL,
	object_id TEXT NOT NULL,
	org_id TEXT NOT NULL DEFAULT ''
);

-- Policy library (政策文件库) metadata on records, and the interpretation
-- (政策解读) link: an interpretation is a record of genre 政策解读 that
-- goes through the same review and publication as the policy it explains.
ALTER TABLE info_records ADD COLUMN doc_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE info_records ADD COLUMN domain_id TEXT NOT NULL DEFAULT '';
ALTER TABLE info_records ADD COLUMN interprets_id TEXT NOT NULL DEFAULT '';
ALTER TABLE info_records ADD COLUMN interp_form TEXT NOT NULL DEFAULT '';
ALTER TABLE info_records ADD COLUMN interp_org TEXT NOT NULL DEFAULT '';
ALTER TABLE info_records ADD COLUMN interp_dept TEXT NOT NULL DEFAULT '';
ALTER TABLE info_records ADD COLUMN interp_contact TEXT NOT NULL DEFAULT '';
ALTER TABLE info_records ADD COLUMN interp_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE info_records ADD COLUMN no_interp_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX info_records_interprets ON info_records(interprets_id);
