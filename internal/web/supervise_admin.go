package web

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/supervise"
	"gongkai.dev/gongkai/internal/workday"
)

// The back office of 监督考核: the 政务公开办's dashboard (counts, trends,
// the grid of units by score, the escalated tickets), findings with
// filters and bulk ticketing, tickets with their thread, scores and
// ranking, the rules with their thresholds and the indicator table, and
// Excel exports. Units see the same pages limited to their own org, and
// reply to their tickets.
func (s *Server) superviseRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/supervise", s.admin(s.superviseDashboard))
	m.HandleFunc("POST /admin/supervise/run", s.admin(s.superviseRun))
	m.HandleFunc("GET /admin/supervise/findings", s.admin(s.superviseFindings))
	m.HandleFunc("GET /admin/supervise/findings/{id}", s.admin(s.superviseFinding))
	m.HandleFunc("GET /admin/supervise/tickets", s.admin(s.superviseTickets))
	m.HandleFunc("POST /admin/supervise/tickets", s.admin(s.superviseOpenTickets))
	m.HandleFunc("GET /admin/supervise/tickets/{id}", s.admin(s.superviseTicket))
	for _, a := range []string{"reply", "return", "accept"} {
		m.HandleFunc("POST /admin/supervise/tickets/{id}/"+a, s.admin(s.superviseTicketAction(a)))
	}
	m.HandleFunc("GET /admin/supervise/scores", s.admin(s.superviseScores))
	m.HandleFunc("POST /admin/supervise/scores", s.admin(s.superviseSaveScores))
	m.HandleFunc("POST /admin/supervise/bonuses", s.admin(s.superviseAddBonus))
	m.HandleFunc("POST /admin/supervise/bonuses/{id}/delete", s.admin(s.superviseDeleteBonus))
	m.HandleFunc("GET /admin/supervise/rules", s.admin(s.superviseRules))
	m.HandleFunc("POST /admin/supervise/rules", s.admin(s.superviseSaveRules))
	m.HandleFunc("GET /admin/supervise/indicators", s.admin(s.superviseIndicators))
	m.HandleFunc("POST /admin/supervise/indicators", s.admin(s.superviseSaveIndicators))
	m.HandleFunc("GET /admin/supervise/export/{what}", s.admin(s.superviseExport))
}

// svAccess is who is looking: the orgs they may see, whether they run the
// supervision (anywhere) and whether they edit the district's settings.
type svAccess struct {
	p         *org.Principal
	scope     []string
	inScope   map[string]bool
	manage    bool
	root      bool
	names     map[string]string
	orgs      []org.Org
	scoreRoot string // the scope scores are stored for
}

func (s *Server) svAccess(r *http.Request) (*svAccess, error) {
	ctx := r.Context()
	p := principalFrom(ctx)
	if s.Supervise == nil || !p.CanAny(org.PermSuperviseView) {
		return nil, apperr.NotFoundf("页面不存在或您无权查看")
	}
	a := &svAccess{p: p, inScope: map[string]bool{}, names: map[string]string{}}
	var err error
	if a.scope, err = s.Orgs.Scope(ctx, p, org.PermSuperviseView); err != nil {
		return nil, err
	}
	for _, id := range a.scope {
		a.inScope[id] = true
	}
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		a.names[o.ID] = o.Name
		if a.inScope[o.ID] {
			a.orgs = append(a.orgs, o)
		}
	}
	a.manage = p.CanAny(org.PermSuperviseManage)
	root, err := s.rootOrg(ctx)
	if err != nil {
		return nil, err
	}
	a.scoreRoot = root.ID
	if a.manage {
		if ok, err := s.Orgs.Allowed(ctx, p, org.PermSuperviseManage, root.ID); err != nil {
			return nil, err
		} else if ok {
			a.root = true
		} else if top, _, err := s.Supervise.ManageScope(ctx, p); err == nil {
			a.scoreRoot = top
		}
	}
	return a, nil
}

func (a *svAccess) data(m map[string]any) map[string]any {
	m["Manage"], m["Root"], m["OrgNames"] = a.manage, a.root, a.names
	return m
}

func svPage(title string, crumbs ...crumb) *pageData {
	pd := &pageData{Title: title, Section: "supervise", Form: map[string]string{}}
	pd.Breadcrumb = append([]crumb{{"监督考核", "/admin/supervise"}}, crumbs...)
	if len(crumbs) == 0 {
		pd.Breadcrumb = []crumb{{"监督考核", ""}}
	}
	return pd
}

// --- dashboard ---

type svOrgRow struct {
	ID, Name, Kind string
	ByGroup        []int
	Total, Veto    int
	Tickets        int
	Escalated      int
}

type svGridTile struct {
	ID, Name, Grade, Final, Class string
	Vetoed                        bool
	Rank                          int
	Veto                          string
}

type svGridGroup struct {
	Label string
	Tiles []svGridTile
}

