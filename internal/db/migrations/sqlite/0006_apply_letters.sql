-- Files of a case: identity documents sent with an application and proofs
-- of delivery. Kept apart from blobs (which the portal serves): nothing
-- public reads this table, and only the handling org's staff see a file.
CREATE TABLE apply_files (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES apply_cases(id),
	kind TEXT NOT NULL CHECK (kind IN ('identity', 'proof')),
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	data BLOB NOT NULL,
	actor_name TEXT NOT NULL DEFAULT '',
	at TEXT NOT NULL
);
CREATE INDEX apply_files_case ON apply_files(case_id);
