package web_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/supervise"
)

// The supervisor's dashboard in a real browser: the charts render (bars
// with width, lines without fill: the stylesheet reached them under the
// CSP), every chart is labelled and has its data table, the page prints
// without the navigation, and the browser logs no error on the dashboard,
// the scores or the findings.
func TestBrowserSuperviseDashboard(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	env.App.Supervise.Now = func() time.Time { return svDay }
	if _, err := env.App.Supervise.Run(context.Background(), audit.System("test", "测试"), supervise.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == "error" || m.Type == chromedp.ConsoleException || m.Type == "warning" {
				mu.Lock()
				problems = append(problems, string(m.Type)+": "+m.Text)
				mu.Unlock()
			}
		}
	}()
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("browser: %s: %v", js, err)
		}
		return v
	}
	do(chromedp.Navigate(env.URL+"/admin/login"), chromedp.WaitVisible(chromedp.CSS("#f-username")),
		chromedp.SendKeys(chromedp.CSS("#f-username"), "gkb"), chromedp.SendKeys(chromedp.CSS("#f-password"), "Demo@2026"),
		chromedp.Submit(chromedp.CSS("#f-password")), chromedp.WaitVisible(chromedp.CSS("nav.side-nav")),
		chromedp.Click(chromedp.CSS(`nav.side-nav a[href="/admin/supervise"]`)), chromedp.WaitVisible(chromedp.CSS("svg.chart-svg")))

	if n, _ := strconv.Atoi(eval(`String(document.querySelectorAll("svg.chart-svg[role=img]").length)`)); n < 2 {
		t.Fatalf("%d charts on the dashboard", n)
	}
	// Each chart is named by its title and description, and followed by a
	// table of the same numbers.
	unlabelled := eval(`Array.from(document.querySelectorAll("svg.chart-svg")).filter(s => {
		const ids = (s.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
		return ids.length < 2 || ids.some(id => !document.getElementById(id) || !document.getElementById(id).textContent.trim());
	}).length + ""`)
	if unlabelled != "0" {
		t.Errorf("%s charts without a title and description", unlabelled)
	}
	if rows, _ := strconv.Atoi(eval(`String(document.querySelectorAll("table.chart-data tbody tr").length)`)); rows < 3 {
		t.Errorf("data tables: %d rows", rows)
	}
	bars := eval(`Array.from(document.querySelectorAll("rect.bar")).map(r => r.getBBox().width > 0 ? "w" : "0").join("")`)
	fill := eval(`getComputedStyle(document.querySelector("rect.bar")).fill`)
	line := eval(`getComputedStyle(document.querySelector("polyline.line")).fill`)
	if !strings.Contains(bars, "w") || fill == "rgb(0, 0, 0)" || line != "none" {
		t.Errorf("charts not drawn as styled: bars %q fill %q line fill %q", bars, fill, line)
	}
	tiles, _ := strconv.Atoi(eval(`String(document.querySelectorAll("ul.score-grid li").length)`))
	if tiles < 10 || !strings.Contains(eval(`document.querySelector("ul.score-grid").textContent`), "分") {
		t.Errorf("score grid: %d tiles", tiles)
	}
	// Printed: charts and tables stay, the navigation and buttons go.
	media := func(m string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	media("print")
	if nav, svg := eval(`getComputedStyle(document.querySelector("nav.side-nav")).display`),
		eval(`getComputedStyle(document.querySelector("svg.chart-svg")).display`); nav != "none" || svg == "none" {
		t.Errorf("print: navigation %s, chart %s", nav, svg)
	}
	media("")
	for _, p := range []string{"/admin/supervise/scores", "/admin/supervise/findings", "/admin/supervise/tickets", "/admin/supervise/rules"} {
		do(chromedp.Navigate(env.URL+p), chromedp.WaitVisible(chromedp.CSS("main h1")))
	}
	time.Sleep(100 * time.Millisecond) // let the last log entries arrive
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("browser reported: %v", problems)
	}
}
