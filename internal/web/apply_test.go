package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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
	if r := c.Get("/api/v1/apply/" + no); r.StatusCode != 200 || !strings.Contains(r.Body, `"status":"unconfirmed"`) || strings.Contains(r.Body, "13700000000") {
		t.Errorf("status API: %d %s", r.StatusCode, r.Body)
	}
	if r := c.Get("/api/v1/apply/YSQ-2026-AAAAAA-AAAAAA"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, `"not_found"`) {
		t.Errorf("status API, unknown number: %d %s", r.StatusCode, r.Body)
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

// Staff register an application, follow its clock and reply; another org's
// staff cannot open it; the extension needs the office head.
func TestApplyBackOffice(t *testing.T) {
	// A day whose 20 working days stay inside the built-in calendar years.
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := apptest.Start(t, apptest.Options{})
	env.App.Apply.Now = func() time.Time { return now } // sessions keep real time
	h := env.Client(t)
	h.Login("handler", pw)
	if r := h.Get("/admin/apply"); r.StatusCode != 200 || !strings.Contains(r.Body, "登记申请") {
		t.Fatalf("list: %d", r.StatusCode)
	}
	zfb := orgByShort(t, env, "区政府办")
	today := env.App.Apply.Today()
	form := url.Values{"org_id": {zfb.ID}, "channel": {"registered_mail"}, "applicant_type": {"legal"},
		"applicant_name": {"某某律师事务所"}, "contact_phone": {"0591-88888888"}, "description": {"某路段拆迁补偿标准文件"},
		"submitted_on": {today.String()}}
	r := h.Post("/admin/apply", form)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "签收日期") {
		t.Fatalf("mail without signing day: %d", r.StatusCode)
	}
	form.Set("signed_on", today.String())
	r = h.Post("/admin/apply", form)
	casePath, _, _ := strings.Cut(r.Location(), "?")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(casePath, "/admin/apply/") {
		t.Fatalf("register: %d %q", r.StatusCode, r.Location())
	}
	if r := h.Get(casePath); !strings.Contains(r.Body, "期限计算过程") || !strings.Contains(r.Body, "收到申请（收到之日不计入）") {
		t.Fatalf("case page: %d", r.StatusCode)
	}
	follow := func(r *apptest.Response) *apptest.Response {
		if r.StatusCode == http.StatusSeeOther {
			return h.Get(r.Location())
		}
		return r
	}
	if r := h.Post(casePath+"/event", url.Values{"kind": {"extension"}, "on": {today.String()}, "days": {"5"}, "note": {"材料多"}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "负责人同意") {
		t.Errorf("handler extending: %d", r.StatusCode)
	}
	if r := follow(h.Post(casePath+"/event", url.Values{"kind": {"consult_sent"}, "party": {"third_party"}, "ref": {"被拆迁户"}, "note": {"补偿标准文件涉及被拆迁户的个人信息"}, "on": {today.String()}})); r.StatusCode != 200 || !strings.Contains(r.Body, "暂停计算的期间") {
		t.Errorf("consultation: %d", r.StatusCode)
	}
	if r := h.Post(casePath+"/reply", url.Values{"outcome": {"withhold_process"}, "reply_on": {today.String()}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("reply while paused / without reason: %d", r.StatusCode)
	}
	if r := h.Post(casePath+"/event", url.Values{"kind": {"consult_answered"}, "ref": {"被拆迁户"}, "on": {today.String()}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("answer: %d", r.StatusCode)
	}
	rv := env.Client(t)
	rv.Login("zfb.reviewer", pw)
	if r := rv.Post(casePath+"/event", url.Values{"kind": {"extension"}, "on": {today.String()}, "days": {"5"}, "note": {"需调取档案"}}); r.StatusCode != http.StatusSeeOther || !strings.Contains(rv.Get(casePath).Body, "延期 5 个工作日") {
		t.Errorf("reviewer extending: %d", r.StatusCode)
	}
	if r := follow(h.Post(casePath+"/reply", url.Values{"outcome": {"withhold_process"}, "reply_on": {today.String()}, "reason": {"属于过程性信息"}})); r.StatusCode != 200 || !strings.Contains(r.Body, "（三）6") {
		t.Errorf("reply: %d", r.StatusCode)
	}
	// Transfer a second case to the education bureau: it leaves the handler's view.
	r = h.Post("/admin/apply", form)
	second, _, _ := strings.Cut(r.Location(), "?")
	if page := h.Get(second); !strings.Contains(page.Body, "转办理由") {
		t.Fatalf("case page lacks the transfer form")
	}
	if r := h.Post(second+"/transfer", url.Values{"to_org": {orgByShort(t, env, "区教育局").ID}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "请写明转办理由") {
		t.Errorf("transfer without reason: %d", r.StatusCode)
	}
	if r := h.Post(second+"/transfer", url.Values{"to_org": {orgByShort(t, env, "区教育局").ID}, "transfer_reason": {"属教育局职责"}}); r.StatusCode != http.StatusSeeOther || !strings.Contains(h.Get(r.Location()).Body, "已转交接收机关") {
		t.Errorf("transfer: %d", r.StatusCode)
	}
	if r := h.Get(second); r.StatusCode != http.StatusNotFound {
		t.Errorf("transferred case still visible to the sender: %d", r.StatusCode)
	}
	ed := env.Client(t)
	ed.Login("editor", pw)
	if r := ed.Get(casePath); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "某某律师事务所") {
		t.Errorf("other org's editor: %d", r.StatusCode)
	}
	if r := ed.Get("/admin/apply"); strings.Contains(r.Body, "拆迁补偿") {
		t.Error("other org's editor sees the case in a list")
	}
}
