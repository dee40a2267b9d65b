// Package report owns the 政府信息公开工作年度报告 (annual report on
// government information disclosure, 条例第四十九条、第五十条) in the 2021
// national format (国办公开办函〔2021〕30号; rules.md §3): one report per
// org and year, its six sections and three tables, the 勾稽 (cross-check)
// rules, publication as a frozen snapshot, the outputs (HTML, DOCX, XLSX,
// JSON) and the 31 January / 31 March deadlines.
//
// Where the figures come from:
//
//   - Table 二 (主动公开): the 规章 and 行政规范性文件 rows are counted from
//     the policy library (info.PolicyReport); 行政许可, 行政处罚, 行政强制
//     and 行政事业性收费 are entered by the unit (or imported from the
//     format's workbook).
//   - Table 三 (依申请公开): counted from the application cases
//     (apply.ReportCases), see Table3From for the exact rules.
//   - Table 四 (复议、诉讼): apply.RemedyTable.
//   - Tables 三 and 四 may carry a supplement: applications and remedies
//     handled outside the platform (paper ledgers, the months before the
//     platform went live), entered by the unit and added cell by cell. A
//     supplement is the one way entered figures can break a 勾稽 rule, so
//     a draft may hold an unbalanced one while the unit works on it; it
//     cannot be published (Validate).
//
// Which orgs report: the district government, departments, streets and
// towns (each a 行政机关 that handles applications); communities and
// villages are self-governing bodies, not 行政机关, and do not. The
// government's report covers the government itself and its departments
// (区政府办 included), as 本级政府's report under 第四十九条; streets and
// towns are reported by themselves. For each department the government's
// report takes the department's published snapshot, or its live draft
// figures when it has not published yet (the page says which), so that a
// published government report equals the sum of the reports it covers.
package report

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
)

// Format names the national format the tables follow.
const Format = "国办公开办函〔2021〕30号"

// FirstYear is the first year reported in the 2021 format; earlier reports
// used the 2019 format (国办公开办函〔2019〕60号), whose tables differ.
const FirstYear = 2021

// Report statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// StatusLabel names a status in Chinese.
func StatusLabel(s string) string {
	switch s {
	case StatusPublished:
		return "已发布"
	case StatusDraft:
		return "草稿"
	}
	return "未编制"
}

// Reportable reports whether orgs of kind k publish an annual report.
func Reportable(k org.Kind) bool {
	return k == org.KindDistrict || k == org.KindDepartment || k == org.KindStreet || k == org.KindTown
}

// Title is the report's title, e.g. 示范区人民政府办公室2025年政府信息公开工作年度报告.
func Title(orgName string, year int) string {
	return fmt.Sprintf("%s%d年政府信息公开工作年度报告", orgName, year)
}

// Section headings, verbatim from the format.
var SectionHeadings = [6]string{"一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
	"四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"}

// --- table 二 ---

// Manual are table 二's figures the unit enters.
type Manual struct {
	Licensing   int   `json:"licensing"`   // 行政许可：本年处理决定数量
	Penalty     int   `json:"penalty"`     // 行政处罚：本年处理决定数量
	Enforcement int   `json:"enforcement"` // 行政强制：本年处理决定数量
	FeeYuan     int64 `json:"fee_yuan"`    // 行政事业性收费：本年收费金额, in 元 (0.0001 万元)
}

// Table2 is 主动公开政府信息情况.
type Table2 struct {
	Rules     info.PolicyCounts `json:"rules"`     // 规章
	Normative info.PolicyCounts `json:"normative"` // 行政规范性文件
	Manual
}

// MarshalJSON adds the fee in 万元 as the format prints it, beside the exact
// integer it is computed from.
func (t Table2) MarshalJSON() ([]byte, error) {
	type plain Table2
	return json.Marshal(struct {
		plain
		FeeWan string `json:"fee_10k_yuan"`
	}{plain(t), FormatWan(t.FeeYuan)})
}

