-- Content-addressed files (attachments), kept in the database so every
-- replica serves them and backups hold them.
CREATE TABLE blobs (
	hash TEXT PRIMARY KEY,
	size INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	data BLOB NOT NULL,
	created_at TEXT NOT NULL
);