func (s *Server) superviseDashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	sv := s.Supervise
	data := a.data(map[string]any{})
	cfg, err := sv.Config(ctx)
	if err != nil {
		return err
	}
	data["RunHour"] = cfg.Get("run_hour")
	// Annual reports not yet published for last year (第四十九条: departments
	// by 31 January, the government by 31 March).
	if s.Report != nil {
		if data["ReportDue"], err = s.Report.Reminders(ctx, a.scope, sv.Today()); err != nil {
			return err
		}
	}
	runs, err := sv.Runs(ctx, 1)
	if err != nil {
		return err
	}
	if len(runs) > 0 {
		run := runs[0]
		data["LastRun"] = run
		var errs []string
		for _, rl := range supervise.Rules {
			if why := run.Errors[rl.Code]; why != "" {
				errs = append(errs, rl.Name+"："+why)
			}
		}
		data["RunErrors"] = errs
	}
	counts, err := sv.OpenCounts(ctx, a.scope)
	if err != nil {
		return err
	}
	byRule := map[string]int{}
	rows := map[string]*svOrgRow{}
	total, veto := 0, 0
	for _, c := range counts {
		byRule[c.Rule] += c.N
		total += c.N
		rl, _ := supervise.RuleByCode(c.Rule)
		row := rows[c.OrgID]
		if row == nil {
			row = &svOrgRow{ID: c.OrgID, Name: a.names[c.OrgID], ByGroup: make([]int, len(supervise.Groups))}
			rows[c.OrgID] = row
		}
		for gi, g := range supervise.Groups {
			if g.Code == rl.Group {
				row.ByGroup[gi] += c.N
			}
		}
		row.Total += c.N
		if rl.Severity == supervise.SevVeto {
			row.Veto += c.N
			veto += c.N
		}
	}
	active, err := sv.Tickets(ctx, supervise.TicketFilter{OrgIDs: a.scope, Status: "active", Limit: 1000})
	if err != nil {
		return err
	}
	for _, t := range active {
		row := rows[t.OrgID]
		if row == nil {
			row = &svOrgRow{ID: t.OrgID, Name: a.names[t.OrgID], ByGroup: make([]int, len(supervise.Groups))}
			rows[t.OrgID] = row
		}
		row.Tickets++
		if t.Escalated() {
			row.Escalated++
		}
	}
	var orgRows []svOrgRow
	for _, o := range a.orgs {
		if row := rows[o.ID]; row != nil {
			row.Kind = o.Kind.Label()
			orgRows = append(orgRows, *row)
		}
	}
	data["OrgRows"], data["Total"], data["VetoTotal"] = orgRows, total, veto
	var groupLabels []string
	for _, g := range supervise.Groups {
		groupLabels = append(groupLabels, g.Label)
	}
	data["Groups"] = groupLabels

	// Findings by rule: every rule with findings, in the rules' order.
	var labels, classes, hrefs []string
	var values []int
	type ruleCount struct {
		Code, Name, Group, Severity string
		N                           int
	}
	var ruleRows []ruleCount
	for _, rl := range supervise.Rules {
		if n := byRule[rl.Code]; n > 0 {
			labels, values = append(labels, rl.Name), append(values, n)
			classes = append(classes, "bar-"+string(rl.Severity))
			hrefs = append(hrefs, "/admin/supervise/findings?rule="+url.QueryEscape(rl.Code))
			ruleRows = append(ruleRows, ruleCount{rl.Code, rl.Name, supervise.GroupLabel(rl.Group), rl.Severity.Label(), n})
		}
	}
	data["RuleRows"] = ruleRows
	if len(labels) > 0 {
		data["RuleChart"] = newBarChart("c-rules", "存在问题按检查规则统计",
			fmt.Sprintf("共 %d 项问题，分布在 %d 条检查规则，最多的是“%s”（%d 项）。", total, len(labels), labels[argmax(values)], values[argmax(values)]),
			labels, values, classes, hrefs)
	}

	tc, err := sv.CountTickets(ctx, a.scope)
	if err != nil {
		return err
	}
	data["TicketCounts"] = tc
	if data["Escalated"], err = sv.Tickets(ctx, supervise.TicketFilter{OrgIDs: a.scope, Escalated: true, Limit: 20}); err != nil {
		return err
	}
	if data["Replied"], err = sv.Tickets(ctx, supervise.TicketFilter{OrgIDs: a.scope, Status: supervise.TicketReplied, Limit: 20}); err != nil {
		return err
	}

	trend, err := sv.Trend(ctx, a.scope, a.scoreRoot, 12)
	if err != nil {
		return err
	}
	if len(trend) > 0 {
		xs := make([]string, len(trend))
		names := []string{"合计"}
		for _, g := range supervise.Groups {
			names = append(names, g.Label)
		}
		vals := make([][]float64, len(names))
		for i := range vals {
			vals[i] = make([]float64, len(trend))
		}
		for i, pt := range trend {
			d, _ := workday.ParseDate(pt.AsOf)
			xs[i] = fmt.Sprintf("%d月%d日", d.Month, d.Day)
			vals[0][i] = float64(pt.Total)
			for gi, g := range supervise.Groups {
				vals[gi+1][i] = float64(pt.ByGroup[g.Code])
			}
		}
		first, last := trend[0], trend[len(trend)-1]
		data["TrendChart"] = newLineChart("c-trend", "存在问题数量变化（按检查日）",
			fmt.Sprintf("%d 次检查中，存在问题从 %d 项变为 %d 项。", len(trend), first.Total, last.Total), xs, names, vals, "", 0)
		data["Trend"], data["TrendX"], data["TrendNames"], data["TrendVals"] = trend, xs, names, vals
	}

	// The grid of units by score: the current quarter as stored, else as
	// computed now.
	period := supervise.PeriodOf("quarter", s.Supervise.Today())
	sc, live, err := s.svScores(ctx, a, period, 0)
	if err == nil && sc != nil {
		data["GridPeriod"], data["GridLive"] = sc.Period.Label(), live
		data["Grid"] = scoreGrid(sc, a)
	} else if err != nil && !apperr.Is(err, apperr.Invalid) {
		return err
	} else if err != nil {
		data["GridMessage"] = apperrMessage(err)
	}
	pd := svPage("监督考核")
	pd.Data = data
	s.render(w, r, http.StatusOK, "admin/supervise.html", pd)
	return nil
}

