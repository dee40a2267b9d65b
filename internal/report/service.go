package report

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

var cst = time.FixedZone("CST", 8*3600)

// Service is the annual report capability.
type Service struct {
	DB    *db.DB
	Orgs  *org.Service
	Apply *apply.Service
	Info  *info.Service
	// Calendar is consulted only to tell staff when a year has no
	// working-day calendar: no figure of the report depends on it.
	Calendar func(context.Context) (*workday.Calendar, error)
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Today is the service's current day in China.
func (s *Service) Today() workday.Date { return workday.DateOf(s.now()) }

// Report is a stored report row: what the unit entered, and the snapshot
// once published.
type Report struct {
	ID, OrgID       string
	Year            int
	Status          string
	Manual          Manual
	FiguresSaved    bool // table 二's entered figures were saved at least once
	Supplement      Supplement
	Sections        Sections
	Snapshot        []byte
	SnapshotSHA256  string
	PublishedAt     time.Time
	PublishedByName string
	UpdatedByName   string
	UpdatedAt       time.Time
	updatedAt       string // as stored, the optimistic-lock token of Publish
}

const reportCols = `id, org_id, year, status, licensing, penalty, enforcement, fee_yuan, figures_saved_at, supplement,
	section_overview, section_problems, section_other, snapshot, snapshot_sha256, published_at, published_by_name,
	updated_by_name, updated_at`

func scanReport(row interface{ Scan(...any) error }) (Report, error) {
	var r Report
	var saved, supp, snap, published string
	err := row.Scan(&r.ID, &r.OrgID, &r.Year, &r.Status, &r.Manual.Licensing, &r.Manual.Penalty, &r.Manual.Enforcement,
		&r.Manual.FeeYuan, &saved, &supp, &r.Sections.Overview, &r.Sections.Problems, &r.Sections.Other, &snap,
		&r.SnapshotSHA256, &published, &r.PublishedByName, &r.UpdatedByName, &r.updatedAt)
	if err != nil {
		return r, err
	}
	r.FiguresSaved = saved != ""
	if supp != "" {
		if err := json.Unmarshal([]byte(supp), &r.Supplement); err != nil {
			return r, fmt.Errorf("annual report %s: supplement: %w", r.ID, err)
		}
	}
	if snap != "" {
		r.Snapshot = []byte(snap)
	}
	if published != "" {
		r.PublishedAt = db.MustTime(published)
	}
	r.UpdatedAt = db.MustTime(r.updatedAt)
	return r, nil
}

// load returns the stored report of orgID for year; ok is false when the
// unit has not saved anything yet.
func (s *Service) load(ctx context.Context, q db.Querier, orgID string, year int) (Report, bool, error) {
	r, err := scanReport(q.QueryRowContext(ctx, "SELECT "+reportCols+" FROM annual_reports WHERE org_id = $1 AND year = $2", orgID, year))
	if errors.Is(err, sql.ErrNoRows) {
		return Report{OrgID: orgID, Year: year, Status: StatusDraft}, false, nil
	}
	return r, err == nil, err
}

// reportOrg loads an org that publishes annual reports.
func (s *Service) reportOrg(ctx context.Context, orgID string) (org.Org, error) {
	o, err := s.Orgs.GetOrg(ctx, orgID)
	if err != nil {
		return o, err
	}
	if !Reportable(o.Kind) {
		return o, apperr.New(apperr.Invalid, o.Kind.Label()+"是基层群众性自治组织，不是行政机关，不编制政府信息公开工作年度报告")
	}
	return o, nil
}

// CheckYear refuses years the 2021 format does not cover and years not yet begun.
func (s *Service) CheckYear(year int) error {
	switch {
	case year < FirstYear:
		return apperr.Field("year", fmt.Sprintf("%d 年以前的年度报告使用旧版格式（国办公开办函〔2019〕60号），本系统按 %s 格式编制 %d 年及以后的报告",
			FirstYear, Format, FirstYear))
	case year > s.Today().Year:
		return apperr.Field("year", fmt.Sprintf("%d 年尚未开始，不能编制该年度的报告", year))
	}
	return nil
}

// Government reports whether o's report aggregates its departments.
func Government(o org.Org) bool { return o.Kind == org.KindDistrict }

func editPerm(o org.Org) org.Permission {
	if Government(o) {
		return org.PermReportCompile
	}
	return org.PermReportEdit
}

func publishPerm(o org.Org) org.Permission {
	if Government(o) {
		return org.PermReportCompile
	}
	return org.PermReportPublish
}

// authorize answers NotFound when p may not even see o's reports (so a
// unit's drafts look absent to other units) and Forbidden when p sees them
// but may not do this.
func (s *Service) authorize(ctx context.Context, p *org.Principal, perm org.Permission, o org.Org) error {
	ok, err := s.Orgs.Allowed(ctx, p, perm, o.ID)
	if err != nil || ok {
		return err
	}
	view, err := s.Orgs.Allowed(ctx, p, org.PermReportView, o.ID)
	if err != nil {
		return err
	}
	if !view {
		return apperr.NotFoundf("年度报告不存在或无权查看")
	}
	switch {
	case Government(o):
		return apperr.New(apperr.Forbidden, "本级政府年度报告由政务公开办编制和发布（条例第四十九条）")
	case perm == org.PermReportPublish:
		return apperr.New(apperr.Forbidden, "年度报告须由本单位审核员（公开机构负责人）或分管领导发布")
	}
	return apperr.New(apperr.Forbidden, "没有编制本单位年度报告的权限（需要信息发布员角色）")
}

// departments are the orgs a government's report aggregates besides itself.
func (s *Service) departments(ctx context.Context, o org.Org) ([]org.Org, error) {
	if !Government(o) {
		return nil, nil
	}
	children, err := s.Orgs.Children(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	var out []org.Org
	for _, c := range children {
		if c.Kind == org.KindDepartment {
			out = append(out, c)
		}
	}
	return out, nil
}

// ownFigures computes what the platform's records say about orgIDs' year.
func (s *Service) ownFigures(ctx context.Context, orgIDs []string, year int) (Tables, Fees, map[string]int, error) {
	var t Tables
	cases, err := s.Apply.ReportCases(ctx, orgIDs, year)
	if err != nil {
		return t, Fees{}, nil, err
	}
	if t.T3, err = Table3From(cases, year); err != nil {
		return t, Fees{}, nil, err
	}
	rt, err := s.Apply.RemedyTable(ctx, orgIDs, year)
	if err != nil {
		return t, Fees{}, nil, err
	}
	t.T4 = Table4(rt)
	pol, err := s.Info.PolicyReport(ctx, orgIDs, year)
	if err != nil {
		return t, Fees{}, nil, err
	}
	t.T2.Rules, t.T2.Normative = pol[info.ReportGenres[0]], pol[info.ReportGenres[1]]
	ft, err := s.Apply.FeesPaid(ctx, orgIDs, year)
	if err != nil {
		return t, Fees{}, nil, err
	}
	pro, err := s.Info.ProactiveCounts(ctx, orgIDs, year)
	if err != nil {
		return t, Fees{}, nil, err
	}
	return t, Fees{Cases: ft.Cases, AmountFen: ft.Amount}, pro, nil
}

// live builds the document of an unpublished report from the records and
// what the unit entered. A government's adds each department's published
// snapshot, or the department's live draft when it has not published.
func (s *Service) live(ctx context.Context, o org.Org, year int, rep Report) (Document, error) {
	t, fees, pro, err := s.ownFigures(ctx, []string{o.ID}, year)
	if err != nil {
		return Document{}, err
	}
	t.T2.Manual = rep.Manual
	t.add(Tables{T3: rep.Supplement.T3, T4: rep.Supplement.T4})
	d := Document{Format: Format, Org: OrgRef{ID: o.ID, Code: o.Code, Name: o.Name, Kind: o.Kind}, Year: year,
		Title: Title(o.Name, year), Status: StatusDraft, Sections: rep.Sections, Fees: fees, Proactive: pro,
		Supplement: rep.Supplement.Note}
	deps, err := s.departments(ctx, o)
	if err != nil {
		return Document{}, err
	}
	if Government(o) {
		d.Coverage = append(d.Coverage, Covered{OrgID: o.ID, Name: o.Name + "（本级）", Self: true})
	}
	for _, dep := range deps {
		drep, ok, err := s.load(ctx, s.DB.R, dep.ID, year)
		if err != nil {
			return Document{}, err
		}
		var dd Document
		published := ok && drep.Status == StatusPublished
		if published {
			if dd, err = DecodeSnapshot(drep.Snapshot); err != nil {
				return Document{}, fmt.Errorf("%s：%w", dep.Name, err)
			}
		} else if dd, err = s.live(ctx, dep, year, drep); err != nil {
			return Document{}, err
		}
		t.add(dd.Tables())
		d.Fees.Cases += dd.Fees.Cases
		d.Fees.AmountFen += dd.Fees.AmountFen
		for g, n := range dd.Proactive {
			d.Proactive[g] += n
		}
		d.Coverage = append(d.Coverage, Covered{OrgID: dep.ID, Name: dep.Name, Published: published})
	}
	d.Table2, d.Table3, d.Table4 = t.T2, t.T3, t.T4
	d.Notes = readerNotes(d)
	return d, nil
}

// readerNotes explain the document's figures to its readers.
func readerNotes(d Document) []string {
	var notes []string
	if len(d.Coverage) > 0 {
		notes = append(notes, fmt.Sprintf("本报告统计范围为%s本级及其%d个工作部门；街道办事处、乡镇人民政府另行发布年度报告。",
			d.Org.Name, len(d.Coverage)-1))
	}
	if d.Table2 == (Table2{}) {
		notes = append(notes, "本年度没有制发、废止或现行有效的规章和行政规范性文件，也没有行政许可、行政处罚、行政强制决定和行政事业性收费，表二各项均为 0。")
	}
	if d.Table3 == (Table3{}) {
		notes = append(notes, "本年度未收到政府信息公开申请，也没有上年结转的申请，表三各项均为 0。")
	}
	if d.Table4 == (Table4{}) {
		notes = append(notes, "本年度没有因政府信息公开工作被申请行政复议或者提起行政诉讼，表四各项均为 0。")
	}
	if d.Supplement != "" {
		notes = append(notes, "表三、表四含未在本平台办理的事项："+d.Supplement)
	}
	return notes
}

// Current is the report of orgID for year as it stands: the published
// snapshot, or the draft computed now. It checks no permission (command
// line and internal callers); staff go through View.
func (s *Service) Current(ctx context.Context, orgID string, year int) (Document, error) {
	o, err := s.reportOrg(ctx, orgID)
	if err != nil {
		return Document{}, err
	}
	if err := s.CheckYear(year); err != nil {
		return Document{}, err
	}
	rep, _, err := s.load(ctx, s.DB.R, o.ID, year)
	if err != nil {
		return Document{}, err
	}
	if rep.Status == StatusPublished {
		return DecodeSnapshot(rep.Snapshot)
	}
	return s.live(ctx, o, year, rep)
}

// View is what the back office shows of one report.
type View struct {
	Org        org.Org
	Year       int
	Report     Report
	Exists     bool
	Doc        Document
	Problems   []Problem // broken 勾稽 rules (empty: all hold)
	Blockers   []string  // other reasons it cannot be published now
	Hints      []string  // worth a look, not blocking
	Deadline   workday.Date
	DaysLeft   int
	CanEdit    bool
	CanPublish bool
}

// Government reports whether the report aggregates departments.
func (v View) Government() bool { return Government(v.Org) }

// View returns a report for staff who may see the org's reports.
func (s *Service) View(ctx context.Context, p *org.Principal, orgID string, year int) (View, error) {
	o, err := s.Orgs.GetOrg(ctx, orgID)
	if err != nil {
		return View{}, err
	}
	if err := s.authorize(ctx, p, org.PermReportView, o); err != nil {
		return View{}, err
	}
	if !Reportable(o.Kind) {
		_, err := s.reportOrg(ctx, orgID)
		return View{}, err
	}
	if err := s.CheckYear(year); err != nil {
		return View{}, err
	}
	rep, ok, err := s.load(ctx, s.DB.R, o.ID, year)
	if err != nil {
		return View{}, err
	}
	v := View{Org: o, Year: year, Report: rep, Exists: ok, Deadline: Deadline(o.Kind, year)}
	v.DaysLeft = daysBetween(s.Today(), v.Deadline)
	v.CanEdit, _ = s.Orgs.Allowed(ctx, p, editPerm(o), o.ID)
	v.CanPublish, _ = s.Orgs.Allowed(ctx, p, publishPerm(o), o.ID)
	if rep.Status == StatusPublished {
		v.CanEdit, v.CanPublish = false, false
		if v.Doc, err = DecodeSnapshot(rep.Snapshot); err != nil {
			return View{}, err
		}
		if sum := sha256.Sum256(rep.Snapshot); hex.EncodeToString(sum[:]) != rep.SnapshotSHA256 {
			v.Blockers = append(v.Blockers, "已发布快照的校验值与发布时记录的不一致，快照可能被改动，请联系系统管理员核查证据链")
		}
		v.Problems = Validate(v.Doc.Tables())
		return v, nil
	}
	if v.Doc, err = s.live(ctx, o, year, rep); err != nil {
		return View{}, err
	}
	v.Problems = Validate(v.Doc.Tables())
	v.Blockers = s.blockers(o, year, rep)
	v.Hints = s.hints(ctx, v.Doc, rep)
	return v, nil
}

// Placeholder marks text a generated draft leaves for people to write.
const Placeholder = "【请补充"

// blockers are the reasons besides 勾稽 a draft cannot be published.
func (s *Service) blockers(o org.Org, year int, rep Report) []string {
	var out []string
	if year >= s.Today().Year {
		out = append(out, fmt.Sprintf("%d 年尚未结束，年度报告在次年编制发布", year))
	}
	if !rep.FiguresSaved {
		who := "本单位"
		if Government(o) {
			who = "本级政府"
		}
		out = append(out, "表二中"+who+"的行政许可、行政处罚、行政强制决定数量和行政事业性收费金额尚未填报（没有的填 0 并保存）")
	}
	for i, text := range []string{rep.Sections.Overview, rep.Sections.Problems, rep.Sections.Other} {
		label := SectionFields[i].Label
		switch {
		case text == "":
			out = append(out, "“"+label+"”尚未填写")
		case strings.Contains(text, Placeholder):
			out = append(out, "“"+label+"”中还有“"+Placeholder+"……】”标记的待补充内容")
		}
	}
	return out
}

// hints point at what deserves a look before publishing.
func (s *Service) hints(ctx context.Context, d Document, rep Report) []string {
	var out []string
	if rep.Sections.Other != "" && !strings.Contains(rep.Sections.Other, "信息处理费") {
		out = append(out, fmt.Sprintf("“六、其他需要报告的事项”未写明信息处理费的收取情况（本年度系统记录收取 %d 件、%s 元）",
			d.Fees.Cases, FormatYuan(d.Fees.AmountFen)))
	}
	var drafts []string
	for _, c := range d.Coverage {
		if !c.Self && !c.Published {
			drafts = append(drafts, c.Name)
		}
	}
	if len(drafts) > 0 {
		out = append(out, "以下部门的年度报告尚未发布，汇总时按其当前数据计算，发布后可能变化："+strings.Join(drafts, "、"))
	}
	if s.Calendar != nil {
		if cal, err := s.Calendar(ctx); err == nil && !cal.Has(d.Year) {
			out = append(out, fmt.Sprintf("系统没有 %d 年的工作日历（节假日安排）。本报告的统计不依赖工作日计算，不受影响；该年申请的答复期限在申请页面无法计算。", d.Year))
		}
	}
	if !rep.Supplement.Empty() {
		out = append(out, "表三、表四含系统外补录数据："+rep.Supplement.Note)
	}
	return out
}

// FormatYuan prints an amount in 分 as 元: 550000 → "5500", 12345 → "123.45".
func FormatYuan(fen int64) string {
	if fen%100 == 0 {
		return fmt.Sprint(fen / 100)
	}
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}

// --- editing ---

// edit runs fn on the draft of o's year inside a transaction, creating the
// row on first use, and stores what fn changed with its evidence-chain event.
func (s *Service) edit(ctx context.Context, p *org.Principal, ip, orgID string, year int,
	fn func(r *Report) (audit.Event, error)) (Report, error) {
	o, err := s.Orgs.GetOrg(ctx, orgID)
	if err != nil {
		return Report{}, err
	}
	if err := s.authorize(ctx, p, editPerm(o), o); err != nil {
		return Report{}, err
	}
	if _, err := s.reportOrg(ctx, orgID); err != nil {
		return Report{}, err
	}
	if err := s.CheckYear(year); err != nil {
		return Report{}, err
	}
	now := s.now()
	var out Report
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO annual_reports (id, org_id, year, status, created_at, updated_at)
			VALUES ($1, $2, $3, 'draft', $4, $4) ON CONFLICT (org_id, year) DO NOTHING`, db.NewID(), o.ID, year, db.Time(now)); err != nil {
			return err
		}
		r, _, err := s.load(ctx, tx, o.ID, year)
		if err != nil {
			return err
		}
		if r.Status == StatusPublished {
			return apperr.New(apperr.Conflict, fmt.Sprintf("%d 年度报告已于%s发布，不能再修改", year, r.PublishedAt.In(cst).Format("2006年1月2日")))
		}
		ev, err := fn(&r)
		if err != nil {
			return err
		}
		supp := ""
		if !r.Supplement.Empty() {
			b, err := json.Marshal(r.Supplement)
			if err != nil {
				return err
			}
			supp = string(b)
		}
		saved := ""
		if r.FiguresSaved {
			saved = db.Time(now)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE annual_reports SET licensing = $2, penalty = $3, enforcement = $4, fee_yuan = $5,
			figures_saved_at = CASE WHEN figures_saved_at = '' THEN $6 ELSE figures_saved_at END, supplement = $7,
			section_overview = $8, section_problems = $9, section_other = $10, updated_by = $11, updated_by_name = $12,
			updated_at = $13 WHERE id = $1`, r.ID, r.Manual.Licensing, r.Manual.Penalty, r.Manual.Enforcement, r.Manual.FeeYuan,
			saved, supp, r.Sections.Overview, r.Sections.Problems, r.Sections.Other, p.User.ID, p.User.DisplayName,
			db.Time(now)); err != nil {
			return err
		}
		ev.Actor, ev.OrgID, ev.ObjectType, ev.ObjectID = p.Actor(ip), o.ID, "report", r.ID
		if _, err := audit.Append(ctx, tx, now, ev); err != nil {
			return err
		}
		out, _, err = s.load(ctx, tx, o.ID, year)
		return err
	})
	return out, err
}