// FormatWan prints an amount of 元 in 万元 with up to 4 decimals and no
// trailing zeros: 123456 → "12.3456", 120000 → "12", 0 → "0".
func FormatWan(yuan int64) string {
	neg := ""
	if yuan < 0 {
		neg, yuan = "-", -yuan
	}
	s := fmt.Sprintf("%s%d.%04d", neg, yuan/10000, yuan%10000)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// --- table 三 ---

// NumOutcomeRows is the number of outcome rows of table 三: (一), (二),
// (三)1–8, (四)1–3, (五)1–5, (六)1–3.
const NumOutcomeRows = 21

// Table 三's rows: 一, 二, the outcome rows in apply.ReportRows order,
// （七）总计 and 四; its columns: apply.ApplicantTypes, then 总计.
const (
	RowNew          = 0
	RowCarried      = 1
	rowFirstOutcome = 2
	RowTotal        = rowFirstOutcome + NumOutcomeRows
	RowForward      = RowTotal + 1
	Rows3           = RowForward + 1
	ColTotal        = 6
	Cols3           = ColTotal + 1
)

// Table3 is 收到和处理政府信息公开申请情况: [row][column].
type Table3 [Rows3][Cols3]int

// RowInfo describes one row of table 三.
type RowInfo struct {
	Key   string // new, carried, an apply outcome row code such as （三）1, total, forward
	Group string // the outcome group heading, e.g. （三）不予公开; "" for rows without one
	Label string // the row's own label as printed, e.g. 1.属于国家秘密
}

// Name is the row as a message names it: （三）不予公开 1.属于国家秘密.
func (r RowInfo) Name() string {
	if r.Group == "" {
		return r.Label
	}
	return r.Group + " " + r.Label
}

var rows3 = func() []RowInfo {
	codes := apply.ReportRows()
	if len(codes) != NumOutcomeRows {
		panic(fmt.Sprintf("report: apply has %d outcome rows, the 2021 format %d", len(codes), NumOutcomeRows))
	}
	out := []RowInfo{{Key: "new", Label: "一、本年新收政府信息公开申请数量"}, {Key: "carried", Label: "二、上年结转政府信息公开申请数量"}}
	for _, code := range codes {
		var o apply.Outcome
		for _, x := range apply.Outcomes {
			if x.Row == code {
				o = x
				break
			}
		}
		prefix, num, _ := strings.Cut(code, "）")
		prefix += "）"
		if num == "" {
			out = append(out, RowInfo{Key: code, Label: prefix + o.Label})
			continue
		}
		out = append(out, RowInfo{Key: code, Group: prefix + apply.GroupLabels[o.Group], Label: num + "." + o.Label})
	}
	return append(out, RowInfo{Key: "total", Label: "（七）总计"}, RowInfo{Key: "forward", Label: "四、结转下年度继续办理"})
}()

// Rows3Info lists table 三's rows in order.
func Rows3Info() []RowInfo { return rows3 }

// Cols3Info lists table 三's columns in order: code and label.
func Cols3Info() []struct{ Code, Label string } {
	out := append([]struct{ Code, Label string }{}, apply.ApplicantTypes...)
	return append(out, struct{ Code, Label string }{"total", "总计"})
}

type row3JSON struct {
	Key    string     `json:"key"`
	Label  string     `json:"label"`
	Values [Cols3]int `json:"values"`
}

type table3JSON struct {
	Columns []string   `json:"columns"`
	Rows    []row3JSON `json:"rows"`
}

// MarshalJSON writes the table with its row keys and labels and the column
// codes, so a reader needs no knowledge of the row order.
func (t Table3) MarshalJSON() ([]byte, error) {
	var j table3JSON
	for _, c := range Cols3Info() {
		j.Columns = append(j.Columns, c.Code)
	}
	for i, r := range rows3 {
		j.Rows = append(j.Rows, row3JSON{Key: r.Key, Label: r.Name(), Values: t[i]})
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON wrote, by row key and column code.
// Unknown rows or columns are errors: a snapshot that does not say what it
// means is not read as zeros.
func (t *Table3) UnmarshalJSON(b []byte) error {
	var j table3JSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	cols := Cols3Info()
	if len(j.Columns) != len(cols) {
		return fmt.Errorf("table 三 has %d columns, want %d", len(j.Columns), len(cols))
	}
	for i, c := range cols {
		if j.Columns[i] != c.Code {
			return fmt.Errorf("table 三 column %d is %q, want %q", i+1, j.Columns[i], c.Code)
		}
	}
	*t = Table3{}
	seen := map[string]bool{}
	for _, r := range j.Rows {
		i := rowIndex(r.Key)
		if i < 0 || seen[r.Key] {
			return fmt.Errorf("table 三: unknown or repeated row %q", r.Key)
		}
		seen[r.Key] = true
		t[i] = r.Values
	}
	return nil
}

// RowIndex is the index of table 三's row with key (RowInfo.Key), or -1.
func RowIndex(key string) int { return rowIndex(key) }

func rowIndex(key string) int {
	for i, r := range rows3 {
		if r.Key == key {
			return i
		}
	}
	return -1
}

// complete fills the derived cells — （七）总计 and the 总计 column — from
// the others, for tables built from facts. Validate never calls it: it
// checks tables as given.
func (t *Table3) complete() {
	for c := 0; c < ColTotal; c++ {
		t[RowTotal][c] = 0
		for r := rowFirstOutcome; r < RowTotal; r++ {
			t[RowTotal][c] += t[r][c]
		}
	}
	for r := range t {
		t[r][ColTotal] = 0
		for c := 0; c < ColTotal; c++ {
			t[r][ColTotal] += t[r][c]
		}
	}
}

// --- table 四 ---

// Table4 is 政府信息公开行政复议、行政诉讼情况: per group (apply.RemedyKinds
// order: 行政复议, 未经复议直接起诉, 复议后起诉) the four results
// (apply.RemedyResults order) and 总计.
type Table4 [3][5]int

var groups4 = []string{"review", "suit_direct", "suit_after_review"}
var results4 = []string{"maintained", "corrected", "other", "pending", "total"}

// Groups4 and Results4 are table 四's group and column labels.
var (
	Groups4  = []string{"行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"}
	Results4 = []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}
)

// MarshalJSON writes {"review": {"maintained": n, …, "total": n}, …}.
func (t Table4) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for g, gk := range groups4 {
		if g > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(gk) + ":{")
		for r, rk := range results4 {
			if r > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%q:%d", rk, t[g][r])
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// UnmarshalJSON reads what MarshalJSON wrote; every group and result must be there.
func (t *Table4) UnmarshalJSON(b []byte) error {
	var m map[string]map[string]int
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if len(m) != len(groups4) {
		return fmt.Errorf("table 四 has %d groups, want %d", len(m), len(groups4))
	}
	for g, gk := range groups4 {
		vals, ok := m[gk]
		if !ok || len(vals) != len(results4) {
			return fmt.Errorf("table 四: group %q missing or incomplete", gk)
		}
		for r, rk := range results4 {
			v, ok := vals[rk]
			if !ok {
				return fmt.Errorf("table 四: %s.%s missing", gk, rk)
			}
			t[g][r] = v
		}
	}
	return nil
}

func (t *Table4) complete() {
	for g := range t {
		t[g][4] = t[g][0] + t[g][1] + t[g][2] + t[g][3]
	}
}

// --- all tables ---

// Tables are the report's three tables.
type Tables struct {
	T2 Table2
	T3 Table3
	T4 Table4
}

// add adds o cell by cell (sums of consistent tables are consistent).
func (t *Tables) add(o Tables) {
	t.T2.Rules.Made += o.T2.Rules.Made
	t.T2.Rules.Abolished += o.T2.Rules.Abolished
	t.T2.Rules.InForce += o.T2.Rules.InForce
	t.T2.Normative.Made += o.T2.Normative.Made
	t.T2.Normative.Abolished += o.T2.Normative.Abolished
	t.T2.Normative.InForce += o.T2.Normative.InForce
	t.T2.Licensing += o.T2.Licensing
	t.T2.Penalty += o.T2.Penalty
	t.T2.Enforcement += o.T2.Enforcement
	t.T2.FeeYuan += o.T2.FeeYuan
	for r := range t.T3 {
		for c := range t.T3[r] {
			t.T3[r][c] += o.T3[r][c]
		}
	}
	for g := range t.T4 {
		for r := range t.T4[g] {
			t.T4[g][r] += o.T4[g][r]
		}
	}
}

// Supplement are figures for applications and reviews or lawsuits handled
// outside the platform. Only the leaf cells are entered; totals are derived.
type Supplement struct {
	T3   Table3 `json:"t3"`
	T4   Table4 `json:"t4"`
	Note string `json:"note,omitempty"` // what the figures cover, e.g. 1—3 月纸质台账
}

// Complete derives the totals from the entered cells.
func (s *Supplement) Complete() {
	s.T3.complete()
	s.T4.complete()
}

// Empty reports whether the supplement adds nothing.
func (s Supplement) Empty() bool { return s.T3 == Table3{} && s.T4 == Table4{} && s.Note == "" }

// --- the document ---

// Sections are the edited text of sections 一、五、六; paragraphs are
// separated by line breaks.
type Sections struct {
	Overview string `json:"overview"` // 一、总体情况
	Problems string `json:"problems"` // 五、存在的主要问题及改进情况
	Other    string `json:"other"`    // 六、其他需要报告的事项
}

// OrgRef names the reporting org.
type OrgRef struct {
	ID   string   `json:"id"`
	Code string   `json:"code"`
	Name string   `json:"name"`
	Kind org.Kind `json:"kind"`
}

// Covered is one org a government's report aggregates.
type Covered struct {
	OrgID     string `json:"org_id"`
	Name      string `json:"name"`
	Published bool   `json:"published"` // its own report is published (its snapshot was used)
	Self      bool   `json:"self,omitempty"`
}

// Fees are the 信息处理费 collected in the year (section 六).
type Fees struct {
	Cases     int   `json:"cases"`
	AmountFen int64 `json:"amount_fen"`
}

// Document is a report as published: what the portal, the downloads and
// the snapshot hold.
type Document struct {
	Format      string         `json:"format"`
	Org         OrgRef         `json:"org"`
	Year        int            `json:"year"`
	Title       string         `json:"title"`
	Status      string         `json:"status"`
	PublishedAt string         `json:"published_at,omitempty"` // RFC 3339
	Sections    Sections       `json:"sections"`
	Table2      Table2         `json:"table2"`
	Table3      Table3         `json:"table3"`
	Table4      Table4         `json:"table4"`
	Fees        Fees           `json:"fees"`
	Proactive   map[string]int `json:"proactive_by_genre"` // records published in the year, per genre
	Coverage    []Covered      `json:"coverage,omitempty"`
	Supplement  string         `json:"supplement_note,omitempty"`
	// Notes explain figures to readers (e.g. why a table is all zeros).
	Notes []string `json:"notes,omitempty"`
}

// Tables returns the document's tables.
func (d Document) Tables() Tables { return Tables{T2: d.Table2, T3: d.Table3, T4: d.Table4} }

// PublishedDate is the publication day as 2026年1月20日 ("" for drafts).
func (d Document) PublishedDate() string {
	if len(d.PublishedAt) < 10 {
		return ""
	}
	y, m, day := d.PublishedAt[:4], d.PublishedAt[5:7], d.PublishedAt[8:10]
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(day)
	return y + "年" + strconv.Itoa(mi) + "月" + strconv.Itoa(di) + "日"
}

// Paragraphs splits section text into paragraphs (blank lines dropped).
func Paragraphs(s string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// DecodeSnapshot reads a published snapshot.
func DecodeSnapshot(b []byte) (Document, error) {
	var d Document
	if err := json.Unmarshal(b, &d); err != nil {
		return Document{}, fmt.Errorf("年度报告快照无法读取：%w", err)
	}
	return d, nil
}