func argmax(vs []int) int {
	best := 0
	for i, v := range vs {
		if v > vs[best] {
			best = i
		}
	}
	return best
}

func apperrMessage(err error) string {
	if e, ok := apperr.As(err); ok {
		if len(e.Fields) > 0 {
			return e.Fields[0].Message
		}
		return e.Message
	}
	return "系统内部错误"
}

// scoreGrid groups the units' results by kind of org for the grid.
func scoreGrid(sc *supervise.Scores, a *svAccess) []svGridGroup {
	byID := map[string]supervise.OrgScore{}
	for _, r := range sc.Rows {
		byID[r.OrgID] = r
	}
	groups := []svGridGroup{{Label: "区直部门"}, {Label: "街道、乡镇"}, {Label: "社区、村"}}
	for _, o := range a.orgs {
		r, ok := byID[o.ID]
		if !ok {
			continue
		}
		gi := 0
		switch o.Kind {
		case org.KindStreet, org.KindTown:
			gi = 1
		case org.KindCommunity, org.KindVillage:
			gi = 2
		}
		t := svGridTile{ID: o.ID, Name: o.Name, Grade: r.Grade, Final: r.Final.String(), Vetoed: r.Vetoed, Rank: r.Rank,
			Veto: strings.Join(r.VetoNames(), "、")}
		t.Class = map[string]string{"优秀": "grade-a", "良好": "grade-b", "合格": "grade-c", "不合格": "grade-d"}[r.Grade]
		groups[gi].Tiles = append(groups[gi].Tiles, t)
	}
	var out []svGridGroup
	for _, g := range groups {
		if len(g.Tiles) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// svScores is a period's results as the viewer may see them: the stored
// snapshot (latest, or the given version) if any, else computed now; rows
// limited to the viewer's orgs.
func (s *Server) svScores(ctx context.Context, a *svAccess, period supervise.Period, version int) (*supervise.Scores, bool, error) {
	sc, err := s.Supervise.Snapshot(ctx, a.scoreRoot, period.Code, version)
	if err != nil {
		return nil, false, err
	}
	live := false
	if sc == nil {
		if version > 0 {
			return nil, false, apperr.NotFoundf("该版本不存在")
		}
		x, err := s.Supervise.ComputeScores(ctx, a.scope, period)
		if err != nil {
			return nil, false, err
		}
		sc, live = &x, true
	}
	var rows []supervise.OrgScore
	for _, r := range sc.Rows {
		if a.inScope[r.OrgID] {
			rows = append(rows, r)
		}
	}
	sc.Rows = rows
	return sc, live, nil
}

func (s *Server) superviseRun(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.svAccess(r); err != nil {
		return err
	}
	res, err := s.Supervise.RunFor(r.Context(), principalFrom(r.Context()), clientIP(r), "")
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/supervise?ok=checked&open="+strconv.Itoa(res.Run.Open), http.StatusSeeOther)
	return nil
}

// --- findings ---

func findingFilterFrom(r *http.Request, a *svAccess) supervise.FindingFilter {
	q := r.URL.Query()
	f := supervise.FindingFilter{OrgIDs: a.scope, Rule: q.Get("rule"), Group: q.Get("group"), Severity: supervise.Severity(q.Get("severity")),
		Status: q.Get("status"), Ticket: q.Get("ticket")}
	if id := q.Get("org"); id != "" && a.inScope[id] {
		f.OrgID = id
	}
	if _, ok := supervise.RuleByCode(f.Rule); !ok {
		f.Rule = ""
	}
	if !slices.Contains([]string{"", "open", "resolved", "all"}, f.Status) {
		f.Status = ""
	}
	if !slices.Contains([]string{"", "none", "active"}, f.Ticket) {
		f.Ticket = ""
	}
	if !slices.Contains(supervise.Severities, f.Severity) {
		f.Severity = ""
	}
	if supervise.GroupLabel(f.Group) == f.Group {
		f.Group = ""
	}
	return f
}

func (s *Server) superviseFindings(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	return s.renderFindings(w, r, http.StatusOK, a, svPage("检查发现的问题", crumb{"检查发现的问题", ""}))
}

func (s *Server) renderFindings(w http.ResponseWriter, r *http.Request, status int, a *svAccess, pd *pageData) error {
	ctx := r.Context()
	f := findingFilterFrom(r, a)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	f.Limit, f.Offset = 100, (page-1)*100
	list, total, err := s.Supervise.Findings(ctx, f)
	if err != nil {
		return err
	}
	cfg, err := s.Supervise.Config(ctx)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	for _, k := range []string{"org", "rule", "group", "severity", "status", "ticket"} {
		pd.Form[k] = q.Get(k)
	}
	if pd.Form["days"] == "" {
		pd.Form["days"] = strconv.Itoa(cfg.Get("ticket_days"))
	}
	pages := (total + 99) / 100
	pager := map[string]any{"Page": page, "Pages": pages, "Total": total}
	link := func(p int) string {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(p))
		return "/admin/supervise/findings?" + v.Encode()
	}
	if page > 1 {
		pager["Prev"] = link(page - 1)
	}
	if page < pages {
		pager["Next"] = link(page + 1)
	}
	export := url.Values{}
	for k, v := range q {
		if k != "page" {
			export[k] = v
		}
	}
	pd.Data = a.data(map[string]any{"Findings": list, "Total": total, "Pager": pager, "Orgs": a.orgs, "Rules": supervise.Rules,
		"GroupList": supervise.Groups, "Severities": supervise.Severities, "Export": "/admin/supervise/export/findings.xlsx?" + export.Encode()})
	s.render(w, r, status, "admin/supervise_findings.html", pd)
	return nil
}

func (s *Server) superviseFinding(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	f, err := s.Supervise.Finding(ctx, a.p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderFinding(w, r, http.StatusOK, a, f, svPage(f.RuleName(), crumb{"检查发现的问题", "/admin/supervise/findings"}, crumb{f.RuleName(), ""}))
}

func (s *Server) renderFinding(w http.ResponseWriter, r *http.Request, status int, a *svAccess, f supervise.Finding, pd *pageData) error {
	ctx := r.Context()
	spans, err := s.Supervise.Spans(ctx, f.ID)
	if err != nil {
		return err
	}
	rule, _ := supervise.RuleByCode(f.Rule)
	canTicket, _ := s.Orgs.Allowed(ctx, a.p, org.PermSuperviseManage, f.OrgID)
	cfg, err := s.Supervise.Config(ctx)
	if err != nil {
		return err
	}
	if pd.Form["days"] == "" {
		pd.Form["days"] = strconv.Itoa(cfg.Get("ticket_days"))
	}
	var assignees []org.Org
	for _, o := range a.orgs {
		if ok, _ := s.Orgs.Allowed(ctx, a.p, org.PermSuperviseManage, o.ID); ok {
			assignees = append(assignees, o)
		}
	}
	pd.Data = a.data(map[string]any{"Finding": f, "Rule": rule, "Spans": spans, "CanTicket": canTicket && f.Status == "open" && !f.TicketActive(),
		"Assignees": assignees, "GroupLabel": supervise.GroupLabel(rule.Group)})
	s.render(w, r, status, "admin/supervise_finding.html", pd)
	return nil
}

// --- tickets ---

func (s *Server) superviseOpenTickets(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取")
	}
	days, convErr := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("days")))
	in := supervise.OpenInput{FindingIDs: r.PostForm["finding_id"], OrgID: r.PostForm.Get("org_id"), Days: days,
		Request: r.PostForm.Get("request")}
	if convErr != nil {
		err = apperr.Field("days", "整改期限应为 1–60 之间的整数（工作日）")
	} else {
		var ts []supervise.Ticket
		var skipped []string
		ts, skipped, err = s.Supervise.OpenTickets(ctx, a.p, clientIP(r), in)
		if err == nil {
			if len(ts) == 1 && len(skipped) == 0 {
				http.Redirect(w, r, "/admin/supervise/tickets/"+ts[0].ID+"?ok=ticketed", http.StatusSeeOther)
				return nil
			}
			http.Redirect(w, r, fmt.Sprintf("/admin/supervise/tickets?ok=ticketed&n=%d&skipped=%d", len(ts), len(skipped)), http.StatusSeeOther)
			return nil
		}
	}
	// A form on one finding comes back to that finding with its errors; the
	// bulk form to the list with the message.
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid {
		return err
	}
	if len(in.FindingIDs) == 1 && r.PostForm.Get("from") == "finding" {
		f, ferr := s.Supervise.Finding(ctx, a.p, in.FindingIDs[0])
		if ferr != nil {
			return ferr
		}
		pd := svPage(f.RuleName(), crumb{"检查发现的问题", "/admin/supervise/findings"}, crumb{f.RuleName(), ""})
		pd.Form = formValues(r)
		formErrors(err, pd)
		return s.renderFinding(w, r, http.StatusBadRequest, a, f, pd)
	}
	pd := svPage("检查发现的问题", crumb{"检查发现的问题", ""})
	pd.Form = formValues(r)
	formErrors(err, pd)
	if len(e.Fields) > 0 && e.Fields[0].Field == "finding_ids" {
		pd.Error = e.Fields[0].Message
	}
	return s.renderFindings(w, r, http.StatusBadRequest, a, pd)
}