func manualMap(m Manual) map[string]any {
	return map[string]any{"licensing": m.Licensing, "penalty": m.Penalty, "enforcement": m.Enforcement,
		"fee_10k_yuan": FormatWan(m.FeeYuan)}
}

// SaveFigures stores table 二's entered figures (行政许可、行政处罚、行政强制
// decisions, 行政事业性收费 amount). source names where they came from in the
// evidence chain ("" for the form, or the imported file's name).
func (s *Service) SaveFigures(ctx context.Context, p *org.Principal, ip, orgID string, year int, m Manual, source string) (Report, error) {
	if err := checkManual(m); err != nil {
		return Report{}, err
	}
	return s.edit(ctx, p, ip, orgID, year, func(r *Report) (audit.Event, error) {
		before := manualMap(r.Manual)
		r.Manual, r.FiguresSaved = m, true
		action, summary := "report.figures", fmt.Sprintf("填报 %d 年度报告表二数据", year)
		if source != "" {
			action, summary = "report.import", fmt.Sprintf("从 %s 导入 %d 年度报告表二数据", source, year)
		}
		return audit.Event{Action: action, Summary: summary, Before: before, After: manualMap(m)}, nil
	})
}

// SaveSupplement stores the figures of applications and remedies handled
// outside the platform. It may leave the report failing a 勾稽 rule (the
// unit is still entering them); publication checks.
func (s *Service) SaveSupplement(ctx context.Context, p *org.Principal, ip, orgID string, year int, sup Supplement) (Report, error) {
	if err := checkSupplement(sup); err != nil {
		return Report{}, err
	}
	return s.edit(ctx, p, ip, orgID, year, func(r *Report) (audit.Event, error) {
		before := r.Supplement
		r.Supplement = sup
		return audit.Event{Action: "report.supplement", Summary: fmt.Sprintf("填报 %d 年度报告系统外办理情况补录", year),
			Before: before, After: sup}, nil
	})
}

