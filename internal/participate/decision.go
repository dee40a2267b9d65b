package participate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
)

// The annual 重大行政决策事项目录 (第713号令第三条: the catalog is made public
// once the Party committee at the same level agrees). Each entry names its
// 承办单位 and links every stage of the procedure; the solicitation and
// adoption-report stages come from the solicitation that names the entry.

// Catalog entry statuses.
const (
	DecisionDraft   = "draft"
	DecisionListed  = "listed"  // in the published catalog
	DecisionRemoved = "removed" // taken out of the catalog, with the reason shown
)

// DecisionStatusLabels name them.
var DecisionStatusLabels = map[string]string{DecisionDraft: "草稿（未公布）", DecisionListed: "已列入目录", DecisionRemoved: "已调出目录"}

// Stage kinds in procedural order.
const (
	StageKindDraft        = "draft"
	StageKindBackground   = "background"
	StageKindSolicitation = "solicitation"
	StageKindHearing      = "hearing"
	StageKindLegality     = "legality"
	StageKindMeeting      = "meeting"
	StageKindDecision     = "decision"
	StageKindReport       = "report"
)

// StageKind describes a stage of the procedure.
type StageKind struct {
	Kind, Label, Basis string
}

// StageKinds lists the stages with the article of 第713号令 each follows.
var StageKinds = []StageKind{
	{StageKindDraft, "决策草案", "第十二条至第十四条：承办单位拟订决策草案"},
	{StageKindBackground, "决策背景和依据", "第十二条：调查研究，全面梳理与决策事项有关的法律、法规、规章和政策"},
	{StageKindSolicitation, "公开征求意见", "第十五条：公布决策草案及其说明，征求意见期限一般不少于30日"},
	{StageKindHearing, "听证", "第十六条、第十七条：听证参加人名单提前向社会公布，听证材料于听证会7日前送达"},
	{StageKindLegality, "合法性审查", "第二十五条至第二十八条：送请合法性审查，审查时间一般不少于7个工作日"},
	{StageKindMeeting, "集体讨论决定", "第三十条：经决策机关常务会议或者全体会议讨论"},
	{StageKindDecision, "决策公布", "第三十二条：通过政府公报、政府网站等途径及时公布"},
	{StageKindReport, "意见采纳情况", "第十八条、第三十二条：说明公众意见的采纳情况"},
}

// StageLabel names a stage kind.
func StageLabel(kind string) string {
	for _, k := range StageKinds {
		if k.Kind == kind {
			return k.Label
		}
	}
	return kind
}

// DecisionInput is a catalog entry as staff write it.
type DecisionInput struct {
	OrgID        string // 决策机关
	Year         int
	Seq          int // 0: next free number
	Title        string
	UndertakerID string // 承办单位
	Basis        string // 决策依据和背景
	Planned      string // 计划完成时间 (e.g. 2026年第三季度)
}