func (s *Server) superviseTickets(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := supervise.TicketFilter{OrgIDs: a.scope, Status: q.Get("status"), Escalated: q.Get("escalated") == "1", Overdue: q.Get("overdue") == "1"}
	if id := q.Get("org"); id != "" && a.inScope[id] {
		f.OrgID = id
	}
	list, err := s.Supervise.Tickets(ctx, f)
	if err != nil {
		return err
	}
	pd := svPage("整改单", crumb{"整改单", ""})
	for _, k := range []string{"org", "status", "escalated", "overdue"} {
		pd.Form[k] = q.Get(k)
	}
	if q.Get("ok") == "ticketed" && q.Get("n") != "" {
		pd.Flash = fmt.Sprintf("已下发整改单 %s 件。", q.Get("n"))
		if n := q.Get("skipped"); n != "" && n != "0" {
			pd.Flash += fmt.Sprintf("另有 %s 个问题已有在办的整改单，未重复下发。", n)
		}
	}
	export := url.Values{}
	for k, v := range q {
		if k != "ok" && k != "n" && k != "skipped" {
			export[k] = v
		}
	}
	pd.Data = a.data(map[string]any{"Tickets": list, "Orgs": a.orgs, "Today": s.Supervise.Today(),
		"Export": "/admin/supervise/export/tickets.xlsx?" + export.Encode()})
	s.render(w, r, http.StatusOK, "admin/supervise_tickets.html", pd)
	return nil
}

