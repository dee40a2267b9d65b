package info

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// StatutoryDays is the default publication limit: 20 working days from the
// day the information is formed or changed (条例第二十六条).
const StatutoryDays = 20

// DefaultIndexTemplate is the default 索引号: org code / year - 5-digit serial.
const DefaultIndexTemplate = "{code}/{YYYY}-{NNNNN}"

// DefaultFlow is the default approval after the editor submits:
// 公开机构负责人 (审核员) then 分管领导.
var DefaultFlow = []org.Role{org.RoleReviewer, org.RoleLeader}

// Service is the info capability.
type Service struct {
	DB      *db.DB
	Orgs    *org.Service
	Catalog *catalog.Service
	// Calendar returns the working-day calendar in force (built-in years plus
	// those administrators entered).
	Calendar func(context.Context) (*workday.Calendar, error)
	Now      func() time.Time
	// IndexTemplate returns the 索引号 template in force ("" = the default);
	// a func so an administrator's change applies without a restart.
	IndexTemplate func(context.Context) string
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// --- validation ---

func checkDate(fs *apperr.Fields, field, label, v string, required bool) {
	if v == "" {
		if required {
			fs.Add(field, label+"不能为空")
		}
		return
	}
	if _, err := workday.ParseDate(v); err != nil {
		fs.Add(field, label+"应为 YYYY-MM-DD 格式的日期")
	}
}

func (s *Service) validate(ctx context.Context, f *Fields) error {
	for _, p := range []*string{&f.Title, &f.DocNo, &f.Summary, &f.Keywords, &f.Topic, &f.Genre, &f.WrittenOn, &f.FormedOn,
		&f.CatalogKey, &f.Attribute, &f.WithheldReason, &f.ValidUntil, &f.DocKind, &f.DomainID, &f.InterpretsID, &f.InterpForm,
		&f.InterpOrg, &f.InterpDept, &f.InterpContact, &f.InterpPlan, &f.NoInterpReason} {
		*p = strings.TrimSpace(*p)
	}
	f.Body = Sanitize(f.Body)
	var fs apperr.Fields
	if f.Title == "" {
		fs.Add("title", "标题不能为空")
	}
	for _, x := range []struct {
		field, label, v string
		max             int
	}{{"title", "标题", f.Title, 200}, {"doc_no", "文号", f.DocNo, 60}, {"summary", "内容概述", f.Summary, 1000},
		{"keywords", "主题词", f.Keywords, 100}, {"body", "正文", f.Body, 500000}, {"interp_org", "解读机关", f.InterpOrg, 100},
		{"interp_dept", "解读科室", f.InterpDept, 100}, {"interp_contact", "联系方式", f.InterpContact, 100},
		{"interp_plan", "解读方案", f.InterpPlan, 2000}, {"no_interp_reason", "不解读的理由", f.NoInterpReason, 500}} {
		if utf8.RuneCountInString(x.v) > x.max {
			fs.Add(x.field, fmt.Sprintf("%s不能超过 %d 个字", x.label, x.max))
		}
	}
	if !slices.Contains(Genres, f.Genre) {
		fs.Add("genre", "请选择体裁")
	}
	if f.Topic != "" && !slices.Contains(Topics, f.Topic) {
		fs.Add("topic", "主题分类不在列表中")
	}
	if f.DocKind == "" {
		f.DocKind = GuessDocKind(f.Title)
	} else if !slices.Contains(DocKinds, f.DocKind) {
		fs.Add("doc_kind", "文种不在列表中")
	}
	s.validatePolicy(ctx, f, &fs)
	checkDate(&fs, "written_on", "成文日期", f.WrittenOn, false)
	checkDate(&fs, "formed_on", "形成日期", f.FormedOn, true)
	checkDate(&fs, "valid_until", "有效期", f.ValidUntil, false)
	if f.WrittenOn != "" && f.FormedOn != "" && f.FormedOn < f.WrittenOn {
		fs.Add("formed_on", "形成日期不能早于成文日期")
	}
	switch f.Attribute {
	case Proactive, OnRequest:
		f.WithheldReason = ""
	case Withheld:
		if !slices.Contains(WithheldReasons, f.WithheldReason) {
			fs.Add("withheld_reason", "不予公开须选择法定理由")
		}
	default:
		fs.Add("attribute", "请选择公开属性")
	}
	return fs.Err()
}

// --- reading ---

const recordCols = `id, org_id, status, step, title, doc_no, summary, keywords, topic, genre, written_on, formed_on, catalog_key,
	attribute, withheld_reason, body, validity, validity_on, valid_until, replaced_by, COALESCE(index_no, ''), published_at,
	published_on, COALESCE(lag_workdays, -1), limit_text, late, withdrawn_reason, rejected_reason, author_id, author_name,
	created_at, updated_at, doc_kind, domain_id, interprets_id, interp_form, interp_org, interp_dept, interp_contact,
	interp_plan, no_interp_reason`

func scanRecord(row interface{ Scan(...any) error }) (Record, error) {
	var r Record
	var published, created, updated string
	err := row.Scan(&r.ID, &r.OrgID, &r.Status, &r.Step, &r.Title, &r.DocNo, &r.Summary, &r.Keywords, &r.Topic, &r.Genre,
		&r.WrittenOn, &r.FormedOn, &r.CatalogKey, &r.Attribute, &r.WithheldReason, &r.Body, &r.Validity, &r.ValidityOn,
		&r.ValidUntil, &r.ReplacedBy, &r.IndexNo, &published, &r.PublishedOn, &r.LagWorkdays, &r.LimitText, &r.Late,
		&r.WithdrawnReason, &r.RejectedReason, &r.AuthorID, &r.AuthorName, &created, &updated, &r.DocKind, &r.DomainID,
		&r.InterpretsID, &r.InterpForm, &r.InterpOrg, &r.InterpDept, &r.InterpContact, &r.InterpPlan, &r.NoInterpReason)
	if err != nil {
		return r, err
	}
	r.PublishedAt, r.CreatedAt, r.UpdatedAt = db.MustTime(published), db.MustTime(created), db.MustTime(updated)
	return r, nil
}

// Get returns a record by id.
func (s *Service) Get(ctx context.Context, id string) (Record, error) { return s.get(ctx, s.DB.R, id) }

func (s *Service) get(ctx context.Context, q db.Querier, id string) (Record, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, "SELECT "+recordCols+" FROM info_records WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("信息不存在")
	}
	return r, err
}