// DecisionEntry is a stored catalog entry with its stages.
type DecisionEntry struct {
	ID string
	DecisionInput
	Status        string
	ListedOn      string
	RemovedReason string
	Stages        map[string]Stage
	// Solicitation is the newest published solicitation naming the entry.
	Solicitation *Solicitation
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Stage is a recorded stage. Which fields a kind uses: every kind On and
// URL and Note; a hearing ListOn (participant list published) and
// MaterialsOn (materials sent) and Participants; the legality review EndOn
// (opinion issued).
type Stage struct {
	Kind         string
	On           string
	EndOn        string
	ListOn       string
	MaterialsOn  string
	Participants string
	URL          string
	Note         string
	// ReviewWorkdays is the legality review's working days from sending
	// to opinion (computed, not stored; 0 when unknown).
	ReviewWorkdays int
}

// Recorded reports whether anything was entered for the stage.
func (st Stage) Recorded() bool {
	return st.On != "" || st.URL != "" || st.Note != "" || st.Participants != ""
}

func (s *Service) validateDecision(in *DecisionInput) error {
	for _, p := range []*string{&in.OrgID, &in.Title, &in.UndertakerID, &in.Basis, &in.Planned} {
		*p = clean(*p)
	}
	var fs apperr.Fields
	if in.Title == "" {
		fs.Add("title", "决策事项名称不能为空")
	}
	tooLong(&fs, "title", "决策事项名称", in.Title, maxTitle)
	if in.Year < 2019 || in.Year > s.Today().Year+1 {
		fs.Add("year", fmt.Sprintf("年度应为 2019–%d 年（第713号令自2019年9月1日起施行）", s.Today().Year+1))
	}
	if in.Seq < 0 || in.Seq > 999 {
		fs.Add("seq", "序号应为 1–999 的整数")
	}
	if in.UndertakerID == "" {
		fs.Add("undertaker_id", "请选择承办单位")
	}
	tooLong(&fs, "basis", "决策依据和背景", in.Basis, 5000)
	tooLong(&fs, "planned", "计划完成时间", in.Planned, 60)
	return fs.Err()
}

// CreateDecision adds a draft entry to an org's catalog of a year.
func (s *Service) CreateDecision(ctx context.Context, p *org.Principal, ip string, in DecisionInput) (DecisionEntry, error) {
	if in.OrgID == "" {
		return DecisionEntry{}, apperr.Field("org_id", "请选择决策机关")
	}
	if err := s.allowed(ctx, p, org.PermParticipateView, in.OrgID, "机构"); err != nil {
		return DecisionEntry{}, err
	}
	if err := s.can(ctx, p, org.PermParticipateEdit, in.OrgID, "没有编辑决策事项目录的权限"); err != nil {
		return DecisionEntry{}, err
	}
	if err := s.validateDecision(&in); err != nil {
		return DecisionEntry{}, err
	}
	if _, err := s.Orgs.GetOrg(ctx, in.UndertakerID); err != nil {
		return DecisionEntry{}, apperr.Field("undertaker_id", "所选的承办单位不存在")
	}
	id := db.NewID()
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if in.Seq == 0 {
			if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM participate_decisions WHERE org_id = $1 AND year = $2",
				in.OrgID, in.Year).Scan(&in.Seq); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO participate_decisions (id, org_id, year, seq, title, undertaker_id, basis, planned,
			status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $9)`,
			id, in.OrgID, in.Year, in.Seq, in.Title, in.UndertakerID, in.Basis, in.Planned, db.Time(now))
		if db.IsUniqueViolation(err) {
			return apperr.Field("seq", fmt.Sprintf("%d 年目录中已有序号 %d", in.Year, in.Seq))
		}
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: in.OrgID, Action: "participate.decision_create",
			ObjectType: "decision", ObjectID: id, Summary: fmt.Sprintf("%d 年重大行政决策事项目录新增：%s", in.Year, in.Title),
			After: in})
		return err
	})
	if err != nil {
		return DecisionEntry{}, err
	}
	return s.loadDecision(ctx, s.DB.R, id)
}

// UpdateDecision edits an entry (listed ones too: the catalog is adjusted
// during the year; the evidence chain keeps every version).
func (s *Service) UpdateDecision(ctx context.Context, p *org.Principal, ip, id string, in DecisionInput) (DecisionEntry, error) {
	cur, err := s.GetDecision(ctx, p, id)
	if err != nil {
		return DecisionEntry{}, err
	}
	if err := s.can(ctx, p, org.PermParticipateEdit, cur.OrgID, "没有编辑决策事项目录的权限"); err != nil {
		return DecisionEntry{}, err
	}
	in.OrgID = cur.OrgID
	if in.Seq == 0 {
		in.Seq = cur.Seq
	}
	if err := s.validateDecision(&in); err != nil {
		return DecisionEntry{}, err
	}
	if _, err := s.Orgs.GetOrg(ctx, in.UndertakerID); err != nil {
		return DecisionEntry{}, apperr.Field("undertaker_id", "所选的承办单位不存在")
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE participate_decisions SET year = $2, seq = $3, title = $4, undertaker_id = $5, basis = $6,
			planned = $7, updated_at = $8 WHERE id = $1`, id, in.Year, in.Seq, in.Title, in.UndertakerID, in.Basis, in.Planned, db.Time(now))
		if db.IsUniqueViolation(err) {
			return apperr.Field("seq", fmt.Sprintf("%d 年目录中已有序号 %d", in.Year, in.Seq))
		}
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: cur.OrgID, Action: "participate.decision_update",
			ObjectType: "decision", ObjectID: id, Summary: "修改重大行政决策事项：" + in.Title, Before: cur.DecisionInput, After: in})
		return err
	})
	if err != nil {
		return DecisionEntry{}, err
	}
	return s.loadDecision(ctx, s.DB.R, id)
}

