package participate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// Solicitation statuses (stored).
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusReported  = "reported"
)

// Stages as the portal shows them; all but StageDraft follow from the
// status and the calendar.
const (
	StageDraft      = "draft"
	StageUpcoming   = "upcoming"   // published, period not begun
	StageOpen       = "open"       // 意见征集中
	StageProcessing = "processing" // 意见处理中
	StageReported   = "reported"   // 采纳情况已公布
)

// StageLabels name the stages in Chinese.
var StageLabels = map[string]string{StageDraft: "草稿（未发布）", StageUpcoming: "即将开始", StageOpen: "意见征集中",
	StageProcessing: "意见处理中", StageReported: "采纳情况已公布"}

// MajorMinDays is the minimum period of a major decision's solicitation:
// "公开征求意见的期限一般不少于30日" (第713号令第十五条) — calendar days.
const MajorMinDays = 30

// Limits on staff input.
const (
	maxTitle       = 200
	maxDraft       = 200_000
	maxExplanation = 50_000
	maxHowTo       = 2000
	maxReason      = 1000
)

// SolicitationInput is what staff write.
type SolicitationInput struct {
	OrgID         string
	DecisionID    string // the catalog entry it belongs to (optional)
	Title         string
	Draft         string // HTML or plain text; sanitized on save
	Explanation   string // 起草说明; sanitized on save
	HowTo         string // other ways to comment (letter, e-mail, address)
	StartOn       string // YYYY-MM-DD
	EndOn         string // YYYY-MM-DD, inclusive
	Major         bool   // 重大行政决策事项
	ShortenReason string // why a major one runs under 30 days (published)
}

// Solicitation is a stored solicitation.
type Solicitation struct {
	ID string
	SolicitationInput
	Status        string
	PublishedOn   string
	ReportSummary string
	ReportedOn    string
	CommentSeq    int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Days is the period's length in calendar days, both ends included
// (3月1日至3月30日 is 30 days).
func (s Solicitation) Days() int {
	a, b := optDate(s.StartOn), optDate(s.EndOn)
	if a.Year == 0 || b.Year == 0 {
		return 0
	}
	return daysBetween(a, b) + 1
}

// Shortened reports whether a major decision's period is under 30 days
// (with its reason published).
func (s Solicitation) Shortened() bool { return s.Major && s.Days() < MajorMinDays }

// NextDay is the day after a YYYY-MM-DD date ("" when it is not one): the
// first day of 意见处理中 after an end day.
func NextDay(date string) string {
	d, err := workday.ParseDate(date)
	if err != nil {
		return ""
	}
	return d.AddDays(1).String()
}

// Stage is the portal stage on day today.
func (s Solicitation) Stage(today workday.Date) string {
	switch s.Status {
	case StatusDraft:
		return StageDraft
	case StatusReported:
		return StageReported
	}
	if today.Before(optDate(s.StartOn)) {
		return StageUpcoming
	}
	if today.After(optDate(s.EndOn)) {
		return StageProcessing
	}
	return StageOpen
}

// validate trims and checks in; Draft and Explanation come back sanitized.
func (s *Service) validate(ctx context.Context, q db.Querier, in *SolicitationInput) error {
	for _, p := range []*string{&in.OrgID, &in.DecisionID, &in.Title, &in.HowTo, &in.StartOn, &in.EndOn, &in.ShortenReason} {
		*p = clean(*p)
	}
	in.Draft = info.Sanitize(in.Draft)
	in.Explanation = info.Sanitize(in.Explanation)
	var fs apperr.Fields
	if in.Title == "" {
		fs.Add("title", "标题不能为空")
	}
	tooLong(&fs, "title", "标题", in.Title, maxTitle)
	if in.Draft == "" {
		fs.Add("draft", "请填写征求意见稿正文")
	}
	tooLong(&fs, "draft", "征求意见稿正文", in.Draft, maxDraft)
	if in.Explanation == "" {
		fs.Add("explanation", "请填写起草说明（第713号令第十五条：公布决策草案及其说明等材料）")
	}
	tooLong(&fs, "explanation", "起草说明", in.Explanation, maxExplanation)
	tooLong(&fs, "how_to", "其他提出意见的方式", in.HowTo, maxHowTo)
	tooLong(&fs, "shorten_reason", "缩短期限的理由", in.ShortenReason, maxReason)
	start := parseDay(&fs, "start_on", "征集开始日期", in.StartOn, true)
	end := parseDay(&fs, "end_on", "征集截止日期", in.EndOn, true)
	if in.DecisionID != "" {
		var dOrg, undertaker string
		err := q.QueryRowContext(ctx, "SELECT org_id, undertaker_id FROM participate_decisions WHERE id = $1", in.DecisionID).Scan(&dOrg, &undertaker)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			fs.Add("decision_id", "所选的重大行政决策事项不存在")
		case err != nil:
			return err
		case dOrg != in.OrgID && undertaker != in.OrgID:
			fs.Add("decision_id", "所选决策事项的决策机关或承办单位应为本单位")
		default:
			in.Major = true // a catalog entry is a major decision by definition
		}
	}
	if start.Year != 0 && end.Year != 0 {
		days := daysBetween(start, end) + 1
		switch {
		case end.Before(start):
			fs.Add("end_on", "征集截止日期不能早于开始日期")
		case days > 366:
			fs.Add("end_on", "征集期限不能超过一年")
		case in.Major && days < MajorMinDays && in.ShortenReason == "":
			fs.Add("end_on", fmt.Sprintf("重大行政决策事项公开征求意见的期限一般不少于30日（第713号令第十五条），现为 %d 日；"+
				"因情况紧急等原因需要缩短的，请填写缩短期限的理由，将随征求意见一并公布", days))
		}
	}
	if in.OrgID == "" {
		fs.Add("org_id", "请选择发布单位")
	}
	return fs.Err()
}

