package supervise

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/privacy"
	"gongkai.dev/gongkai/internal/workday"
)

// Service is the supervision capability.
type Service struct {
	DB       *db.DB
	Orgs     *org.Service
	Catalog  *catalog.Service
	Info     *info.Service
	Apply    *apply.Service
	Board    *board.Service // nil: the 互动回应 rules are not computed
	Calendar func(context.Context) (*workday.Calendar, error)
	// InterpGrace is the site's 政策解读发布宽限 in working days (nil = 0):
	// one setting for the policy pages and for this check.
	InterpGrace func(context.Context) int
	Now         func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Today is the service's current day (China Standard Time).
func (s *Service) Today() workday.Date { return workday.DateOf(s.now()) }

// Candidate is a finding as one run computes it.
type Candidate struct {
	Rule, OrgID                             string
	ObjectType, ObjectID, ObjectLabel, Link string
	Evidence                                string
}

// Key identifies the finding across runs: its rule and its object.
func (c Candidate) Key() string { return c.Rule + "|" + c.ObjectType + "|" + c.ObjectID }

// Object types of findings.
const (
	ObjColumn      = "column"
	ObjOrg         = "org"
	ObjCatalog     = "catalog"
	ObjCatalogItem = "catalog_item"
	ObjInfo        = "info"
	ObjApply       = "apply"
	ObjBoard       = "board"
)

// evaluation is what the rules found, with the rules that could not be
// computed and why.
type evaluation struct {
	cands  []Candidate
	failed map[string]string // rule → reason, in Chinese
}

func (e *evaluation) add(c Candidate) { e.cands = append(e.cands, c) }

// fail marks rules as not computed; an expected problem (no calendar for a
// year, a message built for users) is recorded, anything else aborts.
func (e *evaluation) fail(err error, rules ...string) error {
	msg := ""
	switch {
	case errors.Is(err, workday.ErrNoCalendar):
		msg = err.Error() + "（后台“工作日历”录入后重新检查）"
	default:
		ae, ok := apperr.As(err)
		if !ok || ae.Kind == apperr.Internal {
			return err
		}
		msg = ae.Message
	}
	for _, r := range rules {
		e.failed[r] = msg
	}
	return nil
}

// evaluate runs every rule over orgs as of today.
func (s *Service) evaluate(ctx context.Context, cfg Config, orgs []org.Org, today workday.Date) (*evaluation, error) {
	ev := &evaluation{failed: map[string]string{}}
	ids := make([]string, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	steps := []struct {
		rules []string
		run   func() error
	}{
		{[]string{RuleNewsStale, RuleNoticeStale, RuleLongStale, RuleEmptyColumn, RuleHomeStale, RuleVetoNotUpdated,
			RuleVetoLongStale, RuleVetoEmpty}, func() error { return s.checkColumns(ctx, ev, cfg, orgs, ids, today) }},
		{[]string{RuleCatalogMissing, RuleCatalogElements, RuleCatalogConsistency, RuleCatalogOverdue},
			func() error { return s.checkCatalogs(ctx, ev, orgs, ids, today) }},
		{[]string{RulePublishLate}, func() error { return s.checkLate(ctx, ev, cfg, ids, today) }},
		{[]string{RuleInterpMissing, RuleInterpLate}, func() error { return s.checkInterp(ctx, ev, ids, today) }},
		{[]string{RuleExpired, RulePrivacy, RuleSecrecy}, func() error { return s.checkSweep(ctx, ev, cfg, ids, today) }},
		{[]string{RuleApplyOverdue, RuleApplyNear, RuleApplyCorrectionLate, RuleApplyNoBasis},
			func() error { return s.checkApply(ctx, ev, cfg, ids, today) }},
		{[]string{RuleBoardUnanswered}, func() error { return s.checkBoardUnanswered(ctx, ev, ids, today) }},
		{[]string{RuleBoardOverdue}, func() error { return s.checkBoardOverdue(ctx, ev, ids, today) }},
	}
	for _, st := range steps {
		n := len(ev.cands)
		if err := st.run(); err != nil {
			ev.cands = ev.cands[:n] // a half-computed group would resolve findings it never reached
			if err := ev.fail(err, st.rules...); err != nil {
				return nil, err
			}
		}
	}
	return ev, nil
}

// --- dates ---

func daysBetween(a, b workday.Date) int {
	return int(b.Time().Sub(a.Time()).Round(time.Hour).Hours() / 24)
}

// addMonths moves d by n months, keeping the day within the month
// (2026-08-31 minus 6 months is 2026-02-28, not 2026-03-03).
func addMonths(d workday.Date, n int) workday.Date {
	first := time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	day := d.Day
	if day > last {
		day = last
	}
	return workday.Date{Year: first.Year(), Month: first.Month(), Day: day}
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// --- columns ---

func (s *Service) checkColumns(ctx context.Context, ev *evaluation, cfg Config, orgs []org.Org, ids []string, today workday.Date) error {
	stats, err := s.Info.GenreStats(ctx, ids, today.String())
	if err != nil {
		return err
	}
	byOrg := map[string]map[string]info.GenreStat{}
	for _, g := range stats {
		if byOrg[g.OrgID] == nil {
			byOrg[g.OrgID] = map[string]info.GenreStat{}
		}
		byOrg[g.OrgID][g.Genre] = g
	}
	newsDays, noticeMonths, longMonths, homeDays := cfg.Get("news_days"), cfg.Get("notice_months"), cfg.Get("long_months"), cfg.Get("home_days")
	noticeCut, longCut := addMonths(today, -noticeMonths), addMonths(today, -longMonths)
	for _, o := range orgs {
		if !slices.Contains(cfg.ColumnKinds, o.Kind) {
			continue
		}
		m := byOrg[o.ID]
		lastAny := ""
		for _, g := range m {
			lastAny = max(lastAny, g.Last)
		}
		var notUpdated, long, empty []string
		for _, genre := range cfg.ColumnGenres {
			st := m[genre]
			c := Candidate{OrgID: o.ID, ObjectType: ObjColumn, ObjectID: o.ID + "/" + genre, ObjectLabel: "「" + genre + "」栏目",
				Link: "/zfxxgk/" + o.Code + "/xxgk?tc=" + url.QueryEscape(genre)}
			if st.Total == 0 {
				c.Rule, c.Evidence = RuleEmptyColumn, fmt.Sprintf("「%s」栏目没有任何已公开的信息，门户显示“暂无内容”", genre)
				ev.add(c)
				empty = append(empty, genre)
				continue
			}
			last, err := workday.ParseDate(st.Last)
			if err != nil {
				continue
			}
			ago := daysBetween(last, today)
			switch {
			case slices.Contains(cfg.NewsGenres, genre):
				if ago > newsDays {
					c.Rule = RuleNewsStale
					c.Evidence = fmt.Sprintf("「%s」栏目最近一次更新为 %s，已 %d 天未更新（要求 %d 天内有更新）", genre, last.Chinese(), ago, newsDays)
					notUpdated = append(notUpdated, genre)
				}
			case slices.Contains(cfg.NoticeGenres, genre):
				if last.Before(noticeCut) {
					c.Rule = RuleNoticeStale
					c.Evidence = fmt.Sprintf("「%s」栏目最近一次更新为 %s，%s 以来（%d 个月内）没有更新", genre, last.Chinese(), noticeCut.Chinese(), noticeMonths)
					notUpdated = append(notUpdated, genre)
				}
			default:
				if last.Before(longCut) {
					c.Rule = RuleLongStale
					c.Evidence = fmt.Sprintf("「%s」栏目最近一次更新为 %s，%d 个月以上未更新", genre, last.Chinese(), longMonths)
					long = append(long, genre)
				}
			}
			if c.Rule != "" {
				ev.add(c)
			}
		}
		home := Candidate{OrgID: o.ID, ObjectType: ObjOrg, ObjectID: o.ID, ObjectLabel: "政府信息公开首页", Link: "/zfxxgk/" + o.Code + "/"}
		if lastAny == "" {
			home.Rule, home.Evidence = RuleHomeStale, "本机构在门户上从未发布信息，首页无任何更新"
		} else if last, err := workday.ParseDate(lastAny); err == nil && daysBetween(last, today) > homeDays {
			home.Rule = RuleHomeStale
			home.Evidence = fmt.Sprintf("最近一次发布信息为 %s，已 %d 天首页无更新（要求 %d 天内有更新）", last.Chinese(), daysBetween(last, today), homeDays)
		}
		if home.Rule != "" {
			ev.add(home)
		}
		veto := func(rule string, list []string, limit int, what string) {
			if len(list) < limit {
				return
			}
			c := home
			c.Rule, c.ObjectLabel = rule, "网站栏目"
			c.Evidence = fmt.Sprintf("%s %d 个（达到单项否决阈值 %d 个）：%s", what, len(list), limit, strings.Join(list, "、"))
			ev.add(c)
		}
		veto(RuleVetoNotUpdated, notUpdated, cfg.Get("veto_not_updated"), "未按期更新的动态要闻、通知公告、政策文件类栏目")
		veto(RuleVetoLongStale, long, cfg.Get("veto_long_stale"), "长期未更新的栏目")
		veto(RuleVetoEmpty, empty, cfg.Get("veto_empty"), "空白栏目")
	}
	return nil
}

// --- catalogs ---

func (s *Service) checkCatalogs(ctx context.Context, ev *evaluation, orgs []org.Org, ids []string, today workday.Date) error {
	names := map[string]string{}
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return err
	}
	for _, o := range all {
		names[o.ID] = o.Name
	}
	pubs, err := s.Info.CatalogPublications(ctx, ids, today.String())
	if err != nil {
		return err
	}
	for _, o := range orgs {
		cur, err := s.Catalog.Current(ctx, o.ID)
		hasCurrent := err == nil
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if !hasCurrent {
			c := Candidate{Rule: RuleCatalogMissing, OrgID: o.ID, ObjectType: ObjCatalog, ObjectID: o.ID, ObjectLabel: "标准目录",
				Link: "/admin/catalog/" + o.ID, Evidence: "尚未编制和发布基层政务公开标准目录"}
			if d, err := s.Catalog.DraftOf(ctx, o.ID); err == nil {
				c.Evidence = fmt.Sprintf("%d 年度标准目录（第 %d 版，%d 项）仍为草稿，尚未发布", d.Year, d.Number, d.Items)
			}
			ev.add(c)
		}
		rep, err := s.Catalog.Check(ctx, o.ID)
		if err != nil {
			return err
		}
		v := rep.Version
		where := fmt.Sprintf("%d 年度目录第 %d 版", v.Year, v.Number)
		if v.Draft() {
			where += "（草稿）"
		}
		type itemProblems struct {
			title string
			msgs  []string
		}
		var order []string
		byItem := map[string]*itemProblems{}
		for _, f := range rep.Findings {
			link := fmt.Sprintf("/admin/catalog/%s/v/%d#item-%s", o.ID, v.Number, f.ItemKey)
			switch f.Rule {
			case catalog.RuleCompleteness, catalog.RuleTimeLimit:
				if f.ItemKey == "" {
					continue
				}
				p := byItem[f.ItemKey]
				if p == nil {
					p = &itemProblems{title: f.ItemTitle}
					byItem[f.ItemKey] = p
					order = append(order, f.ItemKey)
				}
				p.msgs = append(p.msgs, f.Message)
			case catalog.RuleConsistency:
				ev.add(Candidate{Rule: RuleCatalogConsistency, OrgID: o.ID, ObjectType: ObjCatalogItem, ObjectID: o.ID + "/" + f.ItemKey,
					ObjectLabel: "目录事项「" + f.ItemTitle + "」", Link: link,
					Evidence: fmt.Sprintf("%s：公开内容与%s目录同一事项不一致：本目录“%s”，%s“%s”", where, names[f.OtherOrgID],
						clip(f.Mine, 80), names[f.OtherOrgID], clip(f.Theirs, 80))})
			}
		}
		for _, key := range order {
			p := byItem[key]
			ev.add(Candidate{Rule: RuleCatalogElements, OrgID: o.ID, ObjectType: ObjCatalogItem, ObjectID: o.ID + "/" + key,
				ObjectLabel: "目录事项「" + p.title + "」", Link: fmt.Sprintf("/admin/catalog/%s/v/%d#item-%s", o.ID, v.Number, key),
				Evidence: where + "：" + strings.Join(p.msgs, "；")})
		}
		if !hasCurrent {
			continue
		}
		items, err := s.Catalog.Items(ctx, cur.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.TimeLimit.Kind != catalog.FixedDate {
				continue
			}
			deadline := fixedDeadline(today, it.TimeLimit.Month, it.TimeLimit.Day)
			from := addMonths(deadline, -12)
			dates := pubs[o.ID][it.Key]
			if len(dates) > 0 && dates[len(dates)-1] > from.String() {
				continue
			}
			last := "从未发布"
			if len(dates) > 0 {
				if d, err := workday.ParseDate(dates[len(dates)-1]); err == nil {
					last = "最近一次发布：" + d.Chinese()
				}
			}
			ev.add(Candidate{Rule: RuleCatalogOverdue, OrgID: o.ID, ObjectType: ObjCatalogItem, ObjectID: o.ID + "/" + it.Key,
				ObjectLabel: "目录事项「" + it.Title() + "」",
				Link:        fmt.Sprintf("/admin/catalog/%s/v/%d#item-%s", o.ID, cur.Number, it.Key),
				Evidence: fmt.Sprintf("公开时限“%s”：截止日 %s 已过，%s以来没有发布该事项的信息（%s）", it.TimeLimit.Text,
					deadline.Chinese(), from.Chinese(), last)})
		}
	}
	return nil
}

// fixedDeadline is the latest yearly deadline (month, day) on or before
// today; 2月29日 falls on the 28th in other years.
func fixedDeadline(today workday.Date, month, day int) workday.Date {
	at := func(y int) workday.Date {
		last := time.Date(y, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		return workday.Date{Year: y, Month: time.Month(month), Day: min(day, last)}
	}
	d := at(today.Year)
	if d.After(today) || d.Equal(today) {
		d = at(today.Year - 1)
	}
	return d
}

// --- publishing ---

func (s *Service) checkLate(ctx context.Context, ev *evaluation, cfg Config, ids []string, today workday.Date) error {
	from := today.AddDays(-cfg.Get("publish_lookback_days"))
	recs, err := s.Info.LateRecords(ctx, ids, from.String(), today.String())
	if err != nil {
		return err
	}
	for _, r := range recs {
		formed, _ := workday.ParseDate(r.FormedOn)
		pub, _ := workday.ParseDate(r.PublishedOn)
		ev.add(Candidate{Rule: RulePublishLate, OrgID: r.OrgID, ObjectType: ObjInfo, ObjectID: r.ID,
			ObjectLabel: "《" + clip(r.Title, 60) + "》", Link: "/admin/info/" + r.ID,
			Evidence: fmt.Sprintf("形成日期 %s，%s 发布，相隔 %d 个工作日，超过时限（%s）", formed.Chinese(), pub.Chinese(),
				r.LagWorkdays, r.LimitText)})
	}
	return nil
}

func (s *Service) checkInterp(ctx context.Context, ev *evaluation, ids []string, today workday.Date) error {
	grace := 0
	if s.InterpGrace != nil {
		grace = s.InterpGrace(ctx)
	}
	flags, err := s.Info.InterpretationFlags(ctx, ids, grace)
	if err != nil {
		return err
	}
	for _, f := range flags {
		p := f.Policy
		if p.PublishedOn > today.String() {
			continue
		}
		pub, _ := workday.ParseDate(p.PublishedOn)
		due, _ := workday.ParseDate(f.Due)
		doc := ""
		if p.DocNo != "" {
			doc = "（" + p.DocNo + "）"
		}
		c := Candidate{OrgID: p.OrgID, ObjectType: ObjInfo, ObjectID: p.ID, ObjectLabel: "《" + clip(p.Title, 60) + "》",
			Link: "/admin/info/" + p.ID}
		switch f.Kind {
		case "missing":
			c.Rule = RuleInterpMissing
			c.Evidence = fmt.Sprintf("%s%s于 %s 发布，解读应不晚于 %s 发布，至今没有已发布的解读，也未记录不解读的理由", p.Genre, doc, pub.Chinese(), due.Chinese())
			if f.LateBy > 0 {
				c.Evidence += fmt.Sprintf("（已逾 %d 个工作日）", f.LateBy)
			}
		case "late":
			c.Rule = RuleInterpLate
			ip, _ := workday.ParseDate(f.Interp.PublishedOn)
			c.Evidence = fmt.Sprintf("%s%s于 %s 发布，首篇解读《%s》%s 才发布，晚于 %s", p.Genre, doc, pub.Chinese(), clip(f.Interp.Title, 40),
				ip.Chinese(), due.Chinese())
			if f.LateBy > 0 {
				c.Evidence += fmt.Sprintf(" %d 个工作日", f.LateBy)
			}
		default:
			continue
		}
		ev.add(c)
	}
	return nil
}

func (s *Service) checkSweep(ctx context.Context, ev *evaluation, cfg Config, ids []string, today workday.Date) error {
	items, err := s.Info.Sweep(ctx, ids)
	if err != nil {
		return err
	}
	minSev := privacy.Severity(cfg.Get("privacy_min_severity"))
	for _, it := range items {
		r := it.Record
		if r.PublishedOn > today.String() {
			continue
		}
		base := Candidate{OrgID: r.OrgID, ObjectType: ObjInfo, ObjectID: r.ID, ObjectLabel: "《" + clip(r.Title, 60) + "》",
			Link: "/admin/info/" + r.ID}
		if it.Expired && r.ValidUntil < today.String() {
			c := base
			until, _ := workday.ParseDate(r.ValidUntil)
			c.Rule, c.Evidence = RuleExpired, fmt.Sprintf("有效期至 %s，已过期，有效性仍标注为“现行有效”", until.Chinese())
			ev.add(c)
		}
		var secret, personal []string
		for _, f := range it.Findings {
			what := f.Where + "：" + f.Kind.Label() + " " + f.Masked
			switch {
			case f.Kind == privacy.KindSecretMarking:
				secret = append(secret, what)
			case f.Severity >= minSev:
				personal = append(personal, what)
			}
		}
		list := func(xs []string) string {
			if len(xs) > 5 {
				return strings.Join(xs[:5], "；") + fmt.Sprintf(" 等 %d 处", len(xs))
			}
			return strings.Join(xs, "；")
		}
		if len(secret) > 0 {
			c := base
			c.Rule, c.Evidence = RuleSecrecy, "已公开内容中出现密级或内部标识："+list(secret)
			ev.add(c)
		}
		if len(personal) > 0 {
			c := base
			c.Rule, c.Evidence = RulePrivacy, "已公开内容中含个人信息（已脱敏显示）："+list(personal)
			ev.add(c)
		}
	}
	return nil
}

// --- applications ---

func (s *Service) checkApply(ctx context.Context, ev *evaluation, cfg Config, ids []string, today workday.Date) error {
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	rs, err := s.Apply.Due(ctx, today)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if !in[r.OrgID] {
			continue
		}
		c := Candidate{OrgID: r.OrgID, ObjectType: ObjApply, ObjectID: r.CaseID, ObjectLabel: "申请 " + r.TrackingNo,
			Link: "/admin/apply/" + r.CaseID, Evidence: r.Message}
		switch r.Kind {
		case apply.RemindOverdue:
			c.Rule = RuleApplyOverdue
		case apply.RemindNear:
			c.Rule = RuleApplyNear
		default:
			continue
		}
		ev.add(c)
	}
	flags, err := s.Apply.SuperviseFlags(ctx, ids, today.AddDays(-cfg.Get("apply_lookback_days")), today)
	if err != nil {
		return err
	}
	for _, f := range flags {
		c := Candidate{OrgID: f.OrgID, ObjectType: ObjApply, ObjectID: f.CaseID, ObjectLabel: "申请 " + f.TrackingNo,
			Link: "/admin/apply/" + f.CaseID, Evidence: f.Message}
		switch f.Kind {
		case apply.FlagCorrectionLate:
			c.Rule = RuleApplyCorrectionLate
		case apply.FlagNoBasis:
			c.Rule = RuleApplyNoBasis
		default:
			continue
		}
		ev.add(c)
	}
	return nil
}

// checkBoardUnanswered reads the message board's 3-month veto list as of
// the check day.
func (s *Service) checkBoardUnanswered(ctx context.Context, ev *evaluation, ids []string, today workday.Date) error {
	if s.Board == nil {
		return nil // no message board in this deployment: nothing to find
	}
	un, err := s.Board.Unanswered(ctx, ids, today)
	if err != nil {
		return err
	}
	for _, u := range un {
		evid := fmt.Sprintf("留言 %s 于 %s 收到，3个月期限至 %s", u.TrackingNo, u.ReceivedOn, u.LimitOn)
		if u.RespondedOn == "" {
			evid += fmt.Sprintf("，截至 %s 仍未回应（已 %d 天）", today, u.Days)
		} else {
			evid += fmt.Sprintf("，%s 才回应（用时 %d 天）", u.RespondedOn, u.Days)
		}
		ev.add(Candidate{Rule: RuleBoardUnanswered, OrgID: u.OrgID, ObjectType: ObjBoard, ObjectID: u.MessageID,
			ObjectLabel: "留言 " + u.TrackingNo, Link: u.Link, Evidence: evid})
	}
	return nil
}

// checkBoardOverdue lists the open overdue messages. The board computes
// them for the current day only, so a check as of another day leaves those
// findings as they were.
func (s *Service) checkBoardOverdue(ctx context.Context, ev *evaluation, ids []string, today workday.Date) error {
	if s.Board == nil {
		return nil
	}
	if today != s.Board.Today() {
		return apperr.New(apperr.Conflict, "留言是否逾期只能按当天计算")
	}
	rows, err := s.Board.Overdue(ctx, ids)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.ClockErr != "" || !r.Clock.Overdue {
			continue
		}
		evid := fmt.Sprintf("留言 %s 于 %s 收到，答复时限 %d 个工作日（至 %s），已超过 %d 个工作日", r.TrackingNo, r.ReceivedOn,
			r.LimitDays, r.Clock.Due, r.Clock.DaysOver)
		if r.Clock.Escalated {
			evid += "，已升级督办"
		}
		ev.add(Candidate{Rule: RuleBoardOverdue, OrgID: r.OrgID, ObjectType: ObjBoard, ObjectID: r.ID,
			ObjectLabel: "留言 " + r.TrackingNo, Link: "/admin/board/" + r.ID, Evidence: evid})
	}
	return nil
}