// ListDecision publishes an entry in the catalog; RemoveDecision takes it
// out with a reason (it stays visible, marked, so the catalog's history
// is public too).
func (s *Service) ListDecision(ctx context.Context, p *org.Principal, ip, id string) error {
	return s.setDecisionStatus(ctx, p, ip, id, DecisionListed, "")
}

// RemoveDecision takes a listed entry out of the catalog.
func (s *Service) RemoveDecision(ctx context.Context, p *org.Principal, ip, id, reason string) error {
	reason = clean(reason)
	var fs apperr.Fields
	if reason == "" {
		fs.Add("removed_reason", "请写明调出目录的理由")
	}
	tooLong(&fs, "removed_reason", "调出目录的理由", reason, maxReason)
	if err := fs.Err(); err != nil {
		return err
	}
	return s.setDecisionStatus(ctx, p, ip, id, DecisionRemoved, reason)
}

func (s *Service) setDecisionStatus(ctx context.Context, p *org.Principal, ip, id, status, reason string) error {
	cur, err := s.GetDecision(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.can(ctx, p, org.PermParticipateModerate, cur.OrgID, "公布或调整决策事项目录需要审核员权限"); err != nil {
		return err
	}
	switch {
	case status == DecisionListed && cur.Status != DecisionDraft:
		return apperr.New(apperr.Conflict, "该事项已公布")
	case status == DecisionRemoved && cur.Status != DecisionListed:
		return apperr.New(apperr.Conflict, "只有已列入目录的事项可以调出")
	}
	now := s.now()
	listed := cur.ListedOn
	if status == DecisionListed {
		listed = s.Today().String()
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE participate_decisions SET status = $2, listed_on = $3, removed_reason = $4,
			updated_at = $5 WHERE id = $1`, id, status, listed, reason, db.Time(now)); err != nil {
			return err
		}
		summary := fmt.Sprintf("%d 年重大行政决策事项目录公布：%s", cur.Year, cur.Title)
		if status == DecisionRemoved {
			summary = fmt.Sprintf("%d 年重大行政决策事项目录调出：%s（%s）", cur.Year, cur.Title, reason)
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: cur.OrgID, Action: "participate.decision_" + status,
			ObjectType: "decision", ObjectID: id, Summary: summary,
			Before: map[string]string{"status": cur.Status}, After: map[string]string{"status": status, "reason": reason}})
		return err
	})
}

// SetStage records a stage of an entry. The 承办单位's staff may record
// stages as well as the 决策机关's.
func (s *Service) SetStage(ctx context.Context, p *org.Principal, ip, id string, st Stage) (DecisionEntry, error) {
	cur, err := s.loadDecision(ctx, s.DB.R, id)
	if err != nil {
		return DecisionEntry{}, err
	}
	okOrg, err := s.Orgs.Allowed(ctx, p, org.PermParticipateEdit, cur.OrgID)
	if err != nil {
		return DecisionEntry{}, err
	}
	okUnd, err := s.Orgs.Allowed(ctx, p, org.PermParticipateEdit, cur.UndertakerID)
	if err != nil {
		return DecisionEntry{}, err
	}
	if !okOrg && !okUnd {
		if _, err := s.GetDecision(ctx, p, id); err != nil {
			return DecisionEntry{}, err
		}
		return DecisionEntry{}, apperr.New(apperr.Forbidden, "只有决策机关或承办单位的信息发布员可以记录办理环节")
	}
	if err := s.validateStage(ctx, &st); err != nil {
		return DecisionEntry{}, err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO participate_stages (decision_id, kind, on_date, end_date, list_on, materials_on,
			participants, url, note, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (decision_id, kind) DO UPDATE SET on_date = $3, end_date = $4, list_on = $5, materials_on = $6,
			participants = $7, url = $8, note = $9, updated_at = $10`, id, st.Kind, st.On, st.EndOn, st.ListOn, st.MaterialsOn,
			st.Participants, st.URL, st.Note, db.Time(now)); err != nil {
			return err
		}
		old := cur.Stages[st.Kind]
		old.ReviewWorkdays = 0
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: cur.OrgID, Action: "participate.stage",
			ObjectType: "decision", ObjectID: id, Summary: fmt.Sprintf("%s：记录“%s”环节", cur.Title, StageLabel(st.Kind)),
			Before: old, After: st})
		return err
	})
	if err != nil {
		return DecisionEntry{}, err
	}
	return s.loadDecision(ctx, s.DB.R, id)
}

