-- 依申请公开, second part: who handles a case, what the reply said and on
-- what basis, how it was delivered and archived, the letters issued (frozen
-- with their hash, so the text the applicant received can be proven), the
-- editable letter templates, and review/litigation outcomes (annual report
-- table 四). Files (identity documents, delivery proofs) are in apply_files,
-- whose data column differs per engine.

ALTER TABLE apply_cases ADD COLUMN handler_id TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_cases ADD COLUMN reply_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_cases ADD COLUMN reply_obtain TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_cases ADD COLUMN delivered_on TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_cases ADD COLUMN delivery_method TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_cases ADD COLUMN delivery_note TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_cases ADD COLUMN archived_on TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_cases ADD COLUMN archive_no TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_cases ADD COLUMN proactive_info_id TEXT NOT NULL DEFAULT '';
CREATE INDEX apply_cases_handler ON apply_cases(handler_id, status);

-- A fee notice states the method, units and amount (in 分) it charged.
ALTER TABLE apply_events ADD COLUMN fee_method TEXT NOT NULL DEFAULT '';
ALTER TABLE apply_events ADD COLUMN fee_units INTEGER NOT NULL DEFAULT 0;
ALTER TABLE apply_events ADD COLUMN fee_amount INTEGER NOT NULL DEFAULT 0;

CREATE TABLE apply_letters (
	case_id TEXT NOT NULL REFERENCES apply_cases(id),
	no INTEGER NOT NULL,
	kind TEXT NOT NULL,
	title TEXT NOT NULL,
	ref TEXT NOT NULL,
	body TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	issued_on TEXT NOT NULL,
	to_applicant INTEGER NOT NULL,
	actor_id TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL DEFAULT '',
	at TEXT NOT NULL,
	PRIMARY KEY (case_id, no)
);

CREATE TABLE apply_letter_templates (
	kind TEXT PRIMARY KEY,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL
);

CREATE TABLE apply_remedies (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES apply_cases(id),
	kind TEXT NOT NULL CHECK (kind IN ('review', 'suit_direct', 'suit_after_review')),
	filed_on TEXT NOT NULL,
	result TEXT NOT NULL CHECK (result IN ('pending', 'maintained', 'corrected', 'other')),
	decided_on TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX apply_remedies_case ON apply_remedies(case_id);
