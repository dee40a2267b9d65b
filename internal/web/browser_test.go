package web_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/demo"
)

const chromiumPath = "/usr/bin/chromium"

// browser starts Debian's chromium headless with the flags that keep it off
// the network. Without chromium the test skips, unless CI demands it with
// GONGKAI_REQUIRE_BROWSER=1.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("GONGKAI_REQUIRE_BROWSER") == "1" {
			t.Fatalf("chromium required but not found at %s", chromiumPath)
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	return ctx
}

// A person opens the portal, goes to the back office, signs in with the
// keyboard only and sees the dashboard; the browser logs no error (a CSP
// violation or a failed asset would show up there).
func TestBrowserLoginToDashboard(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
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
	run := func(a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		return v
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	do(chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.CSS("nav.main-nav")), chromedp.KeyEvent(kb.Tab))
	if got := run(chromedp.Evaluate[string](`document.activeElement.className`)); got != "skip-link" {
		t.Errorf("first Tab focused %q, want the skip link", got)
	}
	do(chromedp.Click(chromedp.CSS(`a[href="/admin/"]`)), chromedp.WaitVisible(chromedp.CSS("#f-username")),
		chromedp.Focus(chromedp.CSS("#f-username")), chromedp.KeyEvent("gkb"), chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent("Demo@2026"), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("nav.side-nav")))
	h1 := run(chromedp.Text(chromedp.CSS("main h1")))
	roles := run(chromedp.Text(chromedp.CSS("main section.card ul")))
	title := run(chromedp.Title())
	if h1 != "工作台" || !strings.Contains(roles, "政务公开办") || !strings.Contains(title, "工作台 - 后台管理") {
		t.Errorf("dashboard: h1 %q roles %q title %q", h1, roles, title)
	}
	// Through the menu to the accounts list, then sign out.
	do(chromedp.Click(chromedp.CSS(`nav.side-nav a[href="/admin/users"]`)), chromedp.WaitVisible(chromedp.CSS("table.list")))
	if rows := run(chromedp.Evaluate[string](`String(document.querySelectorAll("table.list tbody tr").length)`)); rows != strconv.Itoa(len(demo.Accounts())) {
		t.Errorf("supervisor sees %s accounts, want the %d demo accounts", rows, len(demo.Accounts()))
	}
	do(chromedp.Click(chromedp.CSS(`form[action="/admin/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#f-username")))
	if msg := run(chromedp.Text(chromedp.CSS("div.notice"))); !strings.Contains(msg, "安全退出") {
		t.Errorf("after logout: %q", msg)
	}
	time.Sleep(100 * time.Millisecond) // let the last log entries arrive
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("browser reported: %v", problems)
	}
}

// watchBrowser collects a browser context's console problems (a form page
// back with its errors, 400 or 409, is expected) and opened dialogs; done
// reports them as test errors.
func watchBrowser(t *testing.T, ctx context.Context) (done func()) {
	var mu sync.Mutex
	var problems, dialogs []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			switch {
			case m.Source == "network" && (strings.Contains(m.Text, "status of 400") || strings.Contains(m.Text, "status of 409")):
				// a form back with its errors is a 400 page, as it should be
			case m.Type == "error" || m.Type == chromedp.ConsoleException || m.Type == "warning":
				problems = append(problems, string(m.Type)+": "+m.Text)
			}
			mu.Unlock()
		}
	}()
	opened := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opened {
			if err != nil {
				return
			}
			mu.Lock()
			dialogs = append(dialogs, string(ev.Type)+": "+ev.Message)
			mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
		}
	}()
	return func() {
		t.Helper()
		time.Sleep(100 * time.Millisecond) // let the last log entries arrive
		mu.Lock()
		defer mu.Unlock()
		if len(problems) > 0 {
			t.Errorf("browser reported: %v", problems)
		}
		if len(dialogs) > 0 {
			t.Errorf("dialogs opened: %v", dialogs)
		}
	}
}
