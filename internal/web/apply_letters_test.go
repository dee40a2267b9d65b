package web_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/privacy"
)

func postFile(t *testing.T, c *apptest.Client, path string, fields map[string]string, name string, data []byte) *apptest.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.Base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

func tinyPNG() []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)))
	return b.Bytes()
}

// The whole loop: apply on the portal → staff confirm, attach the identity
// document and reply → the reply letter is issued from its template → the
// applicant opens it by tracking number (page and DOCX, read back) → staff
// record delivery with a proof and archive; a review is recorded. Bad input
// and other orgs are refused at each step.
func TestApplyLettersEndToEnd(t *testing.T) {
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env := apptest.Start(t, apptest.Options{})
	env.App.Apply.Now = func() time.Time { return now }
	citizen := env.Client(t)
	form := citizen.Get("/ysqgk/sq")
	zfb := orgByShort(t, env, "区政府办")
	r := citizen.Post("/ysqgk/sq", url.Values{"submit_key": {between(form.Body, `name="submit_key" value="`, `"`)}, "org": {zfb.Code},
		"applicant_type": {"person"}, "applicant_name": {"钱七"}, "contact_email": {"qian@example.com"},
		"description": {"2025年度区级部门预算公开表"}, "form": {"电子"}, "delivery": {"电子邮件"}})
	no := between(r.Body, "查询号：<strong>", "</strong>")
	if no == "" {
		t.Fatalf("submit: %d", r.StatusCode)
	}
	var id string
	if err := env.App.DB.R.QueryRow("SELECT id FROM apply_cases WHERE tracking_no = $1", no).Scan(&id); err != nil {
		t.Fatal(err)
	}
	casePath := "/admin/apply/" + id
	h := env.Client(t)
	h.Login("handler", pw)
	if r := h.Post(casePath+"/confirm", url.Values{"confirmed_on": {"2026-03-20"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", r.StatusCode)
	}

	// Identity document: only images and PDF; visible to the handling org only.
	if r := postFile(t, h, casePath+"/files", map[string]string{"kind": "identity"}, "id.png", []byte("not an image")); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "不是图片") {
		t.Errorf("text as identity document: %d", r.StatusCode)
	}
	if r := postFile(t, h, casePath+"/files", map[string]string{"kind": "identity"}, "身份证.png", tinyPNG()); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("identity upload: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	page := h.Get(casePath)
	fileLink := between(page.Body, `href="`+casePath+`/files/`, `"`)
	if fileLink == "" {
		t.Fatal("case page lists no file")
	}
	if r := h.Get(casePath + "/files/" + fileLink); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("file download: %d %v", r.StatusCode, r.Header)
	}
	other := env.Client(t)
	other.Login("jyj.editor", pw)
	if r := other.Get(casePath + "/files/" + fileLink); r.StatusCode != http.StatusNotFound {
		t.Errorf("another org's staff got the identity document: %d", r.StatusCode)
	}

	// A disclosure must say where to obtain the information.
	reply := url.Values{"outcome": {"disclosed"}, "reply_on": {"2026-03-20"}}
	if r := h.Post(casePath+"/reply", reply); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "获取该信息的方式") {
		t.Errorf("disclosure without where to obtain: %d", r.StatusCode)
	}
	reply.Set("obtain", "预算公开表已于答复之日发送至您的电子邮箱 qian@example.com。")
	if r := h.Post(casePath+"/reply/preview", reply); r.StatusCode != 200 || !strings.Contains(r.Body, "这是预览") ||
		!strings.Contains(r.Body, "发送至您的电子邮箱") {
		t.Errorf("preview: %d", r.StatusCode)
	}
	if n := countRows(t, env, "SELECT COUNT(*) FROM apply_letters WHERE case_id = '"+id+"'"); n != 0 {
		t.Errorf("preview stored %d letters", n)
	}
	if r := h.Post(casePath+"/reply", reply); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	page = h.Get(casePath)
	if !strings.Contains(page.Body, "政府信息公开申请答复书") || !strings.Contains(page.Body, "送申请人") {
		t.Fatal("case page lacks the reply letter")
	}
	lp := h.Get(casePath + "/letters/1")
	for _, want := range []string{"钱七：", "第三十六条第（二）项", "六十日", "六个月", "2026年3月20日", no + "-01"} {
		if !strings.Contains(lp.Body, want) {
			t.Errorf("letter page lacks %q", want)
		}
	}

	// The applicant sees the letter by tracking number, as a page and as DOCX.
	tr := citizen.Get("/ysqgk/cx?no=" + url.QueryEscape(no))
	if !strings.Contains(tr.Body, "答复书和告知书") || !strings.Contains(tr.Body, "/ysqgk/cx/ws?no=") {
		t.Fatal("tracking page lacks the letter")
	}
	wsURL := "/ysqgk/cx/ws?" + url.Values{"no": {no}, "n": {"1"}}.Encode()
	if r := citizen.Get(wsURL); r.StatusCode != 200 || !strings.Contains(r.Body, "政府信息公开申请答复书") || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("applicant's letter page: %d", r.StatusCode)
	}
	d := citizen.Get(wsURL + "&format=docx")
	text, err := privacy.ExtractText("x.docx", []byte(d.Body))
	if err != nil || !strings.Contains(text, "政府信息公开申请答复书") || !strings.Contains(text, "钱七") || !strings.Contains(text, "六十日内") {
		t.Errorf("DOCX read back: %v %q", err, text)
	}
	for _, bad := range []string{"/ysqgk/cx/ws?no=YSQ-2026-AAAAAA-AAAAAA&n=1", "/ysqgk/cx/ws?" + url.Values{"no": {no}, "n": {"9"}}.Encode(),
		"/ysqgk/cx/ws?" + url.Values{"no": {no}, "n": {"x"}}.Encode()} {
		if r := citizen.Get(bad); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "钱七") {
			t.Errorf("%s: %d", bad, r.StatusCode)
		}
	}

	// Delivery before archiving; the proof is a file of the case.
	if r := h.Post(casePath+"/archive", url.Values{"archive_no": {"2026-YSQ-1"}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "请先登记答复的送达情况") {
		t.Errorf("archive before delivery: %d", r.StatusCode)
	}
	if r := h.Post(casePath+"/deliver", url.Values{"delivery_method": {"电子邮件"}, "delivered_on": {"2026-03-19"}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "不能早于答复日期") {
		t.Errorf("delivery before the reply: %d", r.StatusCode)
	}
	if r := h.Post(casePath+"/deliver", url.Values{"delivery_method": {"电子邮件"}, "delivered_on": {"2026-03-20"}, "delivery_note": {"已发送"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delivery: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := postFile(t, h, casePath+"/files", map[string]string{"kind": "proof"}, "邮件截图.png", tinyPNG()); r.StatusCode != http.StatusSeeOther {
		t.Errorf("proof upload: %d", r.StatusCode)
	}
	if r := h.Post(casePath+"/archive", url.Values{"archive_no": {"2026-YSQ-1"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := citizen.Get("/ysqgk/cx?no=" + url.QueryEscape(no)); !strings.Contains(r.Body, "已归档") {
		t.Error("tracking page does not show the archived status")
	}
	if r := postFile(t, h, casePath+"/files", map[string]string{"kind": "proof"}, "late.png", tinyPNG()); r.StatusCode != http.StatusBadRequest {
		t.Errorf("file added to an archived case: %d", r.StatusCode)
	}

	// A review against the reply; a decision date is needed once decided.
	rem := url.Values{"remedy_kind": {"review"}, "filed_on": {"2026-03-20"}, "result": {"maintained"}}
	if r := h.Post(casePath+"/remedy", rem); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "审结日期") {
		t.Errorf("decided review without a date: %d", r.StatusCode)
	}
	rem.Set("result", "pending")
	if r := h.Post(casePath+"/remedy", rem); r.StatusCode != http.StatusSeeOther || !strings.Contains(h.Get(casePath).Body, "尚未审结") {
		t.Errorf("review: %d", r.StatusCode)
	}

	// The evidence chain names each step, with the letter's hash.
	var n int
	env.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE object_id = $1 AND action IN ('apply.letter', 'apply.file',
		'apply.deliver', 'apply.archive', 'apply.remedy_add')`, id).Scan(&n)
	if n != 6 {
		t.Errorf("evidence events: %d, want 6 (letter, 2 files, delivery, archive, review)", n)
	}
}

func countRows(t *testing.T, env *apptest.Env, q string) int {
	t.Helper()
	var n int
	if err := env.App.DB.R.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Letter templates are the district administrator's: others cannot open
// them; a template naming an unknown item is refused with its line.
func TestApplyLetterTemplates(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	h := env.Client(t)
	h.Login("handler", pw)
	if r := h.Get("/admin/apply-templates"); r.StatusCode == 200 {
		t.Errorf("handler opened templates: %d", r.StatusCode)
	}
	a := env.Client(t)
	a.Login("admin", pw)
	if r := a.Get("/admin/apply-templates"); r.StatusCode != 200 || !strings.Contains(r.Body, "补正告知书") {
		t.Fatalf("templates: %d", r.StatusCode)
	}
	r := a.Post("/admin/apply-templates/correction", url.Values{"title": {"补正告知书"}, "body": {"<{{申请人}}：\n请于{{补正期限}}前补正{{不存在}}。"}})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "第 2 行：没有名为“不存在”的内容项") {
		t.Errorf("unknown item: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := a.Post("/admin/apply-templates/correction", url.Values{"title": {"补正告知书"}, "body": {"<{{申请人}}：\n请于{{补正期限}}前补正：{{补正事项}}"}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("save: %d", r.StatusCode)
	}
	if r := a.Get("/admin/apply-templates"); !strings.Contains(r.Body, "已修改") {
		t.Error("edited template not marked")
	}
	if r := a.Post("/admin/apply-templates/correction", url.Values{"reset": {"1"}}); r.StatusCode != http.StatusSeeOther || strings.Contains(a.Get("/admin/apply-templates").Body, "已修改") {
		t.Errorf("reset: %d", r.StatusCode)
	}
}

// The export holds the org's cases for the period and no personal data; a
// period given backwards is refused with the field.
func TestApplyExportDownload(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	h := env.Client(t)
	h.Login("handler", pw)
	today := env.App.Apply.Today()
	q := url.Values{"from": {today.AddDays(-120).String()}, "to": {today.String()}}
	r := h.Get("/admin/apply/export?" + q.Encode())
	if r.StatusCode != 200 || !strings.HasPrefix(r.Body, "\uFEFF查询号") || !strings.Contains(r.Header.Get("Content-Disposition"), ".csv") {
		t.Fatalf("csv: %d %v", r.StatusCode, r.Header)
	}
	if strings.Contains(r.Body, "陈建国") || strings.Count(r.Body, "\r\n") < 10 {
		t.Errorf("csv content:\n%s", r.Body)
	}
	q.Set("format", "json")
	if r := h.Get("/admin/apply/export?" + q.Encode()); r.StatusCode != 200 || !strings.Contains(r.Body, `"report_row": "（三）6"`) {
		t.Errorf("json: %d", r.StatusCode)
	}
	q.Set("from", today.String())
	q.Set("to", today.AddDays(-1).String())
	if r := h.Get("/admin/apply/export?" + q.Encode()); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "截止日期不能早于起始日期") {
		t.Errorf("backwards period: %d", r.StatusCode)
	}
	ed := env.Client(t)
	ed.Login("jyj.editor", pw)
	if r := ed.Get("/admin/apply/export?" + url.Values{"from": {"2026-01-01"}, "to": {"2026-12-31"}}.Encode()); r.StatusCode != http.StatusForbidden {
		t.Errorf("editor without apply.view: %d", r.StatusCode)
	}
}

// Identity files on the portal form: a file that is not an image or PDF is
// refused by its content, naming the field, with the typed text kept.
func TestApplyPortalIdentityFile(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t)
	form := c.Get("/ysqgk/sq")
	if !strings.Contains(form.Body, `enctype="multipart/form-data"`) || !strings.Contains(form.Body, `name="id_files"`) {
		t.Fatal("form has no identity file field")
	}
	fields := map[string]string{"submit_key": between(form.Body, `name="submit_key" value="`, `"`), "org": orgByShort(t, env, "区政府办").Code,
		"applicant_type": "person", "applicant_name": "冯十一", "contact_phone": "13900000000", "description": "某道路工程的竣工验收报告"}
	post := func(name string, data []byte) *apptest.Response {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("id_files", name)
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, c.Base+"/ysqgk/sq", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", c.Base)
		return c.Do(req)
	}
	r := post("身份证.png", []byte("MZ\x90\x00 an executable"))
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "不是图片（JPG、PNG）或 PDF") || !strings.Contains(r.Body, "某道路工程的竣工验收报告") {
		t.Fatalf("executable as identity file: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = post("身份证.png", tinyPNG())
	no := between(r.Body, "查询号：<strong>", "</strong>")
	if no == "" {
		t.Fatalf("with a PNG: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	var n int
	env.App.DB.R.QueryRow(`SELECT COUNT(*) FROM apply_files f JOIN apply_cases a ON a.id = f.case_id WHERE a.tracking_no = $1`, no).Scan(&n)
	if n != 1 {
		t.Errorf("stored files: %d", n)
	}
	// Nothing public serves it: not the tracking page, not search.
	if tr := c.Get("/ysqgk/cx?no=" + url.QueryEscape(no)); strings.Contains(tr.Body, "身份证.png") || strings.Contains(tr.Body, "/files/") {
		t.Error("tracking page shows the identity file")
	}
}
