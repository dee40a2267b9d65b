package participate_test

import (
	"testing"

	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/participate"
)

// A draft's top-level blocks are what comments anchor to: paragraphs,
// headings, whole lists and tables; loose text and inline markup at the
// top level make a paragraph of their own; markup inside stays.
func TestBlocks(t *testing.T) {
	safe := info.Sanitize(`<h2>第一章 总则</h2><p>第一条 为了<strong>规范</strong>管理，<br>制定本办法。</p>
		<ul><li>（一）甲；</li><li>（二）乙。</li></ul>前言文字<em>强调</em>
		<table><tr><th>项目</th><td>标准</td></tr></table><p>  </p><p>第二条 附则。</p>`)
	bs := participate.Blocks(safe)
	want := []struct{ tag, text string }{
		{"h2", "第一章 总则"}, {"p", "第一条 为了规范管理， 制定本办法。"}, {"ul", "（一）甲； （二）乙。"},
		{"p", "前言文字强调"}, {"table", "项目 标准"}, {"p", "第二条 附则。"},
	}
	if len(bs) != len(want) {
		t.Fatalf("%d blocks from %s: %+v", len(bs), safe, bs)
	}
	for i, w := range want {
		if bs[i].N != i+1 || bs[i].Tag != w.tag || bs[i].Text != w.text {
			t.Errorf("block %d: %+v, want %s %q", i+1, bs[i], w.tag, w.text)
		}
	}
	if bs[1].Inner != "第一条 为了<strong>规范</strong>管理，<br/>制定本办法。" && bs[1].Inner != "第一条 为了<strong>规范</strong>管理，<br>制定本办法。" {
		t.Errorf("inner markup: %q", bs[1].Inner)
	}
	if !bs[0].Heading || bs[1].Heading {
		t.Error("heading flags")
	}
	if bs := participate.Blocks(info.Sanitize("第一条 甲。\n\n第二条 乙。")); len(bs) != 2 || bs[1].Text != "第二条 乙。" {
		t.Errorf("plain text draft: %+v", bs)
	}
}