// Create stores a new draft solicitation.
func (s *Service) Create(ctx context.Context, p *org.Principal, ip string, in SolicitationInput) (Solicitation, error) {
	if in.OrgID == "" {
		return Solicitation{}, apperr.Field("org_id", "请选择发布单位")
	}
	if err := s.allowed(ctx, p, org.PermParticipateView, in.OrgID, "机构"); err != nil {
		return Solicitation{}, err
	}
	if err := s.can(ctx, p, org.PermParticipateEdit, in.OrgID, "没有起草征求意见的权限"); err != nil {
		return Solicitation{}, err
	}
	now := s.now()
	id := db.NewID()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.validate(ctx, tx, &in); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO participate_solicitations (id, org_id, decision_id, title, draft_html,
			explanation_html, how_to, start_on, end_on, major, shorten_reason, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12, $12)`,
			id, in.OrgID, nullable(in.DecisionID), in.Title, in.Draft, in.Explanation, in.HowTo, in.StartOn, in.EndOn, in.Major,
			in.ShortenReason, db.Time(now)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: in.OrgID, Action: "participate.create",
			ObjectType: "solicitation", ObjectID: id, Summary: "新建征求意见《" + in.Title + "》", After: summaryOf(in)})
		return err
	})
	if err != nil {
		return Solicitation{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

func summaryOf(in SolicitationInput) map[string]any {
	return map[string]any{"title": in.Title, "start_on": in.StartOn, "end_on": in.EndOn, "major": in.Major,
		"shorten_reason": in.ShortenReason, "decision_id": in.DecisionID, "draft_chars": len([]rune(in.Draft))}
}

// Update changes a draft (a published solicitation's text is what the
// public commented on, so it is fixed; only its end day can be extended).
func (s *Service) Update(ctx context.Context, p *org.Principal, ip, id string, in SolicitationInput) (Solicitation, error) {
	cur, err := s.Get(ctx, p, id)
	if err != nil {
		return Solicitation{}, err
	}
	if err := s.can(ctx, p, org.PermParticipateEdit, cur.OrgID, "没有编辑征求意见的权限"); err != nil {
		return Solicitation{}, err
	}
	in.OrgID = cur.OrgID
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, "SELECT status FROM participate_solicitations WHERE id = $1", id).Scan(&status); err != nil {
			return err
		}
		if status != StatusDraft {
			return apperr.New(apperr.Conflict, "已发布的征求意见不能修改正文；如需延长征集期限，请使用“延长期限”")
		}
		if err := s.validate(ctx, tx, &in); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE participate_solicitations SET decision_id = $2, title = $3, draft_html = $4,
			explanation_html = $5, how_to = $6, start_on = $7, end_on = $8, major = $9, shorten_reason = $10, updated_at = $11
			WHERE id = $1`, id, nullable(in.DecisionID), in.Title, in.Draft, in.Explanation, in.HowTo, in.StartOn, in.EndOn,
			in.Major, in.ShortenReason, db.Time(now)); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: cur.OrgID, Action: "participate.update",
			ObjectType: "solicitation", ObjectID: id, Summary: "修改征求意见稿《" + in.Title + "》",
			Before: summaryOf(cur.SolicitationInput), After: summaryOf(in)})
		return err
	})
	if err != nil {
		return Solicitation{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// Discard deletes a draft that was never published.
func (s *Service) Discard(ctx context.Context, p *org.Principal, ip, id string) error {
	cur, err := s.Get(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.can(ctx, p, org.PermParticipateEdit, cur.OrgID, "没有编辑征求意见的权限"); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM participate_files WHERE solicitation_id = $1 AND EXISTS (SELECT 1 FROM "+
			"participate_solicitations WHERE id = $1 AND status = 'draft')", id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM participate_solicitations WHERE id = $1 AND status = 'draft'", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "只有未发布的草稿可以删除")
		}
		_, err = audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(ip), OrgID: cur.OrgID, Action: "participate.discard",
			ObjectType: "solicitation", ObjectID: id, Summary: "删除征求意见草稿《" + cur.Title + "》", Before: summaryOf(cur.SolicitationInput)})
		return err
	})
}