// Filter selects records for lists.
type Filter struct {
	OrgIDs     []string // nil = all orgs
	Statuses   []string
	Genre      string
	Genres     []string // any of these (with Genre, both apply)
	CatalogKey string
	AuthorID   string
	Attribute  string
	Limit      int
	Offset     int
}

// List returns matching records, newest first, and the total count.
func (s *Service) List(ctx context.Context, f Filter) ([]Record, int, error) {
	where := " WHERE 1=1"
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	in := func(col string, vs []string) {
		if vs == nil {
			return
		}
		if len(vs) == 0 {
			where += " AND 1=0"
			return
		}
		ph := make([]string, len(vs))
		for i, v := range vs {
			ph[i] = arg(v)
		}
		where += " AND " + col + " IN (" + strings.Join(ph, ", ") + ")"
	}
	in("org_id", f.OrgIDs)
	in("status", f.Statuses)
	in("genre", f.Genres)
	if f.Genre != "" {
		where += " AND genre = " + arg(f.Genre)
	}
	if f.CatalogKey != "" {
		where += " AND catalog_key = " + arg(f.CatalogKey)
	}
	if f.AuthorID != "" {
		where += " AND author_id = " + arg(f.AuthorID)
	}
	if f.Attribute != "" {
		where += " AND attribute = " + arg(f.Attribute)
	}
	var total int
	if err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM info_records"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 20
	}
	q := "SELECT " + recordCols + " FROM info_records" + where + " ORDER BY published_at DESC, updated_at DESC, id LIMIT " +
		arg(f.Limit) + " OFFSET " + arg(f.Offset)
	rows, err := s.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// ItemStat is how much public information a catalog item has.
type ItemStat struct {
	Total int
	Last  string // publication date of the newest
}