func (s *Server) superviseTicket(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	t, err := s.Supervise.Ticket(r.Context(), a.p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderTicket(w, r, http.StatusOK, a, t, svPage("整改单 "+t.No, crumb{"整改单", "/admin/supervise/tickets"}, crumb{t.No, ""}))
}

func (s *Server) renderTicket(w http.ResponseWriter, r *http.Request, status int, a *svAccess, t supervise.Ticket, pd *pageData) error {
	ctx := r.Context()
	canReply, _ := s.Orgs.Allowed(ctx, a.p, org.PermSuperviseReply, t.OrgID)
	canManage, _ := s.Orgs.Allowed(ctx, a.p, org.PermSuperviseManage, t.Finding.OrgID)
	if pd.Form["days"] == "" {
		pd.Form["days"] = strconv.Itoa(t.Days)
	}
	today := s.Supervise.Today()
	pd.Data = a.data(map[string]any{"Ticket": t, "CanReply": canReply && t.Status != supervise.TicketClosed,
		"CanReturn": canManage && t.Status == supervise.TicketReplied, "CanAccept": canManage && t.Status != supervise.TicketClosed,
		"Overdue": t.Overdue(today), "Today": today})
	s.render(w, r, status, "admin/supervise_ticket.html", pd)
	return nil
}

func (s *Server) superviseTicketAction(action string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		a, err := s.svAccess(r)
		if err != nil {
			return err
		}
		if err := parseForm(w, r); err != nil {
			return apperr.New(apperr.Invalid, "表单无法读取")
		}
		id, ip, f := r.PathValue("id"), clientIP(r), r.PostForm.Get
		flash := map[string]string{"reply": "replied", "return": "returned", "accept": "accepted"}[action]
		switch action {
		case "reply":
			_, err = s.Supervise.Reply(ctx, a.p, ip, id, f("reply"))
		case "return":
			days, convErr := strconv.Atoi(strings.TrimSpace(f("days")))
			if convErr != nil {
				err = apperr.Field("days", "整改期限应为 1–60 之间的整数（工作日）")
			} else {
				_, err = s.Supervise.Return(ctx, a.p, ip, id, f("note"), days)
			}
		case "accept":
			_, err = s.Supervise.Accept(ctx, a.p, ip, id, f("accept_note"))
			if e, ok := apperr.As(err); ok && len(e.Fields) == 1 && e.Fields[0].Field == "note" {
				e.Fields[0].Field = "accept_note"
			}
		}
		if err == nil {
			http.Redirect(w, r, "/admin/supervise/tickets/"+id+"?ok="+flash, http.StatusSeeOther)
			return nil
		}
		t, terr := s.Supervise.Ticket(ctx, a.p, id)
		if terr != nil {
			return terr
		}
		pd := svPage("整改单 "+t.No, crumb{"整改单", "/admin/supervise/tickets"}, crumb{t.No, ""})
		pd.Form = formValues(r)
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderTicket(w, r, http.StatusBadRequest, a, t, pd)
	}
}

// --- scores ---

