package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/participate"
)

// XSS attempts in every field of the public comment form stay text: in
// the form when it comes back with errors, on the thank-you page, on the
// moderator's pages (which show the private name and contact), and on the
// public page once approved — no dialog opens, no element is injected,
// and each payload is shown literally. The form is keyboard-usable,
// labelled, and its honeypot out of reach.
func TestBrowserCommentXSS(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	open := paDemo(t, env, participate.StageOpen)
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
	// injected counts elements a payload could have made anywhere in the
	// page, and handler attributes on any element.
	injected := func(where string) {
		t.Helper()
		got := eval(`String(document.querySelectorAll('script, svg, img, iframe, object, embed').length + ' ' +
			Array.from(document.querySelectorAll('*')).filter(el => Array.from(el.attributes).some(a => /^on/i.test(a.name))).length)`)
		if got != "0 0" {
			t.Errorf("%s: injected elements/handlers %s", where, got)
		}
	}
	submit := func(waitFor string) {
		t.Helper()
		eval(`document.documentElement.dataset.before = 'submit'; ''`)
		do(chromedp.Focus(chromedp.CSS("form.comment-form button[type=submit]")), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("html:not([data-before]) "+waitFor)))
	}

	const (
		body    = `<script>alert("body")</script><img src=x onerror=alert("img")>建议充电设施统一建设`
		name    = `"><svg onload=alert("name")>`
		contact = `"><svg/onload=alert("contact")>@evil.cn`
		passage = `</textarea><script>alert("passage")</script>`
	)
	blocks := participate.Blocks(open.Draft)
	do(chromedp.Navigate(env.URL+"/hdjl/zjyj/"+open.ID), chromedp.WaitVisible(chromedp.CSS("#duan-9")),
		chromedp.Click(chromedp.CSS("#duan-9 .anchor-link a")), chromedp.WaitVisible(chromedp.CSS("form.comment-form")))
	if got := eval(`document.getElementById('f-passage').value`); got != blocks[8].Text {
		t.Fatalf("quoted paragraph %q", got)
	}
	// Every control a person can see has a label; the honeypot is not reachable.
	if bad := eval(`Array.from(document.querySelectorAll('input, select, textarea')).filter(el => el.type !== 'hidden' && !el.closest('.hp') &&
		!Array.from(el.labels || []).some(l => l.textContent.trim() !== '')).map(el => el.name).join(',')`); bad != "" {
		t.Errorf("controls without a label: %s", bad)
	}
	if hp := eval(`String(document.getElementById('f-website').tabIndex) + (document.getElementById('f-website').closest('[aria-hidden="true"]') ? ' hidden' : '')`); hp != "-1 hidden" {
		t.Errorf("honeypot: %s", hp)
	}

	// 1. Payloads in every field, the quote rewritten: back with errors,
	// everything typed kept as text.
	eval(`document.getElementById('f-passage').value = ''; ''`)
	do(chromedp.SendKeys(chromedp.CSS("#f-passage"), passage),
		chromedp.SendKeys(chromedp.CSS("#f-body"), body), chromedp.SendKeys(chromedp.CSS("#f-name"), name),
		chromedp.SendKeys(chromedp.CSS("#f-contact"), contact))
	submit("#form-error")
	injected("form with errors")
	if got := eval(`document.querySelector('#f-passage').getAttribute('aria-invalid') + ' ' + document.getElementById('f-passage').value`); got != "true "+passage {
		t.Errorf("rewritten quote: %q", got)
	}
	for id, want := range map[string]string{"f-body": body, "f-name": name, "f-contact": contact} {
		if got := eval(`document.getElementById('` + id + `').value`); got != want {
			t.Errorf("%s re-rendered as %q", id, got)
		}
	}

	// 2. With the quote put back: accepted.
	eval(`document.getElementById('f-passage').value = '电动自行车集中停放和充电设施'; ''`)
	submit(".tracking-no strong")
	injected("thank-you page")
	receipt := eval(`document.querySelector('.tracking-no strong').textContent.trim()`)
	if !strings.HasPrefix(receipt, "YJ-") {
		t.Fatalf("receipt %q", receipt)
	}

	// 3. The moderator's pages show the payloads, and the private name and
	// contact, as text; approve with the keyboard.
	do(chromedp.Navigate(env.URL+"/admin/login"), chromedp.WaitVisible(chromedp.CSS("#f-username")),
		chromedp.Focus(chromedp.CSS("#f-username")), chromedp.KeyEvent("zfb.reviewer"+kb.Tab+demo.Password+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("nav.side-nav")), chromedp.Navigate(env.URL+"/admin/participate/queue?s="+open.ID),
		chromedp.WaitVisible(chromedp.CSS("table.list")))
	injected("moderation queue")
	if !strings.Contains(eval(`document.querySelector('main').textContent`), body) {
		t.Error("queue does not show the comment as typed")
	}
	href := eval(`(Array.from(document.querySelectorAll('table.list tr')).find(tr => tr.textContent.includes('建议充电设施统一建设')) || {querySelector: () => ({})}).querySelector('a').pathname || ''`)
	if href == "" {
		t.Fatal("comment not in the queue")
	}
	do(chromedp.Navigate(env.URL+href), chromedp.WaitVisible(chromedp.CSS("#h-mod")))
	injected("comment page")
	if text := eval(`document.querySelector('main').textContent`); !strings.Contains(text, name) || !strings.Contains(text, contact) || !strings.Contains(text, body) {
		t.Errorf("comment page does not show the typed values as text: %s", text)
	}
	do(chromedp.Focus(chromedp.CSS(`button[value=approve]`)), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("div.notice.ok")))
	cs, _, err := env.App.Participate.Comments(context.Background(), paPrincipal(t, env, "zfb.reviewer"),
		participate.CommentFilter{SolicitationID: open.ID, Status: participate.CommentApproved, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	approved := false
	for _, c := range cs {
		approved = approved || c.Body == body
	}
	if !approved {
		t.Fatal("comment not approved")
	}

	// 4. The public page and the receipt page: inert, literal, no name.
	do(chromedp.Navigate(env.URL+"/hdjl/zjyj/"+open.ID), chromedp.WaitVisible(chromedp.CSS("ol.opinions")))
	injected("public page")
	text := eval(`document.querySelector('ol.opinions').textContent`)
	if !strings.Contains(text, body) || strings.Contains(text, name) || strings.Contains(text, "evil.cn") {
		t.Errorf("public opinions: %s", text)
	}
	do(chromedp.Navigate(env.URL+"/hdjl/zjyj/cx?no="+receipt), chromedp.WaitVisible(chromedp.CSS("#h-status")))
	injected("receipt page")
	if got := eval(`document.querySelector('main').textContent`); !strings.Contains(got, "已公开") || !strings.Contains(got, body) {
		t.Errorf("receipt page: %s", got)
	}

	done()
}
