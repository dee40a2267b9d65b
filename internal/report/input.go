package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
)

// Bounds on entered figures: far above any unit's year, far below overflow
// when a government sums its departments.
const (
	MaxCount   = 100_000_000
	maxWanInt  = 100_000_000 // 万元 before the decimal point
	MaxNoteLen = 500
	// MaxSection bounds one section's text (a long 总体情况 runs to a few
	// thousand characters).
	MaxSection = 20000
)

// ManualFields are the form fields of table 二's entered figures with
// their labels, in table order.
var ManualFields = []struct{ Name, Label string }{
	{"licensing", "行政许可 本年处理决定数量"},
	{"penalty", "行政处罚 本年处理决定数量"},
	{"enforcement", "行政强制 本年处理决定数量"},
	{"fee", "行政事业性收费 本年收费金额（万元）"},
}

// normalizeNumber folds the full-width digits and point a Chinese input
// method types, and drops spaces and thousands separators.
func normalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．' || r == '。':
			return '.'
		case r == '－':
			return '-'
		case r == ' ' || r == '\u3000' || r == ',' || r == '，':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// ParseCount reads a count as staff type it: blank is 0; anything but a
// whole number from 0 to MaxCount is an error saying what is wrong.
func ParseCount(s string) (int, error) {
	s = normalizeNumber(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil && strings.Contains(s, "."):
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == float64(int64(f)) {
			return ParseCount(strconv.FormatInt(int64(f), 10))
		}
		return 0, fmt.Errorf("“%s”不是整数（件数只能填整数）", s)
	case err != nil:
		return 0, fmt.Errorf("“%s”不是数字", s)
	case n < 0:
		return 0, fmt.Errorf("不能为负数（填了 %d）", n)
	case n > MaxCount:
		return 0, fmt.Errorf("%d 超出合理范围", n)
	}
	return n, nil
}