func (s *Server) superviseScores(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	today := s.Supervise.Today()
	period := supervise.PeriodOf("quarter", today)
	pd := svPage("考核得分", crumb{"考核得分", ""})
	if code := strings.TrimSpace(q.Get("period")); code != "" {
		if p, err := supervise.ParsePeriod(code); err == nil {
			period = p
		} else {
			pd.Errors = map[string]string{"period": apperrMessage(err)}
			pd.Error = "考核期间有误，已显示本季度。"
		}
	}
	version, _ := strconv.Atoi(q.Get("version"))
	pd.Form["period"] = period.Code
	pd.Form["bonus_period"] = period.Code
	data := a.data(map[string]any{"Period": period, "Choices": periodChoices(today)})
	sc, live, err := s.svScores(ctx, a, period, version)
	switch {
	case err == nil:
		data["Scores"], data["Live"] = sc, live
	case apperr.Is(err, apperr.Invalid):
		data["Message"] = apperrMessage(err)
	default:
		return err
	}
	if versions, err := s.Supervise.Versions(ctx, a.scoreRoot, period.Code); err == nil {
		data["Versions"] = versions
	}
	if a.manage {
		bs, err := s.Supervise.Bonuses(ctx, period.Code, a.scope)
		if err != nil {
			return err
		}
		type bonusRow struct {
			supervise.BonusItem
			OrgName string
		}
		var rows []bonusRow
		for _, o := range a.orgs {
			for _, b := range bs[o.ID] {
				rows = append(rows, bonusRow{b, o.Name})
			}
		}
		data["BonusRows"] = rows
		t, err := s.Supervise.Table(ctx)
		if err != nil {
			return err
		}
		var scored []org.Org
		for _, o := range a.orgs {
			if slices.Contains(t.ScoredKinds, o.Kind) {
				scored = append(scored, o)
			}
		}
		data["ScoredOrgs"] = scored
	}
	// Trend of the stored quarters: average and lowest score, 不合格 count.
	periods, trend, err := s.Supervise.ScoreTrend(ctx, a.scoreRoot, "quarter", a.scope, 8)
	if err != nil {
		return err
	}
	if len(periods) > 0 {
		xs := make([]string, len(periods))
		avg, low, fail := make([]float64, len(periods)), make([]float64, len(periods)), make([]int, len(periods))
		for i, p := range periods {
			xs[i] = p.Label()
			sum, n := 0.0, 0
			low[i] = math.NaN()
			for _, tr := range trend {
				c := tr.Cells[i]
				if !c.Has {
					continue
				}
				if c.Grade == "不合格" {
					fail[i]++
				}
				sum += c.Final.Float()
				n++
				if math.IsNaN(low[i]) || c.Final.Float() < low[i] {
					low[i] = c.Final.Float()
				}
			}
			avg[i] = math.NaN()
			if n > 0 {
				avg[i] = math.Round(sum/float64(n)*10) / 10
			}
		}
		data["TrendChart"] = newLineChart("c-score-trend", "各季度考核得分变化", fmt.Sprintf("%d 个已存档季度的平均得分和最低得分。", len(periods)),
			xs, []string{"平均得分", "最低得分"}, [][]float64{avg, low}, "", 100)
		data["TrendPeriods"], data["TrendRows"], data["TrendAvg"], data["TrendLow"], data["TrendFail"] = periods, trend, avg, low, fail
	}
	pd.Data = data
	s.render(w, r, http.StatusOK, "admin/supervise_scores.html", pd)
	return nil
}

// periodChoices lists the recent periods for the selector, newest first.
func periodChoices(today workday.Date) []supervise.Period {
	var out []supervise.Period
	q := supervise.PeriodOf("quarter", today)
	for range 6 {
		out = append(out, q)
		q = q.Prev()
	}
	h := supervise.PeriodOf("half", today)
	out = append(out, h, h.Prev())
	y := supervise.PeriodOf("year", today)
	return append(out, y, y.Prev())
}

func (s *Server) superviseSaveScores(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取")
	}
	period := r.PostForm.Get("period")
	if _, err := s.Supervise.SaveScores(ctx, a.p, clientIP(r), period, r.PostForm.Get("note")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/supervise/scores?ok=scored&period="+url.QueryEscape(period), http.StatusSeeOther)
	return nil
}

func (s *Server) superviseAddBonus(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取")
	}
	f := r.PostForm.Get
	if _, err := s.Supervise.AddBonus(ctx, a.p, clientIP(r), f("org_id"), f("bonus_period"), f("points"), f("reason")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/supervise/scores?ok=bonus&period="+url.QueryEscape(f("bonus_period"))+"#h-bonus", http.StatusSeeOther)
	return nil
}

func (s *Server) superviseDeleteBonus(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取")
	}
	if err := s.Supervise.DeleteBonus(r.Context(), a.p, clientIP(r), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/supervise/scores?ok=deleted&period="+url.QueryEscape(r.PostForm.Get("period"))+"#h-bonus", http.StatusSeeOther)
	return nil
}

// --- rules and thresholds ---

func (s *Server) superviseRules(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	cfg, err := s.Supervise.Config(r.Context())
	if err != nil {
		return err
	}
	pd := svPage("检查规则和阈值", crumb{"检查规则和阈值", ""})
	for _, p := range supervise.Params {
		pd.Form[p.Key] = strconv.Itoa(cfg.Get(p.Key))
	}
	return s.renderRules(w, r, http.StatusOK, a, cfg, pd)
}

