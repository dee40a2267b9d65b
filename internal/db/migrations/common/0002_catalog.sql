-- Standard disclosure catalog: pilot domains, per-org catalog versions and
-- their items. Published versions are immutable (enforced by the catalog
-- package); an org has at most one draft at a time.

CREATE TABLE catalog_domains (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	builtin BOOLEAN NOT NULL DEFAULT FALSE,
	sort INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- The 26 pilot domains (rules.md §5.3; the national list is not verified
-- word for word, so names stay editable and local domains can be added).
INSERT INTO catalog_domains (id, name, builtin, sort, created_at, updated_at) VALUES
	('d01', '城乡规划', TRUE, 10, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d02', '重大建设项目', TRUE, 20, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d03', '公共资源交易', TRUE, 30, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d04', '财政预决算', TRUE, 40, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d05', '安全生产', TRUE, 50, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d06', '税收管理', TRUE, 60, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d07', '征地补偿', TRUE, 70, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d08', '国有土地上房屋征收与补偿', TRUE, 80, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d09', '农村危房改造', TRUE, 90, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d10', '扶贫', TRUE, 100, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d11', '救灾', TRUE, 110, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d12', '社会救助', TRUE, 120, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d13', '养老服务', TRUE, 130, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d14', '户籍管理', TRUE, 140, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d15', '涉农补贴', TRUE, 150, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d16', '义务教育', TRUE, 160, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d17', '医疗卫生', TRUE, 170, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d18', '市政服务', TRUE, 180, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d19', '公共文化服务', TRUE, 190, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d20', '公共法律服务', TRUE, 200, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d21', '环境保护', TRUE, 210, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d22', '就业', TRUE, 220, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d23', '社会保险', TRUE, 230, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d24', '食品药品监管', TRUE, 240, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d25', '城市综合执法', TRUE, 250, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
	('d26', '保障性住房', TRUE, 260, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');

CREATE TABLE catalog_versions (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	number INTEGER NOT NULL,
	year INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
	based_on TEXT REFERENCES catalog_versions(id),
	note TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	created_by TEXT NOT NULL,
	published_at TEXT NOT NULL DEFAULT '',
	published_by TEXT NOT NULL DEFAULT '',
	UNIQUE (org_id, number)
);
CREATE UNIQUE INDEX catalog_versions_one_draft ON catalog_versions(org_id) WHERE status = 'draft';

-- key is stable across versions of one org's catalog: the annual revision
-- copies it, so /zfxxgk/{org}/bzml/sx/{key} keeps pointing at "the same item"
-- and later capabilities attach published information to it.
CREATE TABLE catalog_items (
	id TEXT PRIMARY KEY,
	version_id TEXT NOT NULL REFERENCES catalog_versions(id) ON DELETE CASCADE,
	item_key TEXT NOT NULL,
	domain_id TEXT NOT NULL REFERENCES catalog_domains(id),
	seq INTEGER NOT NULL,
	level1 TEXT NOT NULL,
	level2 TEXT NOT NULL DEFAULT '',
	content TEXT NOT NULL DEFAULT '',
	basis TEXT NOT NULL DEFAULT '',
	time_limit TEXT NOT NULL DEFAULT '{}',
	subject TEXT NOT NULL DEFAULT '',
	channels TEXT NOT NULL DEFAULT '[]',
	channel_other TEXT NOT NULL DEFAULT '',
	audience TEXT NOT NULL DEFAULT '[]',
	method TEXT NOT NULL DEFAULT '[]',
	levels TEXT NOT NULL DEFAULT '[]',
	five_tag TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL,
	UNIQUE (version_id, item_key)
);
CREATE INDEX catalog_items_version ON catalog_items(version_id, domain_id, seq);
CREATE INDEX catalog_items_key ON catalog_items(item_key);
