package report

import (
	"fmt"
	"slices"
	"strings"

	"gongkai.dev/gongkai/internal/info"
)

// Generated drafts of the edited sections. They state the year's figures
// in the words reports use and leave what only people know as
// Placeholder-marked gaps, which publication refuses until filled in.

func groupSum(t Table3, group string) int {
	n := 0
	for i, r := range rows3 {
		if strings.HasPrefix(r.Key, group) {
			n += t[i][ColTotal]
		}
	}
	return n
}

// DraftOverview drafts 一、总体情况 from the document's figures.
func DraftOverview(d Document) string {
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format, a...); b.WriteByte('\n') }
	scope := d.Org.Name
	if len(d.Coverage) > 0 {
		scope += "（含本级及所属工作部门）"
	}
	line("%d年，%s认真贯彻落实《中华人民共和国政府信息公开条例》（以下简称《条例》）和上级关于政务公开工作的部署要求，"+
		"坚持以公开为常态、不公开为例外，扎实做好主动公开、依申请公开、政府信息管理、平台建设和监督保障等各项工作。现将本年度政府信息公开工作情况报告如下。",
		d.Year, scope)

	total := 0
	var parts []string
	for _, g := range info.Genres {
		if n := d.Proactive[g]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%s%d条", g, n))
		}
	}
	var other []string // genres added after this code, in a stable order
	for g, n := range d.Proactive {
		if !slices.Contains(info.Genres, g) && n > 0 {
			other = append(other, g)
		}
	}
	slices.Sort(other)
	for _, g := range other {
		total += d.Proactive[g]
		parts = append(parts, fmt.Sprintf("%s%d条", g, d.Proactive[g]))
	}
	pro := "（一）主动公开。"
	if total > 0 {
		pro += fmt.Sprintf("全年通过政府信息公开专栏主动公开政府信息%d条，其中%s。", total, strings.Join(parts, "、"))
	} else {
		pro += "全年未通过本平台主动公开政府信息。"
	}
	t2 := d.Table2
	if t2.Rules != (info.PolicyCounts{}) {
		pro += fmt.Sprintf("本年制发规章%d件、废止%d件，现行有效%d件。", t2.Rules.Made, t2.Rules.Abolished, t2.Rules.InForce)
	}
	pro += fmt.Sprintf("本年制发行政规范性文件%d件、废止%d件，现行有效%d件。", t2.Normative.Made, t2.Normative.Abolished, t2.Normative.InForce)
	line("%s", pro)

	t := d.Table3
	received, carried := t[RowNew][ColTotal], t[RowCarried][ColTotal]
	if received+carried == 0 {
		line("（二）依申请公开。全年未收到政府信息公开申请，也没有上年结转的申请。")
	} else {
		line("（二）依申请公开。全年新收政府信息公开申请%d件，上年结转%d件；本年度办结%d件，其中予以公开%d件、部分公开%d件、不予公开%d件、"+
			"无法提供%d件、不予处理%d件、其他处理%d件；结转下年度继续办理%d件。", received, carried, t[RowTotal][ColTotal],
			groupSum(t, "（一）"), groupSum(t, "（二）"), groupSum(t, "（三）"), groupSum(t, "（四）"), groupSum(t, "（五）"),
			groupSum(t, "（六）"), t[RowForward][ColTotal])
	}
	line("（三）政府信息管理。%s：政府信息公开属性源头认定、保密审查、政策文件清理和政策解读等工作情况】", Placeholder)
	line("（四）政府信息公开平台建设。%s：政府网站政府信息公开专栏、政务新媒体、政务服务场所和查阅点等平台建设情况】", Placeholder)
	review := d.Table4[0][4]
	suits := d.Table4[1][4] + d.Table4[2][4]
	sup := "（五）监督保障。"
	if review+suits == 0 {
		sup += "全年未发生因政府信息公开工作被申请行政复议或者被提起行政诉讼的情况。"
	} else {
		sup += fmt.Sprintf("全年因政府信息公开工作被申请行政复议%d件、被提起行政诉讼%d件。", review, suits)
	}
	sup += Placeholder + "：工作考核、社会评议和责任追究结果情况】"
	line("%s", sup)
	return strings.TrimSpace(b.String())
}

// DraftProblems drafts 五、存在的主要问题及改进情况 as its two headings.
func DraftProblems(Document) string {
	return "（一）存在的主要问题。" + Placeholder + "：本年度政府信息公开工作存在的不足】\n" +
		"（二）改进情况。" + Placeholder + "：针对上述问题已经和将要采取的改进措施】"
}

// DraftOther drafts 六、其他需要报告的事项, stating the 信息处理费 collected
// (the format asks for it here) from the fee payments recorded in the year.
func DraftOther(d Document) string {
	fee := "（一）信息处理费收取情况。"
	if d.Fees.Cases == 0 {
		fee += "本年度未收取信息处理费。"
	} else {
		fee += fmt.Sprintf("本年度依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）对%d件政府信息公开申请收取信息处理费，共计%s元。",
			d.Fees.Cases, FormatYuan(d.Fees.AmountFen))
	}
	return fee + "\n（二）其他事项。" + Placeholder + "：落实上级年度政务公开工作要点、人大代表建议和政协提案办理结果公开等情况；没有的写“无”】"
}
