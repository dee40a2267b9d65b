package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/demo"
)

// XSS attempts in every field of the message form stay text: in the form
// coming back with errors, on the confirmation page, on the staff's message
// page (which shows the private name and contact), through the reply and
// publication, on the public page and the tracking page, and in the
// rating comment — no dialog opens, no element is injected, each payload
// is shown literally. The form is labelled and keyboard-usable, its
// honeypot out of reach.
func TestBrowserBoardXSS(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	bdLoosen(t, env)
	ctx := browser(t)
	done := watchBrowser(t, ctx)
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
	injected := func(where string) {
		t.Helper()
		got := eval(`String(document.querySelectorAll('svg, img, iframe, object, embed, script:not([src="/static/board.js"])').length + ' ' +
			Array.from(document.querySelectorAll('*')).filter(el => Array.from(el.attributes).some(a => /^on/i.test(a.name))).length)`)
		if got != "0 0" {
			t.Errorf("%s: injected elements/handlers %s", where, got)
		}
	}
	submit := func(button, waitFor string) {
		t.Helper()
		eval(`document.documentElement.dataset.before = 'submit'; ''`)
		do(chromedp.Focus(chromedp.CSS(button)), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("html:not([data-before]) "+waitFor)))
	}
	login := func(user string) {
		t.Helper()
		do(chromedp.Navigate(env.URL + "/admin/login"))
		if eval(`document.getElementById('f-username') ? 'form' : 'in'`) == "in" {
			// Signed in already: sign out with the header's button.
			do(chromedp.Click(chromedp.CSS(`form[action="/admin/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#f-username")))
		}
		do(chromedp.WaitVisible(chromedp.CSS("#f-username")),
			chromedp.Focus(chromedp.CSS("#f-username")), chromedp.KeyEvent(user+kb.Tab+demo.Password+kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("nav.side-nav")))
	}

	const (
		title   = `<script>alert("title")</script>道路`
		body    = `<img src=x onerror=alert("img")><svg onload=alert("svg")>建议修缮东湖路的人行道`
		name    = `"><svg onload=alert("name")>`
		contact = `"><svg/onload=alert("contact")>@evil.cn`
		reply   = `</p><script>alert("reply")</script>已安排修缮`
		comment = `<iframe src="javascript:alert('rate')"></iframe>`
	)
	do(chromedp.Navigate(env.URL+"/hdjl/ly/new"), chromedp.WaitVisible(chromedp.CSS("form.ly-form")))
	if bad := eval(`Array.from(document.querySelectorAll('input, select, textarea')).filter(el => el.type !== 'hidden' && !el.closest('.hp') &&
		!(Array.from(el.labels || []).some(l => l.textContent.trim() !== '') || el.closest('fieldset'))).map(el => el.name).join(',')`); bad != "" {
		t.Errorf("controls without a label: %s", bad)
	}
	if hp := eval(`String(document.getElementById('f-website').tabIndex) + (document.getElementById('f-website').closest('[aria-hidden="true"]') ? ' hidden' : '')`); hp != "-1 hidden" {
		t.Errorf("honeypot: %s", hp)
	}
	// 1. Payloads in every field, no category or org: back with errors,
	// everything typed kept as text.
	do(chromedp.SendKeys(chromedp.CSS("#f-title"), title), chromedp.SendKeys(chromedp.CSS("#f-body"), body),
		chromedp.SendKeys(chromedp.CSS("#f-name"), name), chromedp.SendKeys(chromedp.CSS("#f-contact"), contact))
	submit("form.ly-form button.primary", "#form-error")
	injected("form with errors")
	for id, want := range map[string]string{"f-title": title, "f-body": body, "f-name": name, "f-contact": contact} {
		if got := eval(`document.getElementById('` + id + `').value`); got != want {
			t.Errorf("%s re-rendered as %q", id, got)
		}
	}
	if got := eval(`document.querySelector('#form-error a[href="#f-category"]') ? 'ok' : ''`); got != "ok" {
		t.Error("the error summary does not link to the category")
	}
	// 2. Category, org and consent chosen with the keyboard: accepted.
	orgID := bdOrg(t, env, "东湖街道")
	do(chromedp.Focus(chromedp.CSS(`input[name=category][value=suggest]`)), chromedp.KeyEvent(" "),
		chromedp.SetValue(chromedp.CSS("#f-org_id"), orgID), chromedp.Focus(chromedp.CSS(`input[name=consent]`)), chromedp.KeyEvent(" "))
	submit("form.ly-form button.primary", ".tracking-no strong")
	injected("confirmation page")
	no := eval(`document.querySelector('.tracking-no strong').textContent.trim()`)
	if !strings.HasPrefix(no, "LY-") {
		t.Fatalf("tracking number %q", no)
	}
	tr, err := env.App.Board.Track(context.Background(), no)
	if err != nil || tr.Title != title || tr.Body != body || tr.Name != name || tr.Contact != contact || !tr.Consent {
		t.Fatalf("stored: %+v %v", tr.Message, err)
	}

	// 3. The staff's page shows the payloads, the private name and contact
	// as text; the reply carries one too.
	login("editor")
	id := tr.ID
	do(chromedp.Navigate(env.URL+"/admin/board/"+id), chromedp.WaitVisible(chromedp.CSS("#h-history")))
	injected("staff message page")
	if text := eval(`document.querySelector('main').textContent`); !strings.Contains(text, title) || !strings.Contains(text, body) ||
		!strings.Contains(text, name) || !strings.Contains(text, contact) {
		t.Errorf("staff page does not show the typed values as text: %s", text)
	}
	do(chromedp.SendKeys(chromedp.CSS("#f-reply"), reply))
	submit(`form[action$="/reply"] button`, "div.notice.ok")
	injected("after the reply")

	// 4. The reviewer publishes the masked draft as proposed.
	login("reviewer")
	do(chromedp.Navigate(env.URL+"/admin/board/"+id), chromedp.WaitVisible(chromedp.CSS("#h-publish")))
	injected("reviewer's page")
	submit(`form[action$="/publish"] button`, "div.notice.ok")

	// 5. The public page and the tracking page: inert, literal, no name.
	do(chromedp.Navigate(env.URL+"/hdjl/ly/"+id), chromedp.WaitVisible(chromedp.CSS("#h-reply")))
	injected("public page")
	text := eval(`document.querySelector('main').textContent`)
	if !strings.Contains(text, title) || !strings.Contains(text, body) || !strings.Contains(text, reply) ||
		strings.Contains(text, "evil.cn") || strings.Contains(text, `svg onload=alert("name")`) {
		t.Errorf("public page: %s", text)
	}
	do(chromedp.Navigate(env.URL+"/hdjl/ly"), chromedp.WaitVisible(chromedp.CSS("table.ly-table")))
	injected("public list")
	do(chromedp.Navigate(env.URL+"/hdjl/ly/cx?no="+no), chromedp.WaitVisible(chromedp.CSS("form.rate-form")))
	injected("tracking page")
	do(chromedp.Focus(chromedp.CSS(`input[name=rating][value=basic]`)), chromedp.KeyEvent(" "),
		chromedp.SendKeys(chromedp.CSS("#f-rating_comment"), comment))
	submit("form.rate-form button", "#h-rate")
	injected("rated")
	if got := eval(`document.getElementById('h-rate').parentElement.textContent`); !strings.Contains(got, "基本满意") || !strings.Contains(got, comment) {
		t.Errorf("rating shown: %s", got)
	}
	done()
}

// While a citizen types, matching answers appear below the text (the
// form's script calling /hdjl/wd/suggest), as links to the Q&A and the
// policy; the page runs under the CSP without a console error.
func TestBrowserBoardSuggest(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := browser(t)
	done := watchBrowser(t, ctx)
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
	do(chromedp.Navigate(env.URL+"/hdjl/ly/new"), chromedp.WaitVisible(chromedp.CSS("form.ly-form")),
		chromedp.SendKeys(chromedp.CSS("#f-title"), "低保怎么申请"),
		chromedp.SendKeys(chromedp.CSS("#f-body"), "我母亲一个人生活，收入很低，想申请低保，需要准备什么材料？"),
		chromedp.WaitVisible(chromedp.CSS("#ly-suggest ul.suggest-list li a")))
	first := eval(`document.querySelector('#ly-suggest ul.suggest-list li a').textContent`)
	href := eval(`document.querySelector('#ly-suggest ul.suggest-list li a').getAttribute('href')`)
	policy := eval(`(document.querySelector('#ly-suggest .hint a') || {}).getAttribute ? document.querySelector('#ly-suggest .hint a').getAttribute('href') : ''`)
	if !strings.Contains(first, "低保") || !strings.HasPrefix(href, "/hdjl/wd/") || !strings.HasPrefix(policy, "/zfxxgk/") {
		t.Errorf("suggestion %q → %s (policy %s)", first, href, policy)
	}
	if live := eval(`document.getElementById('ly-suggest').getAttribute('aria-live')`); live != "polite" {
		t.Errorf("suggestions are not announced: %q", live)
	}
	// Following the suggestion opens the answer.
	do(chromedp.Click(chromedp.CSS("#ly-suggest ul.suggest-list li a")), chromedp.WaitVisible(chromedp.CSS("#h-answer")))
	if h1 := eval(`document.querySelector('main h1').textContent`); h1 != first {
		t.Errorf("answer page %q, want %q", h1, first)
	}
	// Typing about something else replaces the list.
	do(chromedp.Navigate(env.URL+"/hdjl/ly/new"), chromedp.WaitVisible(chromedp.CSS("form.ly-form")),
		chromedp.SendKeys(chromedp.CSS("#f-title"), "大学生创业补贴"),
		chromedp.WaitVisible(chromedp.CSS("#ly-suggest ul.suggest-list li a")))
	if got := eval(`document.querySelector('#ly-suggest ul.suggest-list li a').textContent`); !strings.Contains(got, "创业") {
		t.Errorf("second suggestion %q", got)
	}
	var n int
	if err := env.App.DB.R.QueryRow("SELECT COUNT(*) FROM board_messages WHERE title LIKE '%创业%'").Scan(&n); err != nil || n != 0 {
		t.Errorf("typing stored a message: %d %v", n, err)
	}
	done()
}
