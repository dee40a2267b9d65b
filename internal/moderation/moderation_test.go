package moderation_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/moderation"
)

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

func body(v string) moderation.Field {
	return moderation.Field{Name: "body", Label: "意见内容", Value: v, Long: true}
}

func TestCheck(t *testing.T) {
	c := moderation.Defaults()
	c.MaxBody, c.MaxShort, c.MaxLinks = 50, 10, 1
	c.ReviewWords = []string{"加微信", "上访"}
	c.BlockWords = []string{"代开发票"}
	c.BlockContacts = []string{"139 0000 1111", "Spam@Example.com"}
	vals, err := moderation.Parse(map[string]string{moderation.KeyBlockIPs: "203.0.113.0/24\n2001:db8::1"})
	if err != nil {
		t.Fatal(err)
	}
	c.BlockIPs = vals.BlockIPs

	ok := func(s moderation.Submission) moderation.Verdict {
		t.Helper()
		v, err := c.Check(s)
		if err != nil {
			t.Fatalf("Check(%+v): %v", s, err)
		}
		return v
	}
	if v := ok(moderation.Submission{Fields: []moderation.Field{body("建议增加公共停车位。")}, IP: "198.51.100.1"}); v.Hold {
		t.Errorf("plain comment held: %+v", v)
	}
	// The review list holds, whatever the spacing, width or script.
	for _, text := range []string{"请加 微 信详谈", "請加微信", "请ＡＢ加微信"} {
		if v := ok(moderation.Submission{Fields: []moderation.Field{body(text)}}); !v.Hold || v.Matched[0] != "加微信" {
			t.Errorf("%q: %+v", text, v)
		}
	}
	refused := []struct {
		name  string
		s     moderation.Submission
		field string
		kind  apperr.Kind
	}{
		{"too long", moderation.Submission{Fields: []moderation.Field{body(strings.Repeat("长", 51))}}, "body", apperr.Invalid},
		{"short field", moderation.Submission{Fields: []moderation.Field{{Name: "name", Label: "姓名", Value: strings.Repeat("名", 11)}}}, "name", apperr.Invalid},
		{"field's own limit", moderation.Submission{Fields: []moderation.Field{{Name: "name", Label: "姓名", Value: "四个字啊", Max: 3}}}, "name", apperr.Invalid},
		{"two links", moderation.Submission{Fields: []moderation.Field{body("见 https://a.example.com 和 www.b.cn")}}, "body", apperr.Invalid},
		{"full-width link", moderation.Submission{Fields: []moderation.Field{{Name: "name", Label: "姓名", Value: "ｗｗｗ．ａ．ｃｎ"}, body("another.com")}}, "body", apperr.Invalid},
		{"block word", moderation.Submission{Fields: []moderation.Field{body("代 开 发 票")}}, "body", apperr.Invalid},
		{"blocked contact", moderation.Submission{Fields: []moderation.Field{body("好")}, Contact: "+86 13900001111"}, "", apperr.Forbidden},
		{"blocked contact in text", moderation.Submission{Fields: []moderation.Field{body("联系 spam@example.com")}}, "", apperr.Forbidden},
		{"blocked phone in text", moderation.Submission{Fields: []moderation.Field{body("电话139-0000-1111")}}, "", apperr.Forbidden},
		{"blocked address", moderation.Submission{Fields: []moderation.Field{body("好")}, IP: "203.0.113.77"}, "", apperr.Forbidden},
		{"blocked IPv6", moderation.Submission{Fields: []moderation.Field{body("好")}, IP: "2001:db8::1"}, "", apperr.Forbidden},
		{"honeypot", moderation.Submission{Fields: []moderation.Field{body("好")}, Honeypot: "x"}, "", apperr.Invalid},
	}
	for _, tc := range refused {
		_, err := c.Check(tc.s)
		if !apperr.Is(err, tc.kind) || fieldOf(err) != tc.field {
			t.Errorf("%s: %v (field %q)", tc.name, err, fieldOf(err))
		}
	}
	// An e-mail address is not a link; one link is allowed.
	ok(moderation.Submission{Fields: []moderation.Field{body("邮箱 a@example.com，参考 https://www.gov.cn/x")}})
	if n := moderation.CountLinks("a@b.com 与 http://x.cn/a?b=1，www.y.com 和 z.org"); n != 3 {
		t.Errorf("CountLinks = %d, want 3", n)
	}
}

