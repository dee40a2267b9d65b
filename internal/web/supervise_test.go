package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/supervise"
)

// svDay keeps the checks and ticket deadlines inside the built-in calendar
// years whenever the tests run (sessions keep real time).
var svDay = time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func svPrincipal(t *testing.T, env *apptest.Env, username string) *org.Principal {
	t.Helper()
	ctx := context.Background()
	u, err := env.App.Orgs.GetUserByName(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	g, err := env.App.Orgs.Grants(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &org.Principal{User: u, Grants: g}
}

// The 政务公开办 sees the whole district: charts with their data tables,
// the findings with filters, bulk tickets, thresholds refused when
// nonsense, exports; a unit sees and answers only its own.
func TestSuperviseBackOffice(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	env.App.Supervise.Now = func() time.Time { return svDay }
	ctx := context.Background()
	gkb := env.Client(t)
	gkb.Login("gkb", "Demo@2026")
	if r := gkb.Post("/admin/supervise/run", nil); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/admin/supervise?ok=checked") {
		t.Fatalf("run: %d %s", r.StatusCode, r.Location())
	}

	r := gkb.Get("/admin/supervise")
	doc := apptest.Parse(t, r.Body)
	if r.StatusCode != 200 || len(apptest.All(doc, "svg[role=img]")) < 2 || len(apptest.All(doc, "table.chart-data")) < 2 ||
		apptest.First(doc, "svg title") == nil || len(apptest.All(doc, "ul.score-grid li")) < 10 {
		t.Fatalf("dashboard: %d %s, %d charts, %d data tables", r.StatusCode, r.Location(), len(apptest.All(doc, "svg[role=img]")),
			len(apptest.All(doc, "table.chart-data")))
	}
	for _, th := range apptest.All(doc, "table th") {
		if apptest.Attr(th, "scope") == "" {
			t.Fatalf("a table header without scope: %q", apptest.TextOf(th))
		}
	}
	// Last year's annual reports: the demo publishes 区政府办's 2025 report
	// only, so other departments are listed and 区政府办 is not.
	sec := between(r.Body, `id="h-annual"`, "</section>")
	if env.App.Supervise.Today().Year == 2026 && (!strings.Contains(sec, "教育局") || strings.Contains(sec, "人民政府办公室")) {
		t.Errorf("annual report reminders on the dashboard:\n%s", sec)
	}
	if !strings.Contains(r.Body, "逾期督办的整改单") || !strings.Contains(apptest.TextOf(apptest.First(doc, "nav.side-nav")), "监督考核") {
		t.Errorf("dashboard lacks the escalated list or the menu entry")
	}
	// Filters: one rule only.
	r = gkb.Get("/admin/supervise/findings?rule=" + supervise.RuleEmptyColumn + "&ticket=none")
	rows := apptest.All(apptest.Parse(t, r.Body), "form#bulk tbody tr")
	if r.StatusCode != 200 || len(rows) < 3 {
		t.Fatalf("filtered findings: %d, %d rows", r.StatusCode, len(rows))
	}
	for _, row := range rows {
		if !strings.Contains(apptest.TextOf(row), "空白栏目") {
			t.Fatalf("filter let through: %s", apptest.TextOf(row))
		}
	}
	// Bulk: two findings become two tickets; none selected is named.
	var ids []string
	for _, in := range apptest.All(apptest.Parse(t, r.Body), "input[name=finding_id]")[:2] {
		ids = append(ids, apptest.Attr(in, "value"))
	}
	if r := gkb.Post("/admin/supervise/tickets", url.Values{"finding_id": ids, "days": {"10"}, "from": {"list"}}); r.StatusCode != http.StatusSeeOther ||
		!strings.Contains(r.Location(), "n=2") {
		t.Fatalf("bulk: %d %s", r.StatusCode, r.Location())
	}
	if r := gkb.Post("/admin/supervise/tickets", url.Values{"days": {"10"}, "from": {"list"}}); r.StatusCode != http.StatusBadRequest ||
		!strings.Contains(r.Body, "请选择要下发整改的问题") {
		t.Errorf("bulk without a selection: %d", r.StatusCode)
	}
	if r := gkb.Post("/admin/supervise/tickets", url.Values{"finding_id": ids[:1], "days": {"-5"}, "from": {"finding"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("negative deadline: %d", r.StatusCode)
	}

	// Thresholds: nonsense is refused next to the field; a unit may not edit.
	form := url.Values{"column_genre": {"动态要闻"}, "news_genre": {"动态要闻"}}
	for _, p := range supervise.Params {
		form.Set(p.Key, strconv.Itoa(p.Default))
	}
	form.Set("news_days", "-3")
	r = gkb.Post("/admin/supervise/rules", form)
	bad := apptest.First(apptest.Parse(t, r.Body), "#f-news_days")
	if r.StatusCode != http.StatusBadRequest || bad == nil || apptest.Attr(bad, "aria-invalid") != "true" || !strings.Contains(r.Body, "不能是 -3") {
		t.Errorf("negative threshold: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if cfg, _ := env.App.Supervise.Config(ctx); cfg.Get("news_days") != 14 {
		t.Errorf("a refused threshold was stored")
	}
	r = gkb.Post("/admin/supervise/indicators", url.Values{"rows": {"1"}, "ind_0_code": {"D1"}, "ind_0_name": {"栏目"}, "ind_0_kind": {"deduct"},
		"ind_0_per": {"2"}, "ind_0_weight": {"40"}, "ind_0_rules": {supervise.RuleEmptyColumn}, "pass_score": {"60"}, "good_score": {"80"},
		"excellent_score": {"90"}, "bonus_threshold": {"80"}, "bonus_max": {"10"}, "performance_weight": {"4"}, "scored_kind": {"street"}})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "合计应为 100 分，现为 40 分") {
		t.Errorf("indicator weights not adding up: %d", r.StatusCode)
	}

	// Exports open in Excel with a title row and the header frozen.
	for _, p := range []string{"/admin/supervise/export/findings.xlsx", "/admin/supervise/export/tickets.xlsx",
		"/admin/supervise/export/scores.xlsx?period=" + supervise.PeriodOf("quarter", env.App.Supervise.Today()).Code} {
		r := gkb.Get(p)
		f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
		if r.StatusCode != 200 || err != nil {
			t.Fatalf("%s: %d %v", p, r.StatusCode, err)
		}
		sheet := f.GetSheetList()[0]
		title, _ := f.GetCellValue(sheet, "A1")
		panes, _ := f.GetPanes(sheet)
		n, _ := f.GetRows(sheet)
		if title == "" || !panes.Freeze || len(n) < 3 {
			t.Errorf("%s: title %q panes %+v rows %d", p, title, panes, len(n))
		}
		f.Close()
	}

	// A unit: its own findings and tickets only, and answers its own.
	ed := env.Client(t)
	ed.Login("editor", "Demo@2026")
	dh, other := orgByShort(t, env, "东湖街道"), orgByShort(t, env, "区民政局")
	r = ed.Get("/admin/supervise/findings?status=all")
	if r.StatusCode != 200 || strings.Contains(r.Body, other.Name) || !strings.Contains(r.Body, dh.Name) {
		t.Errorf("unit's findings: %d", r.StatusCode)
	}
	var mine, theirs []supervise.Ticket
	for _, o := range []string{dh.ID, other.ID} {
		fs, _, _ := env.App.Supervise.Findings(ctx, supervise.FindingFilter{OrgID: o, Ticket: "none", Limit: 1})
		if len(fs) == 0 {
			t.Fatalf("no finding without a ticket for %s", o)
		}
		ts, _, err := env.App.Supervise.OpenTickets(ctx, svPrincipal(t, env, "gkb"), "", supervise.OpenInput{FindingIDs: []string{fs[0].ID}})
		if err != nil || len(ts) != 1 {
			t.Fatalf("open: %v", err)
		}
		if o == dh.ID {
			mine = ts
		} else {
			theirs = ts
		}
	}
	if r := ed.Get("/admin/supervise/tickets/" + theirs[0].ID); r.StatusCode != http.StatusNotFound {
		t.Errorf("another unit's ticket: %d", r.StatusCode)
	}
	if r := ed.Post("/admin/supervise/tickets/"+theirs[0].ID+"/reply", url.Values{"reply": {"代为反馈"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("reply to another unit's ticket: %d", r.StatusCode)
	}
	if r := ed.Post("/admin/supervise/tickets/"+mine[0].ID+"/reply", url.Values{"reply": {""}}); r.StatusCode != http.StatusBadRequest ||
		!strings.Contains(r.Body, `id="e-reply"`) {
		t.Errorf("empty reply: %d", r.StatusCode)
	}
	if r := ed.Post("/admin/supervise/tickets/"+mine[0].ID+"/reply", url.Values{"reply": {"已发布相关信息，见门户“规划计划”栏目。"}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("reply: %d", r.StatusCode)
	}
	if r := ed.Post("/admin/supervise/tickets/"+mine[0].ID+"/accept", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("a unit closing its own ticket: %d", r.StatusCode)
	}
	if r := ed.Post("/admin/supervise/rules", url.Values{"news_days": {"30"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a unit editing thresholds: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := ed.Get("/admin/supervise/scores"); r.StatusCode != 200 || strings.Contains(r.Body, other.Name) {
		t.Errorf("unit's scores show other units: %d", r.StatusCode)
	}
	// Someone without any supervision role (the application handler has
	// reply rights for its org) and an anonymous visitor.
	if r := env.Client(t).Get("/admin/supervise"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
}