// SaveSections stores the text of sections 一、五、六.
func (s *Service) SaveSections(ctx context.Context, p *org.Principal, ip, orgID string, year int, sec Sections) (Report, error) {
	if err := cleanSections(&sec); err != nil {
		return Report{}, err
	}
	return s.edit(ctx, p, ip, orgID, year, func(r *Report) (audit.Event, error) {
		hash := func(s Sections) map[string]string {
			m := map[string]string{}
			for k, v := range map[string]string{"overview": s.Overview, "problems": s.Problems, "other": s.Other} {
				sum := sha256.Sum256([]byte(v))
				m[k] = hex.EncodeToString(sum[:8])
			}
			return m
		}
		// The evidence chain records which sections changed by hash; the
		// text itself is in the row and, once published, the snapshot.
		before := hash(r.Sections)
		r.Sections = sec
		return audit.Event{Action: "report.sections", Summary: fmt.Sprintf("修改 %d 年度报告正文", year),
			Before: before, After: hash(sec)}, nil
	})
}

// Publish freezes the report as its snapshot and shows it on the portal.
// It refuses, naming every reason, a report whose tables break a 勾稽 rule
// (the snapshot as it would be stored is checked) or that is not complete;
// and a report already published.
func (s *Service) Publish(ctx context.Context, p *org.Principal, ip, orgID string, year int) (Document, error) {
	o, err := s.Orgs.GetOrg(ctx, orgID)
	if err != nil {
		return Document{}, err
	}
	if err := s.authorize(ctx, p, publishPerm(o), o); err != nil {
		return Document{}, err
	}
	if _, err := s.reportOrg(ctx, orgID); err != nil {
		return Document{}, err
	}
	if err := s.CheckYear(year); err != nil {
		return Document{}, err
	}
	rep, ok, err := s.load(ctx, s.DB.R, o.ID, year)
	if err != nil {
		return Document{}, err
	}
	if rep.Status == StatusPublished {
		return Document{}, apperr.New(apperr.Conflict, fmt.Sprintf("%d 年度报告已于%s发布，不能重复发布", year,
			rep.PublishedAt.In(cst).Format("2006年1月2日")))
	}
	doc, err := s.live(ctx, o, year, rep)
	if err != nil {
		return Document{}, err
	}
	now := s.now()
	doc.Status, doc.PublishedAt = StatusPublished, now.In(cst).Format(time.RFC3339)
	snap, err := json.Marshal(doc)
	if err != nil {
		return Document{}, err
	}
	// The rules are checked on the snapshot as it will be read back, so
	// what the portal shows is what passed.
	stored, err := DecodeSnapshot(snap)
	if err != nil {
		return Document{}, err
	}
	var fs apperr.Fields
	for _, b := range s.blockers(o, year, rep) {
		fs.Add("publish", b)
	}
	for _, pr := range Validate(stored.Tables()) {
		field := "publish"
		if len(pr.Cells) > 0 {
			field = pr.Cells[0].ID()
		}
		fs.Add(field, pr.Message)
	}
	if len(fs) > 0 {
		return Document{}, &apperr.Error{Kind: apperr.Invalid, Fields: fs,
			Message: "年度报告不能发布：" + strings.Join(func() []string {
				var m []string
				for _, f := range fs {
					m = append(m, f.Message)
				}
				return m
			}(), "；")}
	}
	if !ok {
		return Document{}, apperr.New(apperr.Invalid, "年度报告尚未保存")
	}
	sum := sha256.Sum256(snap)
	digest := hex.EncodeToString(sum[:])
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE annual_reports SET status = 'published', snapshot = $2, snapshot_sha256 = $3,
			published_at = $4, published_by = $5, published_by_name = $6, updated_at = $4
			WHERE id = $1 AND status = 'draft' AND updated_at = $7`,
			rep.ID, string(snap), digest, db.Time(now), p.User.ID, p.User.DisplayName, rep.updatedAt)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "报告刚刚被修改或已经发布，请刷新页面核对后再发布")
		}
		if _, err := changes.Append(ctx, tx, now, changes.Report, rep.ID, o.ID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(ip), OrgID: o.ID, Action: "report.publish",
			ObjectType: "report", ObjectID: rep.ID, Summary: "发布《" + doc.Title + "》",
			After: map[string]any{"year": year, "snapshot_sha256": digest}})
		return err
	})
	if err != nil {
		return Document{}, err
	}
	return stored, nil
}

// --- lists ---

// Summary is a report in a list.
type Summary struct {
	OrgID       string
	Year        int
	Status      string
	Title       string
	PublishedAt time.Time
	UpdatedAt   time.Time
	UpdatedBy   string
}

// PublishedList lists an org's published reports, newest year first.
func (s *Service) PublishedList(ctx context.Context, orgID string) ([]Summary, error) {
	o, err := s.Orgs.GetOrg(ctx, orgID)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT year, published_at FROM annual_reports WHERE org_id = $1 AND status = 'published'
		ORDER BY year DESC`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var x Summary
		var at string
		if err := rows.Scan(&x.Year, &at); err != nil {
			return nil, err
		}
		x.OrgID, x.Status, x.Title, x.PublishedAt = orgID, StatusPublished, Title(o.Name, x.Year), db.MustTime(at)
		out = append(out, x)
	}
	return out, rows.Err()
}