func TestParseAndSave(t *testing.T) {
	bad := map[string]string{
		moderation.KeyMode: "auto", moderation.KeyMaxBody: "5", moderation.KeyMaxLinks: "x",
		moderation.KeyIPRate: "lots", moderation.KeyNearDup: "0.1", moderation.KeyBlockIPs: "300.1.1.1",
		moderation.KeyRejectReasons: " \n ", moderation.KeyReviewWords: "！！", "moderation.unknown": "1",
	}
	_, err := moderation.Parse(bad)
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("Parse(bad) = %v", err)
	}
	got := map[string]bool{}
	for _, f := range e.Fields {
		got[f.Field] = true
	}
	for k := range bad {
		if !got[k] {
			t.Errorf("no error for %s: %v", k, err)
		}
	}

	d := dbtest.Open(t)
	ctx := context.Background()
	if c, err := moderation.Load(ctx, d.R); err != nil || c.Mode != moderation.ModePre || c.NearDup != moderation.DefaultNearDup {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	actor := audit.Actor{ID: "u1", Name: "管理员"}
	vals := moderation.Defaults().Values()
	vals[moderation.KeyMode] = moderation.ModePost
	vals[moderation.KeyBlockWords] = "代开发票\n\n 代开发票 \n刷单"
	vals[moderation.KeyBlockIPs] = "192.0.2.1\n198.51.100.0/24"
	if _, err := moderation.Save(ctx, d, actor, now, vals); err != nil {
		t.Fatal(err)
	}
	c, err := moderation.Load(ctx, d.R)
	if err != nil || c.Mode != moderation.ModePost || strings.Join(c.BlockWords, ",") != "代开发票,刷单" || len(c.BlockIPs) != 2 {
		t.Fatalf("after save: %+v %v", c, err)
	}
	if c.Values()[moderation.KeyBlockIPs] != "192.0.2.1\n198.51.100.0/24" {
		t.Errorf("block list round trip: %q", c.Values()[moderation.KeyBlockIPs])
	}
	// An invalid value stores nothing.
	vals[moderation.KeyMaxBody] = "999999"
	if _, err := moderation.Save(ctx, d, actor, now, vals); fieldOf(err) != moderation.KeyMaxBody {
		t.Errorf("invalid save: %v", err)
	}
	// Saving the same values again records no event.
	vals[moderation.KeyMaxBody] = "3000"
	if _, err := moderation.Save(ctx, d, actor, now, vals); err != nil {
		t.Fatal(err)
	}
	evs, err := audit.List(ctx, d.R, audit.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Action == "moderation.settings" {
			n++
			if !strings.Contains(ev.AfterJSON, "刷单") || !strings.Contains(ev.BeforeJSON, `"moderation.mode":"pre"`) {
				t.Errorf("event: %+v", ev)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d settings events, want 1", n)
	}
}

func TestDuplicates(t *testing.T) {
	base := "建议在湖滨社区增设公共停车位，缓解夜间停车难问题，同时规范电动自行车充电设施的布局。"
	same := []string{
		"建议在湖滨社区增设公共停车位,缓解夜间停车难问题;同时规范电动自行车充电设施的布局",  // punctuation
		"建議在湖濱社區增設公共停車位，緩解夜間停車難問題，同時規範電動自行車充電設施的佈局。", // traditional
	}
	near := []string{
		"建议在湖滨社区增设停车位，缓解夜间停车难的问题，同时规范电动自行车充电设施布局。",
		"建议在湖滨社区增设公共停车位，缓解居民晚上停车难的问题，同时规范电动自行车充电设施的布局。",
		"我是莲花社区居民，建议在湖滨社区增设公共停车位，缓解夜间停车难问题，同时规范电动自行车充电设施的布局。谢谢！",
		"建议在莲花社区增设公共停车位，缓解夜间停车难问题，同时规范电动自行车充电设施的布局。",
	}
	apart := []string{
		"停车难是老小区的普遍问题，希望草案对新增停车位的资金来源作出明确规定。",
		"建议增加停车位。",
	}
	fb := moderation.Fingerprinted(base)
	for _, s := range same {
		if moderation.Fingerprinted(s).Hash != fb.Hash {
			t.Errorf("not an exact duplicate after normalizing: %s", s)
		}
	}
	for _, s := range near {
		if sim := moderation.Similarity(base, s); sim < moderation.DefaultNearDup || sim == 1 {
			t.Errorf("near duplicate scored %.2f: %s", sim, s)
		}
	}
	for _, s := range apart {
		if sim := moderation.Similarity(base, s); sim >= moderation.DefaultNearDup-0.2 {
			t.Errorf("distinct comment scored %.2f: %s", sim, s)
		}
	}
	if sim := moderation.Similarity("第十二条中的补贴标准偏低，建议每户每年不低于1200元。", "第十二条补贴标准偏低，建议提高到每户每年1500元。"); sim >= 0.4 {
		t.Errorf("same article, different proposal scored %.2f", sim)
	}

	sig, err := moderation.ParseSignature(fb.Sig.String())
	if err != nil || sig != fb.Sig {
		t.Fatalf("signature round trip: %v", err)
	}
	if _, err := moderation.ParseSignature("abc"); err == nil {
		t.Error("short signature accepted")
	}

	texts := map[string]string{"a": apart[0], "b": near[1], "c": same[1], "d": near[0]}
	var cands []moderation.Candidate
	for _, id := range []string{"a", "b", "c", "d"} {
		fp := moderation.Fingerprinted(texts[id])
		cands = append(cands, moderation.Candidate{ID: id, Hash: fp.Hash, Sig: fp.Sig})
	}
	loads := 0
	load := func(id string) (string, error) { loads++; return texts[id], nil }
	m, ok, err := moderation.FindDuplicate(base, fb, moderation.DefaultNearDup, cands, load)
	if err != nil || !ok || m.ID != "c" || !m.Exact {
		t.Errorf("exact duplicate: %+v %v %v", m, ok, err)
	}
	m, ok, err = moderation.FindDuplicate(base, fb, moderation.DefaultNearDup, cands[:2], load)
	if err != nil || !ok || m.ID != "b" || m.Exact || m.Score < moderation.DefaultNearDup {
		t.Errorf("near duplicate: %+v %v %v", m, ok, err)
	}
	if loads > 1 {
		t.Errorf("%d texts re-read; the unrelated one should have been ruled out by its signature", loads)
	}
	// Threshold 1: exact duplicates only.
	if _, ok, _ := moderation.FindDuplicate(base, fb, 1, cands[:2], load); ok {
		t.Error("threshold 1 matched a near duplicate")
	}
	// A load failure is reported.
	boom := errors.New("boom")
	if _, _, err := moderation.FindDuplicate(base, fb, 0.6, cands[1:2], func(string) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Errorf("load error: %v", err)
	}
}

func TestGuard(t *testing.T) {
	c := moderation.Defaults()
	c.IPRate, c.ContactRate = "3/10m", "2/1h"
	var g moderation.Guard
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if err := g.Allow(c, "zjyj", "192.0.2.1", "", now.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	err := g.Allow(c, "zjyj", "192.0.2.1", "", now.Add(5*time.Second))
	var le *moderation.LimitError
	if !apperr.Is(err, apperr.TooMany) || !errors.As(err, &le) || le.Wait <= 9*time.Minute || !strings.Contains(err.Error(), "10 分钟") {
		t.Fatalf("fourth attempt: %v", err)
	}
	// Another scope and another address are counted apart; an IPv6
	// address shares its /64.
	if err := g.Allow(c, "ly", "192.0.2.1", "", now); err != nil {
		t.Errorf("other scope: %v", err)
	}
	for i := range 3 {
		if err := g.Allow(c, "zjyj", "2001:db8:1:2::"+string(rune('a'+i)), "", now); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Allow(c, "zjyj", "2001:db8:1:2::ffff", "", now); !apperr.Is(err, apperr.TooMany) {
		t.Errorf("same /64: %v", err)
	}
	// Per contact, across addresses, however it is written.
	for i, contact := range []string{"138 0013 8000", "+86-13800138000"} {
		if err := g.Allow(c, "zjyj", "198.51.100."+string(rune('1'+i)), contact, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Allow(c, "zjyj", "198.51.100.9", "13800138000", now); !apperr.Is(err, apperr.TooMany) {
		t.Errorf("third use of a contact: %v", err)
	}
	// After the window the address is welcome again; changed rules apply.
	if err := g.Allow(c, "zjyj", "192.0.2.1", "", now.Add(11*time.Minute)); err != nil {
		t.Errorf("after the window: %v", err)
	}
	c.IPRate = "1/1h"
	if err := g.Allow(c, "zjyj", "192.0.2.50", "", now); err != nil {
		t.Fatal(err)
	}
	if err := g.Allow(c, "zjyj", "192.0.2.50", "", now); !apperr.Is(err, apperr.TooMany) {
		t.Errorf("new rules not applied: %v", err)
	}
}
