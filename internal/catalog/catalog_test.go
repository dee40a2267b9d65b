package catalog_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/org"
)

var op = audit.System("test", "测试")

type fixture struct {
	cat                    *catalog.Service
	orgs                   *org.Service
	district, street, comm org.Org
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	orgs := org.New(d)
	ctx := context.Background()
	mk := func(parent string, kind org.Kind, name, body string) org.Org {
		o, err := orgs.CreateOrg(ctx, op, org.OrgInput{ParentID: parent, Kind: kind, Name: name, Code: org.MakeOrgCode(body)})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	f := &fixture{orgs: orgs, cat: &catalog.Service{DB: d, Orgs: orgs, Now: time.Now}}
	f.district = mk("", org.KindDistrict, "测试区人民政府", "30000001")
	f.street = mk(f.district.ID, org.KindStreet, "甲街道办事处", "30000002")
	f.comm = mk(f.street.ID, org.KindCommunity, "甲社区居民委员会", "30000003")
	return f
}

func complete(l1, l2, content string) catalog.ItemFields {
	return catalog.ItemFields{Level1: l1, Level2: l2, Content: content, Basis: "《政府信息公开条例》",
		TimeLimit: catalog.TimeLimit{Text: "信息形成或者变更之日起20个工作日内"}, Subject: "甲街道办事处",
		Channels: []string{"政府网站"}, Audience: []string{"全社会"}, Method: []string{"主动"}, Levels: []string{"乡级"}}
}

func (f *fixture) domain(t *testing.T, name string) string {
	t.Helper()
	doms, err := f.cat.Domains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range doms {
		if d.Name == name {
			return d.ID
		}
	}
	t.Fatalf("no domain %s", name)
	return ""
}

func TestDomainsSeededAndEditable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	doms, err := f.cat.Domains(ctx)
	if err != nil || len(doms) != 26 || doms[0].Name != "城乡规划" || !doms[0].Builtin {
		t.Fatalf("seeded domains: %d %v", len(doms), err)
	}
	local, err := f.cat.AddDomain(ctx, op, " 自然资源 ")
	if err != nil || local.Name != "自然资源" || local.Builtin {
		t.Fatalf("add local: %+v %v", local, err)
	}
	for _, bad := range []string{"", "社会救助", "a/b", strings.Repeat("长", 31)} {
		if _, err := f.cat.AddDomain(ctx, op, bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("AddDomain(%q) = %v", bad, err)
		}
	}
	if err := f.cat.RenameDomain(ctx, op, "d22", "就业创业"); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.cat.Domain(ctx, "d22"); d.Name != "就业创业" {
		t.Fatalf("rename: %+v", d)
	}
	if err := f.cat.RenameDomain(ctx, op, "nope", "x"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("rename missing: %v", err)
	}
}

func TestVersionLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dom := f.domain(t, "社会救助")

	v1, err := f.cat.StartDraft(ctx, op, f.street.ID, 2025, []string{dom})
	if err != nil || v1.Number != 1 || !v1.Draft() || v1.Items == 0 {
		t.Fatalf("first draft from templates: %+v %v", v1, err)
	}
	items, _ := f.cat.Items(ctx, v1.ID)
	for _, it := range items {
		if it.Subject != "甲街道办事处" || len(it.Levels) != 1 || it.Levels[0] != "乡级" || !it.TimeLimit.Parsed() {
			t.Fatalf("template item not adapted to the street: %+v", it)
		}
	}
	if _, err := f.cat.StartDraft(ctx, op, f.street.ID, 2025, nil); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("second draft: %v", err)
	}
	// An incomplete item blocks publication and is named.
	bad, err := f.cat.SaveItem(ctx, op, v1.ID, "", dom, catalog.ItemFields{Level1: "临时救助", Level2: "救助结果",
		TimeLimit: catalog.TimeLimit{Text: "尽快"}})
	if err != nil {
		t.Fatalf("a draft keeps incomplete items: %v", err)
	}
	err = f.cat.Publish(ctx, op, v1.ID)
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid || !strings.Contains(err.Error(), "临时救助 / 救助结果：缺少公开内容") ||
		!strings.Contains(err.Error(), "“尽快”未能识别") {
		t.Fatalf("incomplete publish: %v", err)
	}
	good := complete("临时救助", "救助结果", "救助对象、救助金额")
	good.Levels = []string{"乡级", "村级"}
	if _, err := f.cat.SaveItem(ctx, op, v1.ID, bad.ID, dom, good); err != nil {
		t.Fatal(err)
	}
	// Duplicates and unknown values are refused even in a draft.
	if _, err := f.cat.SaveItem(ctx, op, v1.ID, "", dom, good); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("duplicate item: %v", err)
	}
	odd := good
	odd.Level2, odd.Channels = "其他", []string{"飞鸽传书"}
	if _, err := f.cat.SaveItem(ctx, op, v1.ID, "", dom, odd); err == nil || !strings.Contains(err.Error(), "飞鸽传书") {
		t.Fatalf("unknown channel: %v", err)
	}
	if err := f.cat.Publish(ctx, op, v1.ID); err != nil {
		t.Fatalf("publish: %v", err)
	}
	cur, err := f.cat.Current(ctx, f.street.ID)
	if err != nil || cur.ID != v1.ID || cur.Draft() || cur.PublishedAt.IsZero() {
		t.Fatalf("current: %+v %v", cur, err)
	}

	// A published version never changes.
	if _, err := f.cat.SaveItem(ctx, op, v1.ID, bad.ID, dom, good); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("edit published: %v", err)
	}
	if err := f.cat.DeleteItem(ctx, op, v1.ID, bad.ID); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("delete from published: %v", err)
	}
	if err := f.cat.Publish(ctx, op, v1.ID); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("republish: %v", err)
	}
	if err := f.cat.DiscardDraft(ctx, op, v1.ID); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("discard published: %v", err)
	}

	// The annual revision copies items with their keys.
	v2, err := f.cat.StartDraft(ctx, op, f.street.ID, 2026, nil)
	if err != nil || v2.Number != 2 || v2.BasedOn != v1.ID || v2.Items != len(items)+1 {
		t.Fatalf("revision: %+v %v", v2, err)
	}
	revItems, _ := f.cat.Items(ctx, v2.ID)
	oldKeys := map[string]bool{}
	all1, _ := f.cat.Items(ctx, v1.ID)
	for _, it := range all1 {
		oldKeys[it.Key] = true
	}
	for _, it := range revItems {
		if !oldKeys[it.Key] {
			t.Fatalf("revision changed key of %s", it.Title())
		}
	}
	// Edit one, delete one, add one: the diff names exactly those.
	changed := revItems[0]
	changed.Content += "（修订）"
	if _, err := f.cat.SaveItem(ctx, op, v2.ID, changed.ID, changed.DomainID, changed.ItemFields); err != nil {
		t.Fatal(err)
	}
	if err := f.cat.DeleteItem(ctx, op, v2.ID, revItems[1].ID); err != nil {
		t.Fatal(err)
	}
	added, err := f.cat.SaveItem(ctx, op, v2.ID, "", dom, complete("特困人员救助供养", "", "供养标准"))
	if err != nil {
		t.Fatal(err)
	}
	v2, _ = f.cat.Version(ctx, v2.ID)
	d, err := f.cat.Compare(ctx, v1, v2)
	if err != nil || len(d.Added) != 1 || d.Added[0].Key != added.Key || len(d.Removed) != 1 || d.Removed[0].Key != revItems[1].Key ||
		len(d.Changed) != 1 || d.Changed[0].Fields[0].Label != "公开内容（要素）" || !strings.HasSuffix(d.Changed[0].Fields[0].After, "（修订）") {
		t.Fatalf("diff: %+v %v", d, err)
	}
	// v1 is untouched by the revision.
	again, _ := f.cat.Items(ctx, v1.ID)
	if len(again) != len(all1) || again[0].Content != all1[0].Content {
		t.Fatal("revision changed the published version")
	}
	if err := f.cat.DiscardDraft(ctx, op, v2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cat.DraftOf(ctx, f.street.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("draft after discard: %v", err)
	}
	res, err := audit.Verify(ctx, f.cat.DB.R)
	if err != nil || !res.OK() {
		t.Fatalf("evidence chain: %+v %v", res, err)
	}
}