func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, status int, a *svAccess, cfg supervise.Config, pd *pageData) error {
	grace := 0
	if s.Supervise.InterpGrace != nil {
		grace = s.Supervise.InterpGrace(r.Context())
	}
	params := map[string]supervise.Param{}
	for _, p := range supervise.Params {
		params[p.Key] = p
	}
	checked := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range list {
			m[x] = true
		}
		return m
	}
	var kinds []string
	for _, k := range cfg.ColumnKinds {
		kinds = append(kinds, string(k))
	}
	pd.Data = a.data(map[string]any{"Rules": supervise.Rules, "Params": supervise.Params, "ParamMap": params, "Genres": info.Genres,
		"Kinds": org.Kinds, "ColumnGenres": checked(cfg.ColumnGenres), "NewsGenres": checked(cfg.NewsGenres),
		"NoticeGenres": checked(cfg.NoticeGenres), "ColumnKinds": checked(kinds), "InterpGrace": grace, "GroupList": supervise.Groups})
	s.render(w, r, status, "admin/supervise_rules.html", pd)
	return nil
}

func (s *Server) superviseSaveRules(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	if !a.root {
		return apperr.New(apperr.Forbidden, "只有全区（县）的政务公开办可以修改检查阈值和考核指标")
	}
	if err := parseForm(w, r); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取")
	}
	raw := map[string]string{}
	for _, p := range supervise.Params {
		raw[p.Key] = r.PostForm.Get(p.Key)
	}
	cfg := supervise.Config{ColumnGenres: r.PostForm["column_genre"], NewsGenres: r.PostForm["news_genre"],
		NoticeGenres: r.PostForm["notice_genre"]}
	for _, k := range r.PostForm["column_kind"] {
		cfg.ColumnKinds = append(cfg.ColumnKinds, org.Kind(k))
	}
	cfg.Values, err = supervise.ParseValues(raw)
	if err == nil {
		err = s.Supervise.SaveConfig(ctx, a.p, clientIP(r), cfg)
	}
	if err == nil {
		http.Redirect(w, r, "/admin/supervise/rules?ok=saved", http.StatusSeeOther)
		return nil
	}
	pd := svPage("检查规则和阈值", crumb{"检查规则和阈值", ""})
	pd.Form = formValues(r)
	if e := formErrors(err, pd); e != nil {
		return e
	}
	return s.renderRules(w, r, http.StatusBadRequest, a, cfg, pd)
}

// --- indicator table ---

// svIndRow is an indicator as the editor shows it (text as typed, so a bad
// value comes back for correction).
type svIndRow struct {
	Code, Name, Kind, Per, Weight, Threshold, Basis string
	Rules                                           map[string]bool
}

func (s *Server) superviseIndicators(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	t, err := s.Supervise.Table(r.Context())
	if err != nil {
		return err
	}
	pd := svPage("考核指标表", crumb{"考核指标表", ""})
	var rows []svIndRow
	for _, in := range t.Indicators {
		row := svIndRow{Code: in.Code, Name: in.Name, Kind: in.Kind, Basis: in.Basis, Rules: map[string]bool{}}
		if in.Kind == supervise.KindDeduct {
			row.Per, row.Weight = in.Per.String(), in.Weight.String()
		} else {
			row.Threshold = strconv.Itoa(in.Threshold)
		}
		for _, rl := range in.Rules {
			row.Rules[rl] = true
		}
		rows = append(rows, row)
	}
	pd.Form["pass_score"], pd.Form["good_score"], pd.Form["excellent_score"] = t.PassScore.String(), t.GoodScore.String(), t.ExcellentScore.String()
	pd.Form["bonus_threshold"], pd.Form["bonus_max"] = t.BonusThreshold.String(), t.BonusMax.String()
	pd.Form["performance_weight"] = strconv.Itoa(t.PerformanceWeight)
	return s.renderIndicators(w, r, http.StatusOK, a, rows, t.ScoredKinds, pd)
}

func (s *Server) renderIndicators(w http.ResponseWriter, r *http.Request, status int, a *svAccess, rows []svIndRow, kinds []org.Kind, pd *pageData) error {
	for range 3 {
		rows = append(rows, svIndRow{Kind: supervise.KindDeduct, Rules: map[string]bool{}})
	}
	scored := map[string]bool{}
	for _, k := range kinds {
		scored[string(k)] = true
	}
	type ruleOpt struct{ Code, Name, Group string }
	var opts []ruleOpt
	for _, rl := range supervise.Rules {
		if rl.Code != supervise.RuleApplyNear {
			opts = append(opts, ruleOpt{rl.Code, rl.Name, supervise.GroupLabel(rl.Group)})
		}
	}
	opts = append(opts, ruleOpt{supervise.CountTicketEscalated, supervise.RuleName(supervise.CountTicketEscalated), "整改"})
	pd.Data = a.data(map[string]any{"Rows": rows, "RuleOpts": opts, "Kinds": org.Kinds, "Scored": scored})
	s.render(w, r, status, "admin/supervise_indicators.html", pd)
	return nil
}