// ParseWan reads an amount in 万元 with at most 4 decimals (the unit of
// the 4th decimal is 1 元) and returns it in 元.
func ParseWan(s string) (int64, error) {
	s = normalizeNumber(s)
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("不能为负数（填了 %s）", s)
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && dot {
		whole = "0"
	}
	if !digits(whole) || (dot && !digits(frac)) || (dot && frac == "") {
		return 0, fmt.Errorf("“%s”不是数字", s)
	}
	if len(frac) > 4 {
		return 0, fmt.Errorf("“%s”超过 4 位小数（单位为万元，第 4 位小数即 1 元）", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w >= maxWanInt {
		return 0, fmt.Errorf("“%s”超出合理范围", s)
	}
	f, _ := strconv.ParseInt((frac + "0000")[:4], 10, 64)
	return w*10000 + f, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseManual reads table 二's entered figures from form values (see
// ManualFields); every bad field is named.
func ParseManual(get func(string) string) (Manual, error) {
	var m Manual
	var fs apperr.Fields
	for i, f := range ManualFields[:3] {
		n, err := ParseCount(get(f.Name))
		if err != nil {
			fs.Add(f.Name, f.Label+"："+err.Error())
			continue
		}
		*[]*int{&m.Licensing, &m.Penalty, &m.Enforcement}[i] = n
	}
	fee, err := ParseWan(get("fee"))
	if err != nil {
		fs.Add("fee", ManualFields[3].Label+"："+err.Error())
	}
	m.FeeYuan = fee
	return m, fs.Err()
}

// checkManual refuses figures no form could have produced (callers other
// than ParseManual: the import, tests, future API).
func checkManual(m Manual) error {
	var fs apperr.Fields
	for i, v := range []int{m.Licensing, m.Penalty, m.Enforcement} {
		if v < 0 || v > MaxCount {
			fs.Add(ManualFields[i].Name, ManualFields[i].Label+"：应为 0 到 100000000 之间的整数")
		}
	}
	if m.FeeYuan < 0 || m.FeeYuan >= maxWanInt*10000 {
		fs.Add("fee", ManualFields[3].Label+"：应为非负数")
	}
	return fs.Err()
}

// SupplementField names the form field of a supplement cell: s3-r{row}-c{col}
// for table 三, s4-r{group}-c{result} for table 四.
func SupplementField(table, row, col int) string { return fmt.Sprintf("s%d-r%d-c%d", table, row, col) }

// SupplementRows3 are the table 三 rows a supplement is entered for: all
// but （七）总计, which is derived.
func SupplementRows3() []int {
	var out []int
	for r := 0; r < Rows3; r++ {
		if r != RowTotal {
			out = append(out, r)
		}
	}
	return out
}

// ParseSupplement reads a supplement from form values: the six applicant
// columns of every table 三 row but （七）, and the four results of each
// table 四 group; totals are derived. Every bad cell is named.
func ParseSupplement(get func(string) string) (Supplement, error) {
	var s Supplement
	var fs apperr.Fields
	cols := Cols3Info()
	for _, r := range SupplementRows3() {
		for c := 0; c < ColTotal; c++ {
			name := SupplementField(3, r, c)
			n, err := ParseCount(get(name))
			if err != nil {
				fs.Add(name, fmt.Sprintf("表三补录 %s %s列：%s", rows3[r].Name(), cols[c].Label, err))
			}
			s.T3[r][c] = n
		}
	}
	for g := range s.T4 {
		for r := 0; r < 4; r++ {
			name := SupplementField(4, g, r)
			n, err := ParseCount(get(name))
			if err != nil {
				fs.Add(name, fmt.Sprintf("表四补录 %s %s：%s", Groups4[g], Results4[r], err))
			}
			s.T4[g][r] = n
		}
	}
	s.Note = strings.TrimSpace(get("supplement_note"))
	if utf8.RuneCountInString(s.Note) > MaxNoteLen {
		fs.Add("supplement_note", fmt.Sprintf("补录说明最多 %d 字", MaxNoteLen))
	}
	if err := fs.Err(); err != nil {
		return Supplement{}, err
	}
	s.T3.complete()
	s.T4.complete()
	if s.T3 != (Table3{}) || s.T4 != (Table4{}) {
		if s.Note == "" {
			return Supplement{}, apperr.Field("supplement_note", "请说明补录数据的来源和范围（如“1—3月纸质台账登记的申请”）")
		}
	}
	return s, nil
}

// checkSupplement refuses negative or oversized cells and derived cells
// that do not match (a supplement is stored with its totals derived).
func checkSupplement(s Supplement) error {
	c := s
	c.T3.complete()
	c.T4.complete()
	if c.T3 != s.T3 || c.T4 != s.T4 {
		return apperr.New(apperr.Invalid, "补录数据的合计与各项之和不符")
	}
	for _, row := range s.T3 {
		for _, v := range row {
			if v < 0 || v > MaxCount {
				return apperr.New(apperr.Invalid, "补录数据应为非负整数")
			}
		}
	}
	for _, row := range s.T4 {
		for _, v := range row {
			if v < 0 || v > MaxCount {
				return apperr.New(apperr.Invalid, "补录数据应为非负整数")
			}
		}
	}
	return nil
}

// SectionFields are the form fields of the edited sections.
var SectionFields = []struct{ Name, Label string }{
	{"overview", "一、总体情况"}, {"problems", "五、存在的主要问题及改进情况"}, {"other", "六、其他需要报告的事项"},
}

// cleanSections trims the sections, drops control characters and checks
// their length.
func cleanSections(s *Sections) error {
	var fs apperr.Fields
	for i, p := range []*string{&s.Overview, &s.Problems, &s.Other} {
		*p = strings.TrimSpace(strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
				return -1
			}
			return r
		}, strings.ReplaceAll(*p, "\r\n", "\n")))
		if n := utf8.RuneCountInString(*p); n > MaxSection {
			fs.Add(SectionFields[i].Name, fmt.Sprintf("%s最多 %d 字（现为 %d 字）", SectionFields[i].Label, MaxSection, n))
		}
	}
	return fs.Err()
}