func TestChecks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dom := f.domain(t, "社会救助")
	rep, err := f.cat.Check(ctx, f.comm.ID)
	if err != nil || len(rep.Findings) != 1 || rep.Findings[0].Rule != catalog.RuleNoCatalog {
		t.Fatalf("no catalog: %+v %v", rep, err)
	}
	sv, _ := f.cat.StartDraft(ctx, op, f.street.ID, 2026, nil)
	f.cat.SaveItem(ctx, op, sv.ID, "", dom, complete("临时救助", "办事指南", "申请条件、救助标准、所需材料、办理流程"))
	if err := f.cat.Publish(ctx, op, sv.ID); err != nil {
		t.Fatal(err)
	}
	cv, _ := f.cat.StartDraft(ctx, op, f.comm.ID, 2026, nil)
	// Same item, same content up to spacing and punctuation width: consistent.
	f.cat.SaveItem(ctx, op, cv.ID, "", dom, complete("临时救助", "办事指南", "申请条件，救助标准，所需材料，办理流程 "))
	rep, _ = f.cat.Check(ctx, f.comm.ID)
	if rep.Count(catalog.RuleConsistency) != 0 {
		t.Fatalf("equal content flagged: %+v", rep.Findings)
	}
	it, _ := f.cat.Items(ctx, cv.ID)
	diff := it[0].ItemFields
	diff.Content = "申请条件、救助标准"
	f.cat.SaveItem(ctx, op, cv.ID, it[0].ID, dom, diff)
	missing := complete("低保", "名单", "")
	missing.Channels = nil
	missing.TimeLimit.Text = "每季度更新"
	f.cat.SaveItem(ctx, op, cv.ID, "", dom, missing)
	rep, err = f.cat.Check(ctx, f.comm.ID)
	if err != nil || rep.Version.ID != cv.ID {
		t.Fatalf("check uses the draft: %+v %v", rep.Version, err)
	}
	if rep.Count(catalog.RuleConsistency) != 1 || rep.Count(catalog.RuleCompleteness) != 2 || rep.Count(catalog.RuleTimeLimit) != 1 {
		t.Fatalf("findings: %+v", rep.Findings)
	}
	for _, fd := range rep.Findings {
		if fd.Rule == catalog.RuleConsistency && (fd.OtherOrgID != f.street.ID || fd.Theirs != "申请条件、救助标准、所需材料、办理流程") {
			t.Fatalf("consistency finding: %+v", fd)
		}
	}
	reports, err := f.cat.CheckAll(ctx)
	if err != nil || len(reports) != 3 || reports[0].OrgID != f.district.ID {
		t.Fatalf("CheckAll: %d %v", len(reports), err)
	}
}

func TestImportAllOrNothingKeepsKeys(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dom := f.domain(t, "社会救助")
	v, _ := f.cat.StartDraft(ctx, op, f.street.ID, 2026, nil)
	a, _ := f.cat.SaveItem(ctx, op, v.ID, "", dom, complete("临时救助", "办事指南", "申请条件"))
	f.cat.SaveItem(ctx, op, v.ID, "", dom, complete("最低生活保障", "救助对象公示", "姓名、金额"))
	v, _ = f.cat.Version(ctx, v.ID)
	var buf bytes.Buffer
	if err := f.cat.ExportXLSX(ctx, &buf, v); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()

	// A workbook with a sheet for a domain that does not exist imports nothing.
	sheets, _ := f.cat.Sheets(ctx, v)
	sheets = append(sheets, catalog.Sheet{Domain: "不存在的领域", Items: []catalog.ItemFields{complete("某事项", "", "某内容")}})
	buf.Reset()
	if err := catalog.WriteXLSX(&buf, "测试", sheets); err != nil {
		t.Fatal(err)
	}
	res, err := f.cat.Import(ctx, op, f.street.ID, bytes.NewReader(buf.Bytes()), 0, false)
	if err != nil || len(res.Problems) != 1 || res.Problems[0].Sheet != "不存在的领域" || !strings.Contains(res.Problems[0].Message, "不存在") {
		t.Fatalf("unknown domain: %+v %v", res, err)
	}
	if items, _ := f.cat.Items(ctx, v.ID); len(items) != 2 {
		t.Fatalf("a failed import changed the draft: %d items", len(items))
	}
	// Re-importing the export keeps every item's key (URLs stay valid).
	res, err = f.cat.Import(ctx, op, f.street.ID, bytes.NewReader(good), 0, false)
	if err != nil || len(res.Problems) != 0 || res.Items != 2 || res.Version.ID != v.ID {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	it, err := f.cat.ItemByKey(ctx, v.ID, a.Key)
	if err != nil || it.Content != "申请条件" {
		t.Fatalf("key lost on re-import: %v", err)
	}
	// A dry run on an org without a draft creates none.
	if res, err := f.cat.Import(ctx, op, f.comm.ID, bytes.NewReader(good), 0, true); err != nil || !res.DryRun || res.Items != 2 {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if _, err := f.cat.DraftOf(ctx, f.comm.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatal("dry run created a draft")
	}
}
