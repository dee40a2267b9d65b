-- Content-addressed files (attachments), kept in the database so every
-- replica serves them and backups hold them.
CREATE TABLE blobs (
	hash TEXT PRIMARY KEY,
	size BIGINT NOT NULL,
	content_type TEXT NOT NULL,
	data BYTEA NOT NULL,
	created_at TEXT NOT NULL
);
