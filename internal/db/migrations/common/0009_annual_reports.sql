-- 政府信息公开工作年度报告 (国办公开办函〔2021〕30号 format): one row per
-- org and year. Tables 三 and 四 and the 规章/行政规范性文件 rows of table 二
-- are computed from apply and info while the report is a draft; what the unit
-- enters is stored here: table 二's 行政许可/行政处罚/行政强制 decision counts
-- and 行政事业性收费 amount, figures for applications and remedies handled
-- outside the platform (supplement, JSON), and the text of sections 一、五、六.
-- Publication freezes the whole report as a JSON snapshot (with its SHA-256,
-- which the evidence chain names); the portal shows only snapshots.
--
-- fee_yuan: the format asks for 万元 with at most 4 decimals, and 0.0001 万元
-- is exactly 1 元, so the amount is an integer number of 元: sums over
-- departments are exact and no engine's float or decimal type is involved.

CREATE TABLE annual_reports (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	year INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
	licensing BIGINT NOT NULL DEFAULT 0 CHECK (licensing >= 0),
	penalty BIGINT NOT NULL DEFAULT 0 CHECK (penalty >= 0),
	enforcement BIGINT NOT NULL DEFAULT 0 CHECK (enforcement >= 0),
	fee_yuan BIGINT NOT NULL DEFAULT 0 CHECK (fee_yuan >= 0),
	figures_saved_at TEXT NOT NULL DEFAULT '',
	supplement TEXT NOT NULL DEFAULT '',
	section_overview TEXT NOT NULL DEFAULT '',
	section_problems TEXT NOT NULL DEFAULT '',
	section_other TEXT NOT NULL DEFAULT '',
	snapshot TEXT NOT NULL DEFAULT '',
	snapshot_sha256 TEXT NOT NULL DEFAULT '',
	published_at TEXT NOT NULL DEFAULT '',
	published_by TEXT NOT NULL DEFAULT '',
	published_by_name TEXT NOT NULL DEFAULT '',
	updated_by TEXT NOT NULL DEFAULT '',
	updated_by_name TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (org_id, year)
);
CREATE INDEX annual_reports_published ON annual_reports(status, org_id, year);
