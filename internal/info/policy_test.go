package info_test

import (
	"context"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/info"
)

func policyFields(title, genre string) info.Fields {
	f := fields(title)
	f.Genre, f.DocNo = genre, "甲街〔2026〕1号"
	return f
}

func interpFields(title, policyID string) info.Fields {
	f := fields(title)
	f.Genre, f.InterpretsID, f.InterpForm = info.GenreInterpretation, policyID, "问答"
	f.InterpOrg, f.InterpDept, f.InterpContact = "甲街道办事处", "党政办", "0000-1234567"
	return f
}

func TestPolicyFieldsValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ed := f.ps["editor"]
	// An interpretation names its policy, form and who answers for it.
	x := fields("某某政策解读")
	x.Genre = info.GenreInterpretation
	_, err := f.svc.Create(ctx, ed, "", f.unit.ID, x)
	e, _ := apperr.As(err)
	if e == nil || len(e.Fields) != 5 {
		t.Fatalf("want 5 field errors (interprets_id, interp_form, interp_org, interp_dept, interp_contact), got %v", err)
	}
	// Interpretation fields on another genre are cleared, the 文种 is read off the title.
	n := fields("关于印发某某管理办法的通知")
	n.InterpOrg, n.InterpPlan = "不该保存", "不该保存"
	r, err := f.svc.Create(ctx, ed, "", f.unit.ID, n)
	if err != nil {
		t.Fatal(err)
	}
	if r.InterpOrg != "" || r.InterpPlan != "" || r.DocKind != "通知" {
		t.Errorf("cleared/guessed wrong: %+v", r.Fields)
	}
	if got := info.GuessDocKind("某某区城乡居民最低生活保障实施办法（试行）"); got != "办法" {
		t.Errorf("GuessDocKind 办法（试行） = %q", got)
	}
	if got := info.GuessDocKind("某某区实施细则"); got != "细则" {
		t.Errorf("GuessDocKind 细则 = %q", got)
	}
	bad := fields("文种错误")
	bad.DocKind = "诗歌"
	if _, err := f.svc.Create(ctx, ed, "", f.unit.ID, bad); !hasField(err, "doc_kind") {
		t.Errorf("unknown 文种 accepted: %v", err)
	}
	dom := fields("领域错误")
	dom.DomainID = "d99"
	if _, err := f.svc.Create(ctx, ed, "", f.unit.ID, dom); !hasField(err, "domain_id") {
		t.Errorf("unknown domain accepted: %v", err)
	}
	// The policy explained must be a policy, of this org or published.
	notice := f.publish(t, fields("一则通知"))
	if _, err := f.svc.Create(ctx, ed, "", f.unit.ID, interpFields("解读通知", notice.ID)); !hasField(err, "interprets_id") {
		t.Errorf("interpretation of a notice accepted: %v", err)
	}
	other, err := f.svc.Create(ctx, ed, "", f.unit.ID, policyFields("本街道草稿政策", info.GenreNormative))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(ctx, ed, "", f.other.ID, interpFields("他街道解读未发布政策", other.ID)); !hasField(err, "interprets_id") {
		t.Errorf("another org's unpublished policy was linkable: %v", err)
	}
	if _, err := f.svc.Create(ctx, ed, "", f.unit.ID, interpFields("同步起草的解读", other.ID)); err != nil {
		t.Errorf("own draft policy not linkable (三同步 drafting together): %v", err)
	}
}

func hasField(err error, field string) bool {
	e, ok := apperr.As(err)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func TestSimultaneousGate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ed := f.ps["editor"]
	r, err := f.svc.Create(ctx, ed, "", f.unit.ID, policyFields("甲街道某某管理办法", info.GenreNormative))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(ctx, ed, "", r.ID, ""); !hasField(err, "interp_plan") {
		t.Fatalf("行政规范性文件 submitted without plan or reason: %v", err)
	}
	if got, _ := f.svc.Get(ctx, r.ID); got.Status != info.StatusDraft {
		t.Fatalf("refused submit changed status to %s", got.Status)
	}
	fs := r.Fields
	fs.NoInterpReason = "仅调整施行日期"
	if _, err := f.svc.Update(ctx, ed, "", r.ID, fs); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(ctx, ed, "", r.ID, ""); err != nil {
		t.Fatalf("submit with a reason: %v", err)
	}
	// Other policy genres are not gated.
	g, _ := f.svc.Create(ctx, ed, "", f.unit.ID, policyFields("甲街道关于某事的通知", "政策文件"))
	if _, err := f.svc.Submit(ctx, ed, "", g.ID, ""); err != nil {
		t.Errorf("政策文件 gated: %v", err)
	}
}

func TestInterpretationFlagsAndChangeLog(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cur := f.now // 2026-11-20 (Friday)
	f.svc.Now = func() time.Time { return cur }
	f.orgs.Now = f.svc.Now
	withPlan := func(title string) info.Fields {
		x := policyFields(title, info.GenreNormative)
		x.InterpPlan = "文字解读"
		return x
	}
	onTime := f.publish(t, withPlan("同步解读的办法"))
	f.publish(t, interpFields("同步解读", onTime.ID))
	late := f.publish(t, withPlan("解读迟到的办法"))
	missing := f.publish(t, withPlan("没有解读的办法"))
	reason := policyFields("写明不解读理由的办法", info.GenreNormative)
	reason.NoInterpReason = "内部管理"
	f.publish(t, reason)
	// Tuesday 2026-11-24 = 2 working days after Friday.
	cur = time.Date(2026, 11, 24, 9, 0, 0, 0, cur.Location())
	f.publish(t, interpFields("迟到的解读", late.ID))

	flags, err := f.svc.InterpretationFlags(ctx, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]info.InterpFlag{}
	for _, x := range flags {
		got[x.Policy.ID] = x
	}
	if len(flags) != 2 || got[late.ID].Kind != "late" || got[late.ID].LateBy != 2 || got[missing.ID].Kind != "missing" ||
		got[missing.ID].LateBy != 2 || got[late.ID].Due != "2026-11-20" {
		t.Errorf("grace 0: %+v", flags)
	}
	// With the 3-working-day grace many localities use, nothing is late yet.
	if flags, _ := f.svc.InterpretationFlags(ctx, nil, 3); len(flags) != 0 {
		t.Errorf("grace 3: %+v", flags)
	}
	// Scoped to another org: nothing.
	if flags, _ := f.svc.InterpretationFlags(ctx, []string{f.other.ID}, 0); len(flags) != 0 {
		t.Errorf("other org: %+v", flags)
	}

	// Publishing an interpretation logged both records (the policy page
	// shows it); withdrawing logs again.
	last, err := changes.Last(ctx, f.svc.DB.R)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := changes.Since(ctx, f.svc.DB.R, last-2, 10)
	if err != nil || len(cs) != 2 || cs[0].ObjectID == cs[1].ObjectID {
		t.Fatalf("interpretation publish logged %+v, %v", cs, err)
	}
	if cs[0].ObjectID != late.ID && cs[1].ObjectID != late.ID {
		t.Errorf("policy not in change log after its interpretation was published: %+v", cs)
	}
	if err := f.svc.Withdraw(ctx, f.ps["editor"], "", missing.ID, "错误"); err != nil {
		t.Fatal(err)
	}
	if n, _ := changes.Last(ctx, f.svc.DB.R); n != last+1 {
		t.Errorf("withdraw logged %d changes", n-last)
	}
}