func (s *Service) validateStage(ctx context.Context, st *Stage) error {
	for _, p := range []*string{&st.Kind, &st.On, &st.EndOn, &st.ListOn, &st.MaterialsOn, &st.Participants, &st.URL, &st.Note} {
		*p = clean(*p)
	}
	var fs apperr.Fields
	if StageLabel(st.Kind) == st.Kind {
		return apperr.Field("kind", "未知的办理环节")
	}
	on := parseDay(&fs, "on", "日期", st.On, false)
	if st.URL != "" {
		if u, err := url.Parse(st.URL); err != nil || !(u.Scheme == "https" || u.Scheme == "http") && !(u.Scheme == "" &&
			u.Host == "" && strings.HasPrefix(st.URL, "/") && !strings.HasPrefix(st.URL, "//")) {
			fs.Add("url", "链接应为 https:// 开头的网址，或本站以 / 开头的地址")
		}
	}
	tooLong(&fs, "url", "链接", st.URL, 500)
	tooLong(&fs, "note", "说明", st.Note, 2000)
	tooLong(&fs, "participants", "听证参加人名单", st.Participants, 5000)
	if st.Kind != StageKindHearing {
		st.ListOn, st.MaterialsOn, st.Participants = "", "", ""
	}
	if st.Kind != StageKindLegality {
		st.EndOn = ""
	}
	switch st.Kind {
	case StageKindHearing:
		listOn := parseDay(&fs, "list_on", "参加人名单公布日期", st.ListOn, st.On != "")
		materials := parseDay(&fs, "materials_on", "听证材料送达日期", st.MaterialsOn, st.On != "")
		if st.On != "" && st.Participants == "" {
			fs.Add("participants", "请填写听证参加人名单（第十六条：名单应当提前向社会公布）")
		}
		if on.Year != 0 && listOn.Year != 0 && !listOn.Before(on) {
			fs.Add("list_on", "听证参加人名单应当在听证会召开之前向社会公布（第713号令第十六条）")
		}
		if on.Year != 0 && materials.Year != 0 && materials.After(on.AddDays(-7)) {
			fs.Add("materials_on", fmt.Sprintf("听证会材料应当于听证会7日前送达听证参加人（第713号令第十六条）：听证会 %s，材料最迟应于 %s 送达",
				on, on.AddDays(-7)))
		}
	case StageKindLegality:
		end := parseDay(&fs, "end_on", "审查意见出具日期", st.EndOn, false)
		if on.Year != 0 && end.Year != 0 && end.Before(on) {
			fs.Add("end_on", "审查意见出具日期不能早于送审日期")
		}
	}
	return fs.Err()
}

// GetDecision returns an entry for staff who may see its org's or its
// undertaker's unpublished work.
func (s *Service) GetDecision(ctx context.Context, p *org.Principal, id string) (DecisionEntry, error) {
	d, err := s.loadDecision(ctx, s.DB.R, id)
	if err != nil {
		return d, err
	}
	if err := s.allowed(ctx, p, org.PermParticipateView, d.OrgID, "决策事项"); err != nil {
		if err2 := s.allowed(ctx, p, org.PermParticipateView, d.UndertakerID, "决策事项"); err2 != nil {
			return DecisionEntry{}, err
		}
	}
	return d, nil
}

// PublicDecision returns a listed or removed entry.
func (s *Service) PublicDecision(ctx context.Context, id string) (DecisionEntry, error) {
	d, err := s.loadDecision(ctx, s.DB.R, id)
	if err != nil || d.Status == DecisionDraft {
		return DecisionEntry{}, apperr.NotFoundf("决策事项不存在")
	}
	return d, nil
}

const decisionCols = `id, org_id, year, seq, title, undertaker_id, basis, planned, status, listed_on, removed_reason, created_at, updated_at`