// Published returns an org's published report of year for the public;
// drafts and unknown years are NotFound.
func (s *Service) Published(ctx context.Context, orgID string, year int) (Document, error) {
	var snap string
	err := s.DB.R.QueryRowContext(ctx, `SELECT snapshot FROM annual_reports WHERE org_id = $1 AND year = $2 AND status = 'published'`,
		orgID, year).Scan(&snap)
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, apperr.NotFoundf("该年度报告尚未发布")
	}
	if err != nil {
		return Document{}, err
	}
	return DecodeSnapshot([]byte(snap))
}

// ListRow is an org in the back office's report list with its stored reports.
type ListRow struct {
	Org     org.Org
	Reports []Summary // newest year first
}

// Report returns the row's report of year, if stored.
func (r ListRow) Report(year int) (Summary, bool) {
	for _, x := range r.Reports {
		if x.Year == year {
			return x, true
		}
	}
	return Summary{}, false
}

// List returns the orgs whose reports p may see (reporting kinds, tree
// order) with their stored reports.
func (s *Service) List(ctx context.Context, p *org.Principal) ([]ListRow, error) {
	scope, err := s.Orgs.Scope(ctx, p, org.PermReportView)
	if err != nil || len(scope) == 0 {
		return nil, err
	}
	in := map[string]bool{}
	for _, id := range scope {
		in[id] = true
	}
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	var out []ListRow
	idx := map[string]int{}
	for _, o := range all {
		if in[o.ID] && Reportable(o.Kind) {
			idx[o.ID] = len(out)
			out = append(out, ListRow{Org: o})
		}
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT org_id, year, status, published_at, updated_at, updated_by_name FROM annual_reports
		ORDER BY year DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var x Summary
		var pub, upd string
		if err := rows.Scan(&x.OrgID, &x.Year, &x.Status, &pub, &upd, &x.UpdatedBy); err != nil {
			return nil, err
		}
		i, ok := idx[x.OrgID]
		if !ok {
			continue
		}
		if pub != "" {
			x.PublishedAt = db.MustTime(pub)
		}
		x.UpdatedAt = db.MustTime(upd)
		x.Title = Title(out[i].Org.Name, x.Year)
		out[i].Reports = append(out[i].Reports, x)
	}
	return out, rows.Err()
}

// Import reads table 二's entered figures from an uploaded workbook
// (ReadManualXLSX) and saves them; nothing is saved unless the whole file
// reads cleanly. Each problem is one "file" field error naming sheet, row
// and cell.
func (s *Service) Import(ctx context.Context, p *org.Principal, ip, orgID string, year int, name string, data []byte) (Report, error) {
	o, err := s.Orgs.GetOrg(ctx, orgID)
	if err != nil {
		return Report{}, err
	}
	if err := s.authorize(ctx, p, editPerm(o), o); err != nil {
		return Report{}, err
	}
	if len(data) == 0 {
		return Report{}, apperr.Field("file", "请选择要导入的 Excel 文件")
	}
	m, problems := ReadManualXLSX(data)
	if len(problems) > 0 {
		var fs apperr.Fields
		for _, pr := range problems {
			fs.Add("file", pr.String())
		}
		return Report{}, fs.Err()
	}
	if name = strings.TrimSpace(name); name == "" {
		name = "Excel 文件"
	}
	return s.SaveFigures(ctx, p, ip, orgID, year, m, "“"+name+"”")
}
