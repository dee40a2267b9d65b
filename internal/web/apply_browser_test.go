package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gongkai.dev/gongkai/internal/apptest"
)

// A person applies online with the keyboard only: every field is labelled,
// the honeypot is out of reach, an empty form names its errors next to the
// fields (and tells assistive technology which field each belongs to),
// nothing typed is lost, typed markup stays text, and the receipt's number
// finds the case on the tracking page. The browser logs no error and no
// dialog ever opens.
func TestBrowserApplyForm(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := browser(t)
	var mu sync.Mutex
	var problems, dialogs []string
	rejected := 0
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			switch {
			case m.Source == "network" && m.URL == env.URL+"/ysqgk/sq" && strings.Contains(m.Text, "status of 400"):
				rejected++ // the form back with its errors is a 400 page, as it should be
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
	// invalid maps each control marked aria-invalid to the text of the
	// elements its aria-describedby names.
	invalid := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		js := `JSON.stringify(Object.fromEntries(Array.from(document.querySelectorAll('[aria-invalid="true"]')).map(el =>
			[el.id, (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean).map(id => {
				const d = document.getElementById(id); return d ? d.textContent.trim() : 'MISSING #' + id }).join(' | ')])))`
		if err := json.Unmarshal([]byte(eval(js)), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// submit presses Enter on the submit button and waits for waitFor on
	// the page that answers (the old page is marked, so that its own
	// elements do not count).
	submit := func(waitFor string) {
		t.Helper()
		eval(`document.documentElement.dataset.before = 'submit'; ''`)
		do(chromedp.Focus(chromedp.CSS("form.apply-form button[type=submit]")), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("html:not([data-before]) "+waitFor)))
	}
	const noScripts = `String(document.querySelectorAll('script').length)`

	do(chromedp.Navigate(env.URL+"/ysqgk/sq"), chromedp.WaitVisible(chromedp.CSS("form.apply-form")))

	// Every control a person can see has a label with text.
	if bad := eval(`Array.from(document.querySelectorAll('input, select, textarea')).filter(el =>
		el.type !== 'hidden' && !el.closest('.hp') &&
		!Array.from(el.labels || []).some(l => l.textContent.trim() !== '')).map(el => el.name || el.id).join(',')`); bad != "" {
		t.Errorf("controls without a label: %s", bad)
	}
	// The honeypot: out of the tab order, hidden from screen readers, off screen.
	var hp struct {
		TabIndex          int
		AriaHidden, Shown bool
	}
	if err := json.Unmarshal([]byte(eval(`(() => { const el = document.getElementById('f-website'), r = el.getBoundingClientRect();
		return JSON.stringify({TabIndex: el.tabIndex, AriaHidden: !!el.closest('[aria-hidden="true"]'),
			Shown: r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.width > 1 && r.height > 1}) })()`)), &hp); err != nil {
		t.Fatal(err)
	}
	if hp.TabIndex != -1 || !hp.AriaHidden || hp.Shown {
		t.Errorf("honeypot reachable: %+v", hp)
	}
	// Tab through the page up to the submit button: the honeypot is never
	// focused and the fields come in reading order.
	var order []string
	for range 80 {
		do(chromedp.KeyEvent(kb.Tab))
		id := eval(`document.activeElement.id || document.activeElement.tagName + (document.activeElement.type === 'submit' && document.activeElement.closest('form.apply-form') ? ':submit' : '')`)
		order = append(order, id)
		if id == "BUTTON:submit" {
			break
		}
	}
	fields := strings.Join(order, " ")
	if strings.Contains(fields, "f-website") || !strings.Contains(fields,
		"f-org f-applicant_type f-applicant_name f-id_doc_type f-id_doc_no f-id_files f-contact_phone f-contact_email f-contact_address f-description f-doc_hint f-form f-delivery BUTTON:submit") {
		t.Errorf("tab order: %s", fields)
	}

	// 1. Empty: every missing field at once, at the field and in the summary.
	submit("#form-error")
	errs := invalid()
	if !strings.Contains(errs["f-org"], "请选择受理机关") || !strings.Contains(errs["f-description"], "请描述所需的政府信息") || len(errs) != 5 {
		t.Errorf("empty form: field errors %v", errs)
	}
	if got := eval(`document.querySelector('#form-error').getAttribute('role') + ' ' + Array.from(document.querySelectorAll('#form-error a')).map(a =>
		a.getAttribute('href') + (document.querySelector(a.getAttribute('href')) ? '' : ':MISSING')).join(' ')`); got != "alert #f-applicant_name #f-applicant_type #f-contact_phone #f-description #f-org" {
		t.Errorf("error summary: %q", got)
	}

	// 2. The agency chosen with the arrow keys and a description with markup;
	// the applicant's own fields left empty.
	zfb := orgByShort(t, env, "区政府办")
	do(chromedp.Focus(chromedp.CSS("#f-org")))
	for i := 0; eval(`document.getElementById('f-org').value`) != zfb.Code; i++ {
		if i == 40 {
			t.Fatalf("arrow keys never reached %s", zfb.Name)
		}
		do(chromedp.KeyEvent(kb.ArrowDown))
	}
	const typed = "请公开2025年度区级财政预算<script>alert(1)</script>及说明"
	do(chromedp.SendKeys(chromedp.CSS("#f-description"), typed))
	submit("#form-error")
	errs = invalid()
	for field, says := range map[string]string{"f-applicant_type": "请选择申请人类型", "f-applicant_name": "姓名或者名称不能为空",
		"f-contact_phone": "请至少填写一种联系方式"} {
		if !strings.Contains(errs[field], says) {
			t.Errorf("%s: described by %q, want %q", field, errs[field], says)
		}
	}
	if len(errs) != 3 {
		t.Errorf("invalid fields: %v", errs)
	}
	if got := eval(`document.getElementById('f-org').value`); got != zfb.Code {
		t.Errorf("agency lost: %q", got)
	}
	if got := eval(`document.getElementById('f-description').value`); got != typed {
		t.Errorf("description re-rendered as %q", got)
	}
	if n := eval(noScripts); n != "0" {
		t.Errorf("typed markup became %s elements", n)
	}

	// 3. The rest with the keyboard; submit; the receipt.
	do(chromedp.Focus(chromedp.CSS("#f-applicant_type")), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Tab))
	if id := eval(`document.activeElement.id`); id != "f-applicant_name" {
		t.Fatalf("Tab from the applicant type went to %q", id)
	}
	do(chromedp.KeyEvent("赵六"), chromedp.KeyEvent(kb.Tab+kb.Tab+kb.Tab+kb.Tab))
	if id := eval(`document.activeElement.id`); id != "f-contact_phone" {
		t.Fatalf("four Tabs from the name went to %q", id)
	}
	do(chromedp.KeyEvent("13700000000"))
	// An identity scan, chosen as a person would in the file dialog.
	scan := filepath.Join(t.TempDir(), "身份证.png")
	if err := os.WriteFile(scan, tinyPNG(), 0o600); err != nil {
		t.Fatal(err)
	}
	do(chromedp.SetUploadFiles(chromedp.CSS("#f-id_files"), []string{scan}))
	submit(".tracking-no strong")
	no := eval(`document.querySelector('.tracking-no strong').textContent.trim()`)
	if !regexp.MustCompile(`^YSQ-\d{4}-[A-Z0-9]{6}-[A-Z0-9]{6}$`).MatchString(no) {
		t.Fatalf("tracking number %q", no)
	}
	if got := eval(`document.querySelector('main h1').textContent`); got != "申请已提交" {
		t.Errorf("receipt heading %q", got)
	}
	var files int
	env.App.DB.R.QueryRow(`SELECT COUNT(*) FROM apply_files f JOIN apply_cases c ON c.id = f.case_id
		WHERE c.tracking_no = $1 AND f.kind = 'identity' AND f.name = '身份证.png'`, no).Scan(&files)
	if files != 1 {
		t.Errorf("identity scan stored %d times, want once", files)
	}

	// 4. The tracking page, typed in.
	do(chromedp.Navigate(env.URL+"/ysqgk/cx"), chromedp.WaitVisible(chromedp.CSS("#f-no")),
		chromedp.Focus(chromedp.CSS("#f-no")), chromedp.KeyEvent(no+kb.Enter), chromedp.WaitVisible(chromedp.CSS("#h-status")))
	if got := eval(`document.querySelector('#h-status').textContent + ' ' + document.querySelector('dl.meta').textContent`); !strings.Contains(got, no) || !strings.Contains(got, "待确认") {
		t.Errorf("tracking page: %q", got)
	}
	if strings.Contains(eval(`document.body.textContent`), "赵六") {
		t.Error("tracking page shows the applicant's name")
	}

	// 5. Staff see the description as text in the list and on the case page.
	do(chromedp.Navigate(env.URL+"/admin/"), chromedp.WaitVisible(chromedp.CSS("#f-username")),
		chromedp.Focus(chromedp.CSS("#f-username")), chromedp.KeyEvent("handler"+kb.Tab+pw+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("nav.side-nav")), chromedp.Navigate(env.URL+"/admin/apply"),
		chromedp.WaitVisible(chromedp.CSS("table.list")))
	for _, where := range []string{"list", "case page"} {
		if where == "case page" {
			href := eval(`(Array.from(document.querySelectorAll('table.list a')).find(a => a.textContent.includes(` + jsString(no) + `)) || {}).pathname || ''`)
			if href == "" {
				t.Fatalf("case %s not in the handler's list", no)
			}
			do(chromedp.Navigate(env.URL+href), chromedp.WaitVisible(chromedp.CSS("main h1")))
		}
		if !strings.Contains(eval(`document.querySelector('main').textContent`), typed) {
			t.Errorf("%s does not show the description as typed", where)
		}
		if n := eval(noScripts); n != "0" {
			t.Errorf("%s: typed markup became %s elements", where, n)
		}
	}

	time.Sleep(100 * time.Millisecond) // let the last log entries arrive
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("browser reported: %v", problems)
	}
	if rejected != 2 {
		t.Errorf("%d form pages came back as 400, want the 2 with errors", rejected)
	}
	if len(dialogs) > 0 {
		t.Errorf("dialogs opened: %v", dialogs)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
