-- 依申请公开: applications (cases) and the dated events their clock is
-- computed from. Identity documents and contact data stay in these tables,
-- which nothing public reads; the tracking page shows none of them.

CREATE TABLE apply_cases (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	tracking_no TEXT NOT NULL UNIQUE,
	submit_key TEXT UNIQUE,
	status TEXT NOT NULL CHECK (status IN ('unconfirmed', 'handling', 'closed', 'archived')),
	channel TEXT NOT NULL,
	applicant_type TEXT NOT NULL,
	applicant_name TEXT NOT NULL,
	id_doc_type TEXT NOT NULL DEFAULT '',
	id_doc_no TEXT NOT NULL DEFAULT '',
	contact_phone TEXT NOT NULL DEFAULT '',
	contact_email TEXT NOT NULL DEFAULT '',
	contact_address TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL,
	doc_hint TEXT NOT NULL DEFAULT '',
	form TEXT NOT NULL DEFAULT '',
	delivery TEXT NOT NULL DEFAULT '',
	submitted_on TEXT NOT NULL DEFAULT '',
	signed_on TEXT NOT NULL DEFAULT '',
	confirmed_on TEXT NOT NULL DEFAULT '',
	received_on TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL DEFAULT '',
	reply_reason TEXT NOT NULL DEFAULT '',
	replied_on TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX apply_cases_org_status ON apply_cases(org_id, status, received_on);

CREATE TABLE apply_events (
	case_id TEXT NOT NULL REFERENCES apply_cases(id),
	seq INTEGER NOT NULL,
	kind TEXT NOT NULL,
	on_date TEXT NOT NULL,
	days INTEGER NOT NULL DEFAULT 0,
	until_date TEXT NOT NULL DEFAULT '',
	party TEXT NOT NULL DEFAULT '',
	ref TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	actor_id TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL DEFAULT '',
	at TEXT NOT NULL,
	PRIMARY KEY (case_id, seq)
);