// Publish puts a draft on the portal. The period may not start before
// the day of publication (a period already running when announced would be
// shorter than it says), and the 30-day rule is checked again.
func (s *Service) Publish(ctx context.Context, p *org.Principal, ip, id string) (Solicitation, error) {
	cur, err := s.Get(ctx, p, id)
	if err != nil {
		return Solicitation{}, err
	}
	if err := s.can(ctx, p, org.PermParticipateModerate, cur.OrgID, "发布征求意见需要审核员权限"); err != nil {
		return Solicitation{}, err
	}
	today := s.Today()
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status != StatusDraft {
			return apperr.New(apperr.Conflict, "该征求意见已发布")
		}
		in := c.SolicitationInput
		if err := s.validate(ctx, tx, &in); err != nil {
			return err
		}
		if optDate(in.StartOn).Before(today) {
			return apperr.Field("start_on", fmt.Sprintf("征集开始日期 %s 已过：开始日期不能早于发布之日（%s），请修改后再发布",
				in.StartOn, today))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE participate_solicitations SET status = 'published', published_on = $2,
			updated_at = $3 WHERE id = $1`, id, today.String(), db.Time(now)); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: "participate.publish",
			ObjectType: "solicitation", ObjectID: id, Summary: fmt.Sprintf("发布征求意见《%s》（%s 至 %s，%d 日）", c.Title,
				c.StartOn, c.EndOn, c.Days()), After: summaryOf(in)})
		return err
	})
	if err != nil {
		return Solicitation{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// Extend moves the end day of a running solicitation later, with the
// reason (recorded in the evidence chain and shown with the period).
func (s *Service) Extend(ctx context.Context, p *org.Principal, ip, id, endOn, reason string) (Solicitation, error) {
	cur, err := s.Get(ctx, p, id)
	if err != nil {
		return Solicitation{}, err
	}
	if err := s.can(ctx, p, org.PermParticipateModerate, cur.OrgID, "延长征集期限需要审核员权限"); err != nil {
		return Solicitation{}, err
	}
	endOn, reason = clean(endOn), clean(reason)
	var fs apperr.Fields
	end := parseDay(&fs, "end_on", "新的截止日期", endOn, true)
	if reason == "" {
		fs.Add("extend_reason", "请填写延长期限的理由")
	}
	tooLong(&fs, "extend_reason", "延长期限的理由", reason, maxReason)
	if err := fs.Err(); err != nil {
		return Solicitation{}, err
	}
	today := s.Today()
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status != StatusPublished || today.After(optDate(c.EndOn)) {
			return apperr.New(apperr.Conflict, "只有正在征集（或即将开始）的征求意见可以延长期限")
		}
		if !end.After(optDate(c.EndOn)) {
			return apperr.Field("end_on", "新的截止日期应晚于原截止日期 "+c.EndOn)
		}
		if daysBetween(optDate(c.StartOn), end)+1 > 366 {
			return apperr.Field("end_on", "征集期限不能超过一年")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE participate_solicitations SET end_on = $2, updated_at = $3 WHERE id = $1",
			id, end.String(), db.Time(now)); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: c.OrgID, Action: "participate.extend",
			ObjectType: "solicitation", ObjectID: id, Summary: fmt.Sprintf("《%s》征集期限延长至 %s：%s", c.Title, end, reason),
			Before: map[string]string{"end_on": c.EndOn}, After: map[string]string{"end_on": end.String(), "reason": reason}})
		return err
	})
	if err != nil {
		return Solicitation{}, err
	}
	return s.load(ctx, s.DB.R, id)
}

// Get returns a solicitation for staff who may see its org's unpublished
// work.
func (s *Service) Get(ctx context.Context, p *org.Principal, id string) (Solicitation, error) {
	c, err := s.load(ctx, s.DB.R, id)
	if err != nil {
		return Solicitation{}, err
	}
	if err := s.allowed(ctx, p, org.PermParticipateView, c.OrgID, "征求意见"); err != nil {
		return Solicitation{}, err
	}
	return c, nil
}

// Public returns a published solicitation; drafts do not exist for the
// public.
func (s *Service) Public(ctx context.Context, id string) (Solicitation, error) {
	c, err := s.load(ctx, s.DB.R, id)
	if err != nil {
		return Solicitation{}, err
	}
	if c.Status == StatusDraft {
		return Solicitation{}, apperr.NotFoundf("征求意见不存在或已删除")
	}
	return c, nil
}

const solicitationCols = `id, org_id, COALESCE(decision_id, ''), title, draft_html, explanation_html, how_to, start_on, end_on,
	major, shorten_reason, status, published_on, report_summary, reported_on, comment_seq, created_at, updated_at`

func scanSolicitation(row interface{ Scan(...any) error }) (Solicitation, error) {
	var c Solicitation
	var created, updated string
	err := row.Scan(&c.ID, &c.OrgID, &c.DecisionID, &c.Title, &c.Draft, &c.Explanation, &c.HowTo, &c.StartOn, &c.EndOn,
		&c.Major, &c.ShortenReason, &c.Status, &c.PublishedOn, &c.ReportSummary, &c.ReportedOn, &c.CommentSeq, &created, &updated)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = db.MustTime(created), db.MustTime(updated)
	return c, nil
}

func (s *Service) load(ctx context.Context, q db.Querier, id string) (Solicitation, error) {
	c, err := scanSolicitation(q.QueryRowContext(ctx, "SELECT "+solicitationCols+" FROM participate_solicitations WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("征求意见不存在或已删除")
	}
	return c, err
}

// Row is a solicitation in a list, with its comment counts.
type Row struct {
	Solicitation
	Pending, Approved, Rejected int
}

// Filter narrows a list.
type Filter struct {
	OrgIDs []string // staff scope; nil = every org (public lists)
	Stage  string   // one of the stages; "" = all
	Limit  int
	Offset int
}

// List returns solicitations for staff: every status in p's scope, newest
// first.
func (s *Service) List(ctx context.Context, p *org.Principal, f Filter) ([]Row, int, error) {
	scope, err := s.Orgs.Scope(ctx, p, org.PermParticipateView)
	if err != nil {
		return nil, 0, err
	}
	if len(scope) == 0 {
		return nil, 0, nil
	}
	f.OrgIDs = scope
	return s.list(ctx, f, false)
}

// PublicList returns published solicitations (of one stage when asked),
// the running ones first, then by end day, newest first.
func (s *Service) PublicList(ctx context.Context, f Filter) ([]Row, int, error) {
	f.OrgIDs = nil
	return s.list(ctx, f, true)
}

func (s *Service) list(ctx context.Context, f Filter, public bool) ([]Row, int, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if public {
		where = append(where, "status <> 'draft'")
	}
	if f.OrgIDs != nil {
		ph := make([]string, len(f.OrgIDs))
		for i, id := range f.OrgIDs {
			ph[i] = arg(id)
		}
		where = append(where, "org_id IN ("+strings.Join(ph, ", ")+")")
	}
	today := s.Today().String()
	switch f.Stage {
	case StageDraft:
		where = append(where, "status = 'draft'")
	case StageUpcoming:
		where = append(where, "status = 'published' AND start_on > "+arg(today))
	case StageOpen:
		where = append(where, "status = 'published' AND start_on <= "+arg(today)+" AND end_on >= "+arg(today))
	case StageProcessing:
		where = append(where, "status = 'published' AND end_on < "+arg(today))
	case StageReported:
		where = append(where, "status = 'reported'")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM participate_solicitations"+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 20
	}
	// Running ones first (ordered by the nearest end day), then the rest
	// newest first.
	order := arg(today)
	q := "SELECT " + solicitationCols + ` FROM participate_solicitations` + cond + `
		ORDER BY CASE WHEN status = 'published' AND end_on >= ` + order + ` THEN 0 ELSE 1 END,
		CASE WHEN status = 'published' AND end_on >= ` + order + ` THEN end_on ELSE '' END,
		end_on DESC, created_at DESC LIMIT ` + arg(limit) + " OFFSET " + arg(max(f.Offset, 0))
	rows, err := s.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	var out []Row
	for rows.Next() {
		c, err := scanSolicitation(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, Row{Solicitation: c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if err := s.counts(ctx, &out[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func (s *Service) counts(ctx context.Context, r *Row) error {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT status, COUNT(*) FROM participate_comments WHERE solicitation_id = $1 GROUP BY status", r.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return err
		}
		switch st {
		case CommentPending:
			r.Pending = n
		case CommentApproved:
			r.Approved = n
		case CommentRejected:
			r.Rejected = n
		}
	}
	return rows.Err()
}

// Counts returns a solicitation's comment counts.
func (s *Service) Counts(ctx context.Context, c Solicitation) (Row, error) {
	r := Row{Solicitation: c}
	return r, s.counts(ctx, &r)
}
