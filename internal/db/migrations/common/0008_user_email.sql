-- Reminders: staff get an optional e-mail address for the daily digest of
-- their 依申请公开 cases, and apply_reminders_sent records which digest
-- (recipient "user:ID" or "org:ID", China-time day YYYY-MM-DD) was sent.
-- A sender inserts its row before sending: the primary key lets one
-- process of several, or one start of several on a day, send it.

ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

CREATE TABLE apply_reminders_sent (
	recipient TEXT NOT NULL,
	day TEXT NOT NULL,
	PRIMARY KEY (recipient, day)
);