// CatalogStats counts an org's public records per catalog item in one
// query (the statutory-content page shows every item).
func (s *Service) CatalogStats(ctx context.Context, orgID string) (map[string]ItemStat, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT catalog_key, COUNT(*), MAX(published_on) FROM info_records
		WHERE org_id = $1 AND status = 'published' AND attribute = 'proactive' AND catalog_key <> '' GROUP BY catalog_key`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]ItemStat{}
	for rows.Next() {
		var key string
		var st ItemStat
		if err := rows.Scan(&key, &st.Total, &st.Last); err != nil {
			return nil, err
		}
		out[key] = st
	}
	return out, rows.Err()
}

// Reviews returns a record's review history, oldest first.
func (s *Service) Reviews(ctx context.Context, id string) ([]Review, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT round, step, role, decision, actor_id, actor_name, secrecy_confirmed,
		privacy_ground, comment, at FROM info_reviews WHERE record_id = $1 ORDER BY at, round, step`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Review
	for rows.Next() {
		var r Review
		var at string
		if err := rows.Scan(&r.Round, &r.Step, &r.Role, &r.Decision, &r.ActorID, &r.ActorName, &r.SecrecyConfirmed,
			&r.PrivacyGround, &r.Comment, &at); err != nil {
			return nil, err
		}
		r.At = db.MustTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// --- flow ---

// Flow returns an org's approval roles in order.
func (s *Service) Flow(ctx context.Context, orgID string) ([]org.Role, error) {
	return s.flow(ctx, s.DB.R, orgID)
}

func (s *Service) flow(ctx context.Context, q db.Querier, orgID string) ([]org.Role, error) {
	var raw string
	err := q.QueryRowContext(ctx, "SELECT steps FROM info_review_flows WHERE org_id = $1", orgID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultFlow, nil
	}
	if err != nil {
		return nil, err
	}
	var out []org.Role
	for _, r := range strings.Split(raw, ",") {
		out = append(out, org.Role(r))
	}
	return out, nil
}

// SetFlow configures an org's approval steps (1–5 roles from 审核员 and
// 分管领导; the same role may not follow itself).
func (s *Service) SetFlow(ctx context.Context, actor audit.Actor, orgID string, roles []org.Role) error {
	if len(roles) == 0 || len(roles) > 5 {
		return apperr.Field("steps", "审核步骤应为 1–5 步")
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		if r != org.RoleReviewer && r != org.RoleLeader {
			return apperr.Field("steps", "审核步骤只能由审核员或分管领导担任")
		}
		if i > 0 && roles[i-1] == r {
			return apperr.Field("steps", "相邻两步不能是同一角色")
		}
		names[i] = string(r)
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO info_review_flows (org_id, steps, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (org_id) DO UPDATE SET steps = $2, updated_at = $3`, orgID, strings.Join(names, ","), db.Time(now)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: orgID, Action: "info.flow", ObjectType: "org",
			ObjectID: orgID, Summary: "设置信息审核流程：" + strings.Join(names, " → "), After: names})
		return err
	})
}

// --- editing ---

// Create makes a draft in an org. The caller checked info.edit there.
func (s *Service) Create(ctx context.Context, p *org.Principal, ip, orgID string, f Fields) (Record, error) {
	if err := s.validate(ctx, &f); err != nil {
		return Record{}, err
	}
	if err := s.checkLinks(ctx, s.DB.R, orgID, &f); err != nil {
		return Record{}, err
	}
	now := s.now()
	r := Record{ID: db.NewID(), OrgID: orgID, Status: StatusDraft, Fields: f, Validity: ValidCurrent,
		AuthorID: p.User.ID, AuthorName: p.User.DisplayName, CreatedAt: now, UpdatedAt: now, LagWorkdays: -1}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO info_records (id, org_id, status, title, doc_no, summary, keywords, topic, genre,
			written_on, formed_on, catalog_key, attribute, withheld_reason, body, valid_until, author_id, author_name, created_at, updated_at,
			doc_kind, domain_id, interprets_id, interp_form, interp_org, interp_dept, interp_contact, interp_plan, no_interp_reason)
			VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18,
			$19, $20, $21, $22, $23, $24, $25, $26, $27)`,
			r.ID, orgID, f.Title, f.DocNo, f.Summary, f.Keywords, f.Topic, f.Genre, f.WrittenOn, f.FormedOn, f.CatalogKey,
			f.Attribute, f.WithheldReason, f.Body, f.ValidUntil, r.AuthorID, r.AuthorName, db.Time(now),
			f.DocKind, f.DomainID, f.InterpretsID, f.InterpForm, f.InterpOrg, f.InterpDept, f.InterpContact, f.InterpPlan, f.NoInterpReason)
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: orgID, Action: "info.create",
			ObjectType: "info", ObjectID: r.ID, Summary: "起草信息《" + f.Title + "》", After: summaryOf(f)})
		return err
	})
	return r, err
}

