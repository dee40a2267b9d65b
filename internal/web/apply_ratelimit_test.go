package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apptest"
)

// One address may file 5 applications in 10 minutes: the 6th gets 429 with
// Retry-After and its form back with everything typed in it. Forms with
// errors count; a replayed form (same submit_key) neither counts nor is
// refused. Another address is not affected; IPv6 addresses count per /64.
func TestApplyRateLimit(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t) // always 127.0.0.1
	zfb := orgByShort(t, env, "区政府办")
	newForm := func() url.Values {
		t.Helper()
		key := between(c.Get("/ysqgk/sq").Body, `name="submit_key" value="`, `"`)
		if len(key) != 32 {
			t.Fatalf("no submit key on the form: %q", key)
		}
		return url.Values{"submit_key": {key}, "org": {zfb.Code}, "applicant_type": {"person"}, "applicant_name": {"钱七"},
			"contact_phone": {"13900000000"}, "description": {"2025年度区级政府信息公开工作年度报告"}, "form": {"电子"}, "delivery": {"电子邮件"}}
	}
	trackingNo := func(r *apptest.Response) string { return between(r.Body, "查询号：<strong>", "</strong>") }

	filed := newForm()
	r := c.Post("/ysqgk/sq", filed) // 1
	no := trackingNo(r)
	if r.StatusCode != http.StatusOK || no == "" {
		t.Fatalf("first application: %d\n%s", r.StatusCode, apptest.Text(r.Body))
	}
	for range 3 { // replays: not counted
		if r := c.Post("/ysqgk/sq", filed); r.StatusCode != http.StatusOK || trackingNo(r) != no {
			t.Fatalf("replay: %d %q", r.StatusCode, trackingNo(r))
		}
	}
	for i := range 4 { // 2–5: forms with errors count too
		bad := newForm()
		bad.Set("applicant_name", "")
		if r := c.Post("/ysqgk/sq", bad); r.StatusCode != http.StatusBadRequest || r.Header.Get("Retry-After") != "" {
			t.Fatalf("bad form %d: %d", i+2, r.StatusCode)
		}
	}

	sixth := newForm()
	sixth.Set("applicant_name", `<b>孙八</b> & "某某律师事务所"`)
	sixth.Set("contact_email", "sunba@example.cn")
	sixth.Set("contact_address", "示范区人民大道 8 号")
	sixth.Set("description", "第一行：2024年度预算\n第二行：<script>alert(1)</script>")
	sixth.Set("doc_hint", "示政办〔2025〕3号")
	sixth.Set("id_doc_type", "护照")
	sixth.Set("delivery", "邮寄")
	r = c.Post("/ysqgk/sq", sixth)
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th submission in 10 minutes: %d, want 429\n%s", r.StatusCode, apptest.Text(r.Body))
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 600 {
		t.Errorf("Retry-After %q, want 1–600 seconds", r.Header.Get("Retry-After"))
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("429 page cacheable: %q", r.Header.Get("Cache-Control"))
	}
	doc := apptest.Parse(t, r.Body)
	alert := apptest.TextOf(apptest.First(doc, "div.notice.err"))
	wantMin := strconv.Itoa((secs + 59) / 60)
	if !strings.Contains(alert, "提交过于频繁，请在 "+wantMin+" 分钟后再提交；您填写的内容已保留。") {
		t.Errorf("message: %q (Retry-After %ds)", alert, secs)
	}
	value := func(sel string) string {
		n := apptest.First(doc, sel)
		if n == nil {
			t.Fatalf("no %s in the re-rendered form", sel)
		}
		return apptest.Attr(n, "value")
	}
	selected := func(name string) string {
		for _, o := range apptest.All(doc, "select#f-"+name+" option[selected]") {
			return apptest.Attr(o, "value")
		}
		return ""
	}
	for field, got := range map[string]string{
		"submit_key": value(`input[name=submit_key]`), "applicant_name": value("input#f-applicant_name"),
		"contact_phone": value("input#f-contact_phone"), "contact_email": value("input#f-contact_email"),
		"contact_address": value("input#f-contact_address"), "doc_hint": value("input#f-doc_hint"),
		"description": apptest.TextOf(apptest.First(doc, "textarea#f-description")),
		"org":         selected("org"), "applicant_type": selected("applicant_type"), "id_doc_type": selected("id_doc_type"),
		"form": selected("form"), "delivery": selected("delivery"),
	} {
		want := sixth.Get(field)
		if field == "description" {
			want = strings.Join(strings.Fields(want), " ") // TextOf collapses spaces
		}
		if got != want {
			t.Errorf("%s re-rendered as %q, want %q", field, got, want)
		}
	}
	if strings.Contains(r.Body, "<script>alert(1)</script>") || strings.Contains(r.Body, "<b>孙八</b>") {
		t.Error("typed markup echoed unescaped")
	}

	// Still limited, and the replay of the filed form still answers.
	if r := c.Post("/ysqgk/sq", sixth); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("7th: %d", r.StatusCode)
	}
	if r := c.Post("/ysqgk/sq", filed); r.StatusCode != http.StatusOK || trackingNo(r) != no {
		t.Errorf("replay while limited: %d %q", r.StatusCode, trackingNo(r))
	}

	// Other addresses, straight through the handler (the test server only
	// ever sees 127.0.0.1).
	post := func(remote string, form url.Values) (int, string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/ysqgk/sq", strings.NewReader(form.Encode()))
		req.RemoteAddr = remote
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		rec := httptest.NewRecorder()
		env.App.Web.ServeHTTP(rec, req)
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, string(b)
	}
	other := newForm()
	if code, body := post("192.0.2.7:41000", other); code != http.StatusOK || !strings.HasPrefix(between(body, "查询号：<strong>", "</strong>"), "YSQ-") {
		t.Errorf("another address: %d\n%s", code, apptest.Text(body))
	}
	for i := range 5 {
		if code, _ := post("[2001:db8:1:2::"+strconv.Itoa(i+1)+"]:443", newForm()); code != http.StatusOK {
			t.Fatalf("IPv6 submission %d: %d", i+1, code)
		}
	}
	if code, _ := post("[2001:db8:1:2:ffff::9]:443", newForm()); code != http.StatusTooManyRequests {
		t.Errorf("6th from the same /64: %d, want 429", code)
	}
	if code, _ := post("[2001:db8:1:3::1]:443", newForm()); code != http.StatusOK {
		t.Errorf("another /64: %d", code)
	}
}
