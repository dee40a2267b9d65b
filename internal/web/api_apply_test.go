package web_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/audit"
)

type apiErr struct {
	Error struct {
		Code    string
		Message string
		Fields  []apperr.FieldError
	}
}

// A provincial platform with a token pushes applications into its org and
// reads their status; replays are safe, a reused ref is refused, bad input
// names its field, and nothing works without a valid token.
func TestIntakeAPI(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	zfb, jyj := orgByShort(t, env, "区政府办"), orgByShort(t, env, "区教育局")
	op := audit.System("test", "测试")
	client, token, err := env.App.APIClients.Create(ctx, op, "省政府信息公开申请平台", zfb.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, jyjToken, err := env.App.APIClients.Create(ctx, op, "教育局对接", jyj.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client(t)
	call := func(method, path, tok, contentType, body string) *apptest.Response {
		t.Helper()
		req, _ := http.NewRequest(method, env.URL+path, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		return c.Do(req)
	}
	app := map[string]any{"ref": "SQ-2026-0001", "applicant_type": "person", "applicant_name": "孙七", "id_doc_type": "居民身份证",
		"id_doc_no": "11010519491231002X", "contact_phone": "13600000000", "contact_email": "", "contact_address": "",
		"description": "示范区2025年度民生实事项目完成情况", "doc_hint": "", "form": "电子", "delivery": "电子邮件"}
	push := func(tok string, m map[string]any) *apptest.Response {
		t.Helper()
		b, _ := json.Marshal(m)
		return call("POST", "/api/v1/apply/cases", tok, "application/json", string(b))
	}
	var out struct {
		TrackingNo string `json:"tracking_no"`
		Status     string
		Created    bool
		Org        struct{ Code, Name string }
	}
	r := push(token, app)
	if err := json.Unmarshal([]byte(r.Body), &out); r.StatusCode != http.StatusCreated || err != nil || !strings.HasPrefix(out.TrackingNo, "YSQ-") ||
		out.Status != "unconfirmed" || !out.Created || out.Org.Code != zfb.Code || r.Header.Get("Location") != "/api/v1/apply/cases/"+out.TrackingNo {
		t.Fatalf("push: %d %s %v", r.StatusCode, r.Body, err)
	}
	if strings.Contains(r.Body, "13600000000") || strings.Contains(r.Body, "孙七") || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("push answer echoes personal data or is cacheable: %s %v", r.Body, r.Header)
	}
	no := out.TrackingNo

	// The case is in the org's list, unconfirmed, online, by the API.
	_, handler, err := env.App.Orgs.Login(ctx, "handler", pw, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := env.App.Apply.List(ctx, handler, true, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got *apply.Row
	for i := range rows {
		if rows[i].TrackingNo == no {
			got = &rows[i]
		}
	}
	if got == nil || got.OrgID != zfb.ID || got.Status != apply.StatusUnconfirmed || got.Channel != apply.ChannelOnline ||
		got.ApplicantName != "孙七" || got.ReceivedOn != "" {
		t.Fatalf("case in the org: %+v", got)
	}
	var actor string
	env.App.DB.R.QueryRow("SELECT actor_name FROM audit_events WHERE action = 'apply.receive' AND object_id = $1", got.ID).Scan(&actor)
	if actor != "接口：省政府信息公开申请平台" {
		t.Errorf("audit actor %q", actor)
	}

	// Replay: 200, same number. Same ref, other content: 409.
	if r := push(token, app); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"tracking_no":"`+no+`"`) || !strings.Contains(r.Body, `"created":false`) {
		t.Errorf("replay: %d %s", r.StatusCode, r.Body)
	}
	changed := maps.Clone(app)
	changed["description"] = "示范区2024年度民生实事项目完成情况"
	var e apiErr
	if r := push(token, changed); r.StatusCode != http.StatusConflict || json.Unmarshal([]byte(r.Body), &e) != nil || e.Error.Code != "conflict" {
		t.Errorf("same ref, other content: %d %s", r.StatusCode, r.Body)
	}

	// Bad input: the API's standard error, naming the fields.
	for _, tc := range []struct {
		name        string
		body        string
		contentType string
		fields      []string
	}{
		{"missing fields", `{"ref":"SQ-2","applicant_type":"person","contact_phone":"1"}`, "application/json", []string{"applicant_name", "description"}},
		{"no ref", `{"applicant_type":"person","applicant_name":"a","contact_phone":"1","description":"d"}`, "application/json", []string{"ref"}},
		{"unknown field", `{"ref":"SQ-3","org":"123"}`, "application/json", []string{"org"}},
		{"wrong type", `{"ref":"SQ-3","applicant_name":5}`, "application/json; charset=utf-8", []string{"applicant_name"}},
		{"not json", `ref=SQ-3`, "application/json", nil},
		{"two objects", `{"ref":"SQ-3"} {}`, "application/json", nil},
		{"empty", ``, "application/json", nil},
		{"form content type", `{}`, "application/x-www-form-urlencoded", nil},
	} {
		r := call("POST", "/api/v1/apply/cases", token, tc.contentType, tc.body)
		var e apiErr
		if r.StatusCode != http.StatusBadRequest || json.Unmarshal([]byte(r.Body), &e) != nil || e.Error.Code != "invalid_input" || e.Error.Message == "" {
			t.Errorf("%s: %d %s", tc.name, r.StatusCode, r.Body)
			continue
		}
		for _, f := range tc.fields {
			found := false
			for _, fe := range e.Error.Fields {
				found = found || fe.Field == f
			}
			if !found {
				t.Errorf("%s: no %s in %s", tc.name, f, r.Body)
			}
		}
	}
	big := maps.Clone(app)
	big["ref"], big["description"] = "SQ-BIG", strings.Repeat("很", 30000) // 90 KB of UTF-8
	if r := push(token, big); r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, `"too_large"`) {
		t.Errorf("body over 64 KiB: %d %s", r.StatusCode, r.Body)
	}

	// Status: own org's case; another org's client gets the unknown 404.
	st := call("GET", "/api/v1/apply/cases/"+no, token, "", "")
	if st.StatusCode != 200 || !strings.Contains(st.Body, `"status":"unconfirmed"`) || strings.Contains(st.Body, "孙七") {
		t.Errorf("status: %d %s", st.StatusCode, st.Body)
	}
	other := call("GET", "/api/v1/apply/cases/"+no, jyjToken, "", "")
	unknown := call("GET", "/api/v1/apply/cases/YSQ-2026-AAAAAA-AAAAAA", jyjToken, "", "")
	if other.StatusCode != http.StatusNotFound || other.Body != unknown.Body || unknown.StatusCode != http.StatusNotFound {
		t.Errorf("another org's case: %d %s / unknown %d %s", other.StatusCode, other.Body, unknown.StatusCode, unknown.Body)
	}

	// Tokens: missing, malformed, wrong, a signed-in session instead of
	// one, revoked — all 401 with the Bearer challenge.
	staff := env.Client(t)
	staff.Login("handler", pw)
	sessionPush := func() *apptest.Response {
		b, _ := json.Marshal(app)
		req, _ := http.NewRequest("POST", env.URL+"/api/v1/apply/cases", strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", env.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		return staff.Do(req)
	}
	check401 := func(name string, r *apptest.Response) {
		t.Helper()
		var e apiErr
		if r.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") ||
			json.Unmarshal([]byte(r.Body), &e) != nil || e.Error.Code != "unauthenticated" {
			t.Errorf("%s: %d %q %s", name, r.StatusCode, r.Header.Get("WWW-Authenticate"), r.Body)
		}
	}
	check401("no token", call("POST", "/api/v1/apply/cases", "", "application/json", `{}`))
	check401("no token, status", call("GET", "/api/v1/apply/cases/"+no, "", "", ""))
	check401("bad token", call("GET", "/api/v1/apply/cases/"+no, "gk_not-a-real-token", "", ""))
	check401("token of another scheme", func() *apptest.Response {
		req, _ := http.NewRequest("GET", env.URL+"/api/v1/apply/cases/"+no, nil)
		req.Header.Set("Authorization", "Basic "+token)
		return c.Do(req)
	}())
	check401("session cookie", sessionPush())
	if _, err := env.App.APIClients.Revoke(ctx, op, client.ID); err != nil {
		t.Fatal(err)
	}
	check401("revoked", push(token, app))
	check401("revoked, status", call("GET", "/api/v1/apply/cases/"+no, token, "", ""))
	if r := call("GET", "/api/v1/apply/cases/"+no, jyjToken, "", ""); r.StatusCode != http.StatusNotFound {
		t.Errorf("revoking one client affected another: %d", r.StatusCode)
	}

	// Documented.
	var spec struct {
		Paths      map[string]map[string]any
		Components struct{ SecuritySchemes map[string]any }
	}
	if err := json.Unmarshal([]byte(c.Get("/api/v1/openapi.json").Body), &spec); err != nil || spec.Paths["/api/v1/apply/cases"]["post"] == nil ||
		spec.Paths["/api/v1/apply/cases/{tracking_no}"]["get"] == nil || spec.Components.SecuritySchemes["bearerAuth"] == nil {
		t.Errorf("openapi: %v", err)
	}
	if idx := c.Get("/api/v1/"); !strings.Contains(idx.Body, "/api/v1/apply/cases") {
		t.Error("API index lacks the intake endpoints")
	}
}