func summaryOf(f Fields) map[string]string {
	return map[string]string{"title": f.Title, "doc_no": f.DocNo, "genre": f.Genre, "formed_on": f.FormedOn,
		"attribute": f.Attribute, "withheld_reason": f.WithheldReason, "catalog_key": f.CatalogKey}
}

// checkLinks checks what a record points at: the catalog item (an item of
// the org's current published catalog; the record's 领域 defaults to the
// item's), the domain, and for an interpretation the policy it explains.
func (s *Service) checkLinks(ctx context.Context, q db.Querier, orgID string, f *Fields) error {
	if f.CatalogKey != "" && s.Catalog != nil {
		v, err := s.Catalog.Current(ctx, orgID)
		var it catalog.Item
		if err == nil {
			it, err = s.Catalog.ItemByKey(ctx, v.ID, f.CatalogKey)
		}
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("catalog_key", "所选目录事项不在本机构当前发布的标准目录中")
		}
		if err != nil {
			return err
		}
		if f.DomainID == "" {
			f.DomainID = it.DomainID
		}
	}
	if f.DomainID != "" && s.Catalog != nil {
		if _, err := s.Catalog.Domain(ctx, f.DomainID); apperr.Is(err, apperr.NotFound) {
			return apperr.Field("domain_id", "所选领域不存在")
		} else if err != nil {
			return err
		}
	}
	if f.InterpretsID != "" {
		p, err := s.get(ctx, q, f.InterpretsID)
		visible := err == nil && (p.OrgID == orgID || p.Status == StatusPublished)
		if apperr.Is(err, apperr.NotFound) || (err == nil && (!visible || !IsPolicy(p.Genre) || p.Status == StatusWithdrawn)) {
			return apperr.Field("interprets_id", "所解读的文件须是本机构的政策文件，或已发布的政策文件")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Update edits a draft (including one sent back by a reviewer).
func (s *Service) Update(ctx context.Context, p *org.Principal, ip, id string, f Fields) (Record, error) {
	if err := s.validate(ctx, &f); err != nil {
		return Record{}, err
	}
	var r Record
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Status != StatusDraft {
			return apperr.New(apperr.Conflict, "只有草稿可以修改；审核中或已发布的信息不能直接改动")
		}
		if err := s.checkLinks(ctx, tx, before.OrgID, &f); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE info_records SET title = $1, doc_no = $2, summary = $3, keywords = $4, topic = $5,
			genre = $6, written_on = $7, formed_on = $8, catalog_key = $9, attribute = $10, withheld_reason = $11, body = $12,
			valid_until = $13, updated_at = $14, doc_kind = $16, domain_id = $17, interprets_id = $18, interp_form = $19,
			interp_org = $20, interp_dept = $21, interp_contact = $22, interp_plan = $23, no_interp_reason = $24 WHERE id = $15`,
			f.Title, f.DocNo, f.Summary, f.Keywords, f.Topic, f.Genre,
			f.WrittenOn, f.FormedOn, f.CatalogKey, f.Attribute, f.WithheldReason, f.Body, f.ValidUntil, db.Time(now), id,
			f.DocKind, f.DomainID, f.InterpretsID, f.InterpForm, f.InterpOrg, f.InterpDept, f.InterpContact, f.InterpPlan, f.NoInterpReason); err != nil {
			return err
		}
		r = before
		r.Fields, r.UpdatedAt = f, now
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: r.OrgID, Action: "info.edit",
			ObjectType: "info", ObjectID: id, Summary: "修改信息《" + f.Title + "》", Before: summaryOf(before.Fields), After: summaryOf(f)})
		return err
	})
	return r, err
}

// Delete removes a draft that was never published.
func (s *Service) Delete(ctx context.Context, p *org.Principal, ip, id string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Status != StatusDraft {
			return apperr.New(apperr.Conflict, "只有草稿可以删除")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM info_records WHERE id = $1", id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(ip), OrgID: r.OrgID, Action: "info.delete",
			ObjectType: "info", ObjectID: id, Summary: "删除草稿《" + r.Title + "》", Before: summaryOf(r.Fields)})
		return err
	})
}
