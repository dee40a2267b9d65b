package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apptest"
)

// Apply on the portal → the applicant gets a tracking number → the tracking
// page shows the status without personal data; bad input is named; a
// replayed form makes no second case.
func TestApplyOnPortal(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t)
	form := c.Get("/ysqgk/sq")
	if form.StatusCode != 200 || !strings.Contains(form.Body, `name="submit_key"`) || strings.Contains(form.Body, "湖滨社区") {
		t.Fatalf("form: %d (communities are not receivers)", form.StatusCode)
	}
	key := between(form.Body, `name="submit_key" value="`, `"`)
	zfb := orgByShort(t, env, "区政府办")
	vals := url.Values{"submit_key": {key}, "org": {zfb.Code}, "applicant_type": {"person"}, "applicant_name": {"<script>alert(1)</script>赵六"},
		"contact_phone": {"13700000000"}, "description": {"2025年度区级财政预算执行情况"}, "form": {"电子"}, "delivery": {"电子邮件"}}

	bad := url.Values{}
	for k, v := range vals {
		bad[k] = v
	}
	bad.Set("description", "")
	bad.Set("org", "no-such-org")
	r := c.Post("/ysqgk/sq", bad)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "请选择受理机关") || !strings.Contains(r.Body, "&lt;script&gt;") {
		t.Fatalf("bad form: %d", r.StatusCode)
	}
	hp := url.Values{}
	for k, v := range vals {
		hp[k] = v
	}
	hp.Set("website", "http://spam.example")
	if r := c.Post("/ysqgk/sq", hp); r.StatusCode != http.StatusBadRequest {
		t.Errorf("honeypot filled: %d", r.StatusCode)
	}

	r = c.Post("/ysqgk/sq", vals)
	no := between(r.Body, "查询号：<strong>", "</strong>")
	if r.StatusCode != 200 || !strings.HasPrefix(no, "YSQ-") {
		t.Fatalf("submit: %d %q", r.StatusCode, no)
	}
	if again := c.Post("/ysqgk/sq", vals); between(again.Body, "查询号：<strong>", "</strong>") != no {
		t.Error("a replayed form got another tracking number")
	}
	tr := c.Get("/ysqgk/cx?no=" + url.QueryEscape(no))
	if tr.StatusCode != 200 || !strings.Contains(tr.Body, "待确认") || strings.Contains(tr.Body, "13700000000") || strings.Contains(tr.Body, "赵六") {
		t.Errorf("tracking page: %d", tr.StatusCode)
	}
	if tr.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("tracking page cacheable: %v", tr.Header)
	}
	if r := c.Get("/ysqgk/cx?no=YSQ-2026-AAAAAA-AAAAAA"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "没有查到这个查询号") {
		t.Errorf("unknown number: %d", r.StatusCode)
	}
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}