func (s *Server) superviseSaveIndicators(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	if !a.root {
		return apperr.New(apperr.Forbidden, "只有全区（县）的政务公开办可以修改检查阈值和考核指标")
	}
	if err := parseForm(w, r); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取")
	}
	f := r.PostForm.Get
	n, _ := strconv.Atoi(f("rows"))
	n = min(max(n, 0), 100)
	var rows []svIndRow
	var t supervise.Table
	var fs apperr.Fields
	for i := range n {
		k := func(x string) string { return fmt.Sprintf("ind_%d_%s", i, x) }
		row := svIndRow{Code: strings.TrimSpace(f(k("code"))), Name: strings.TrimSpace(f(k("name"))), Kind: f(k("kind")),
			Per: strings.TrimSpace(f(k("per"))), Weight: strings.TrimSpace(f(k("weight"))), Threshold: strings.TrimSpace(f(k("threshold"))),
			Basis: f(k("basis")), Rules: map[string]bool{}}
		if row.Code == "" && row.Name == "" {
			continue // a blank or cleared row is removed
		}
		in := supervise.Indicator{Code: row.Code, Name: row.Name, Kind: row.Kind, Basis: row.Basis}
		for _, rl := range r.PostForm[k("rules")] {
			row.Rules[rl] = true
			in.Rules = append(in.Rules, rl)
		}
		j := len(rows) // the row's index once blanks are gone: the errors name it
		key := func(x string) string { return fmt.Sprintf("ind_%d_%s", j, x) }
		label := fmt.Sprintf("第 %d 项指标「%s」", j+1, row.Name)
		switch row.Kind {
		case supervise.KindDeduct:
			var ok bool
			if in.Per, ok = supervise.ParsePoints(row.Per); !ok {
				fs.Add(key("per"), label+"：每处扣分应为数字，最多一位小数，如 2 或 0.5")
			}
			if in.Weight, ok = supervise.ParsePoints(row.Weight); !ok {
				fs.Add(key("weight"), label+"：分值应为数字，最多一位小数")
			}
		case supervise.KindVeto:
			var err error
			if in.Threshold, err = strconv.Atoi(row.Threshold); err != nil {
				fs.Add(key("threshold"), label+"：否决阈值应为整数")
			}
		}
		rows = append(rows, row)
		t.Indicators = append(t.Indicators, in)
	}
	points := func(field, label string) supervise.Points {
		p, ok := supervise.ParsePoints(f(field))
		if !ok {
			fs.Add(field, label+"应为 0–100 之间的数，最多一位小数")
		}
		return p
	}
	t.PassScore, t.GoodScore, t.ExcellentScore = points("pass_score", "合格分数线"), points("good_score", "良好分数线"), points("excellent_score", "优秀分数线")
	t.BonusThreshold, t.BonusMax = points("bonus_threshold", "加分门槛"), points("bonus_max", "加分上限")
	if t.PerformanceWeight, err = strconv.Atoi(strings.TrimSpace(f("performance_weight"))); err != nil {
		fs.Add("performance_weight", "绩效考核权重应为 0–100 之间的整数")
	}
	for _, k := range r.PostForm["scored_kind"] {
		t.ScoredKinds = append(t.ScoredKinds, org.Kind(k))
	}
	err = fs.Err()
	if err == nil {
		err = s.Supervise.SaveTable(ctx, a.p, clientIP(r), t)
	}
	if err == nil {
		http.Redirect(w, r, "/admin/supervise/indicators?ok=saved", http.StatusSeeOther)
		return nil
	}
	pd := svPage("考核指标表", crumb{"考核指标表", ""})
	pd.Form = formValues(r)
	if e := formErrors(err, pd); e != nil {
		return e
	}
	return s.renderIndicators(w, r, http.StatusBadRequest, a, rows, t.ScoredKinds, pd)
}

// --- exports ---

func (s *Server) superviseExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.svAccess(r)
	if err != nil {
		return err
	}
	today := s.Supervise.Today()
	var sheets []supervise.Sheet
	var name string
	switch r.PathValue("what") {
	case "findings.xlsx":
		f := findingFilterFrom(r, a)
		f.Limit = -1
		list, _, err := s.Supervise.Findings(ctx, f)
		if err != nil {
			return err
		}
		title := "政务公开监督检查发现问题清单（截至" + today.Chinese() + "）"
		sheets, name = []supervise.Sheet{supervise.FindingsSheet(title, list, a.names)}, "监督检查问题清单-"+today.String()+".xlsx"
	case "tickets.xlsx":
		q := r.URL.Query()
		f := supervise.TicketFilter{OrgIDs: a.scope, Status: q.Get("status"), Escalated: q.Get("escalated") == "1",
			Overdue: q.Get("overdue") == "1", Limit: 1000}
		if id := q.Get("org"); id != "" && a.inScope[id] {
			f.OrgID = id
		}
		list, err := s.Supervise.Tickets(ctx, f)
		if err != nil {
			return err
		}
		title := "政务公开整改台账（截至" + today.Chinese() + "）"
		sheets, name = []supervise.Sheet{supervise.TicketsSheet(title, list, a.names, today)}, "整改台账-"+today.String()+".xlsx"
	case "scores.xlsx":
		period, err := supervise.ParsePeriod(r.URL.Query().Get("period"))
		if err != nil {
			return err
		}
		version, _ := strconv.Atoi(r.URL.Query().Get("version"))
		sc, _, err := s.svScores(ctx, a, period, version)
		if err != nil {
			return err
		}
		sheets, name = supervise.ScoreSheets(*sc), period.Label()+"政务公开考核得分.xlsx"
	default:
		return apperr.NotFoundf("页面不存在")
	}
	var buf bytes.Buffer
	if err := supervise.WriteXLSX(&buf, sheets); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Write(buf.Bytes())
	return nil
}