func scanDecision(row interface{ Scan(...any) error }) (DecisionEntry, error) {
	var d DecisionEntry
	var created, updated string
	err := row.Scan(&d.ID, &d.OrgID, &d.Year, &d.Seq, &d.Title, &d.UndertakerID, &d.Basis, &d.Planned, &d.Status, &d.ListedOn,
		&d.RemovedReason, &created, &updated)
	if err != nil {
		return d, err
	}
	d.CreatedAt, d.UpdatedAt = db.MustTime(created), db.MustTime(updated)
	return d, nil
}

func (s *Service) loadDecision(ctx context.Context, q db.Querier, id string) (DecisionEntry, error) {
	d, err := scanDecision(q.QueryRowContext(ctx, "SELECT "+decisionCols+" FROM participate_decisions WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.NotFoundf("决策事项不存在或无权查看")
	}
	if err != nil {
		return d, err
	}
	return d, s.fillDecision(ctx, q, &d)
}

func (s *Service) fillDecision(ctx context.Context, q db.Querier, d *DecisionEntry) error {
	d.Stages = map[string]Stage{}
	rows, err := q.QueryContext(ctx, `SELECT kind, on_date, end_date, list_on, materials_on, participants, url, note
		FROM participate_stages WHERE decision_id = $1`, d.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var st Stage
		if err := rows.Scan(&st.Kind, &st.On, &st.EndOn, &st.ListOn, &st.MaterialsOn, &st.Participants, &st.URL, &st.Note); err != nil {
			rows.Close()
			return err
		}
		d.Stages[st.Kind] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if st, ok := d.Stages[StageKindLegality]; ok && st.On != "" && st.EndOn != "" && s.Calendar != nil {
		if cal, err := s.Calendar(ctx); err == nil {
			if n, err := cal.WorkdaysBetween(optDate(st.On), optDate(st.EndOn)); err == nil {
				st.ReviewWorkdays = n
				d.Stages[StageKindLegality] = st
			}
		}
	}
	sol, err := scanSolicitation(q.QueryRowContext(ctx, "SELECT "+solicitationCols+` FROM participate_solicitations
		WHERE decision_id = $1 AND status <> 'draft' ORDER BY created_at DESC LIMIT 1`, d.ID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	default:
		d.Solicitation = &sol
	}
	return nil
}

// DecisionFilter narrows a catalog list.
type DecisionFilter struct {
	Year   int
	OrgIDs []string // nil: every org
	Public bool     // listed and removed entries only
}

// Decisions lists catalog entries by org and number.
func (s *Service) Decisions(ctx context.Context, p *org.Principal, year int) ([]DecisionEntry, error) {
	scope, err := s.Orgs.Scope(ctx, p, org.PermParticipateView)
	if err != nil || len(scope) == 0 {
		return nil, err
	}
	return s.decisions(ctx, DecisionFilter{Year: year, OrgIDs: scope})
}

// PublicDecisions lists the published catalog of a year.
func (s *Service) PublicDecisions(ctx context.Context, year int) ([]DecisionEntry, error) {
	return s.decisions(ctx, DecisionFilter{Year: year, Public: true})
}

func (s *Service) decisions(ctx context.Context, f DecisionFilter) ([]DecisionEntry, error) {
	args := []any{f.Year}
	where := " WHERE year = $1"
	if f.Public {
		where += " AND status <> 'draft'"
	}
	if f.OrgIDs != nil {
		ph := make([]string, len(f.OrgIDs))
		for i, id := range f.OrgIDs {
			args = append(args, id)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		// The undertaker sees the entries it carries out, too.
		where += " AND (org_id IN (" + strings.Join(ph, ", ") + ") OR undertaker_id IN (" + strings.Join(ph, ", ") + "))"
	}
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+decisionCols+" FROM participate_decisions"+where+" ORDER BY org_id, seq", args...)
	if err != nil {
		return nil, err
	}
	var out []DecisionEntry
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.fillDecision(ctx, s.DB.R, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CatalogYears lists the years that have a published catalog, newest first.
func (s *Service) CatalogYears(ctx context.Context) ([]int, error) {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT DISTINCT year FROM participate_decisions WHERE status <> 'draft' ORDER BY year DESC")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	return out, rows.Err()
}
