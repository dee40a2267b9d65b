package web_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"gongkai.dev/gongkai/internal/apptest"
)

// The published report in a real browser: the merged header cells line up
// with the figures under them (a wrong span would shift every column), the
// page prints without the site's chrome, and the browser logs no error (a
// CSP violation would show there).
func TestBrowserAnnualReport(t *testing.T) {
	env := apptest.Start(t, apptest.Options{Now: func() time.Time { return reportDay }})
	zfb := orgByShort(t, env, "区政府办")
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
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("browser: %s: %v", js, err)
		}
		return v
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+"/zfxxgk/"+zfb.Code+"/xxgknb/2025"),
		chromedp.WaitVisible(chromedp.CSS("table#t3"))); err != nil {
		t.Fatal(err)
	}
	// Each pair: a column heading and a figure that must sit in its column.
	aligned := eval(`JSON.stringify([["t3-c0","t3-r0-c0"],["t3-c1","t3-r10-c1"],["t3-c6","t3-r23-c6"],["t3-c5","t3-r24-c5"],
		["t4-g0-c0","t4-r0-c0"],["t4-g2-c4","t4-r2-c4"],["t2-g1-c2","t2-r1-c2"]].map(([h, d]) => {
		const a = document.getElementById(h).getBoundingClientRect(), b = document.getElementById(d).getBoundingClientRect();
		return Math.abs(a.left - b.left) < 1 && Math.abs(a.right - b.right) < 1 ? "ok" : h + "/" + d + ":" + a.left + "≠" + b.left;
	}))`)
	if aligned != `["ok","ok","ok","ok","ok","ok","ok"]` {
		t.Errorf("columns out of line: %s", aligned)
	}
	if rows := eval(`String(document.getElementById("t3").rows.length)`); rows != "28" {
		t.Errorf("table 三 has %s rows, want 3 header + 25", rows)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	printed := eval(`[".site-header", ".annual-downloads", ".breadcrumb", ".site-footer"].map(s => getComputedStyle(document.querySelector(s)).display).join(",") +
		"|" + getComputedStyle(document.getElementById("t3-r0-c0")).borderTopColor`)
	if printed != "none,none,none,none|rgb(0, 0, 0)" {
		t.Errorf("print styles: %s", printed)
	}
	time.Sleep(100 * time.Millisecond) // let the last log entries arrive
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("browser reported: %s", strings.Join(problems, "; "))
	}
}
