package workday

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
)

// A range longer than this is a typo (the longest arrangement so far is the
// 9-day 春节 of 2026), and expanding it would hide the mistake among
// hundreds of "holidays".
const maxRangeDays = 31

// maxProblems keeps an error about a badly mangled file readable.
const maxProblems = 20

// ParseYearFile reads one year's arrangement from a small text file:
//
//	# comments and blank lines ignored
//	year: 2027
//	source: 国办发明电〔2026〕XX号
//	holiday: 2027-01-01            # one date per line, or a range
//	holiday: 2027-02-05..2027-02-11
//	makeup: 2027-02-14
//
// The format mirrors how the State Council notice is written (放假区间 and
// 调休上班日), so an administrator can copy it line by line: weekend dates
// inside a holiday range are dropped because weekends are off anyway, while a
// single weekend date listed as a holiday is an error because it means the
// table was misread. A "#" after a date starts a comment (useful for naming
// the festival); the source line is taken verbatim. Errors name the line
// ("第 5 行：…") and all problems are reported at once. The returned Year is
// validated and its dates sorted.
func ParseYearFile(r io.Reader) (Year, error) {
	type entry struct {
		line    int
		d       Date
		holiday bool
	}
	var (
		y                 Year
		yearLine, srcLine int
		entries           []entry
		probs             []string
		lineNo            int
		add               = func(line int, format string, a ...any) {
			probs = append(probs, fmt.Sprintf("第 %d 行：", line)+fmt.Sprintf(format, a...))
		}
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if lineNo == 1 {
			// Windows Notepad saves UTF-8 with a BOM.
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := cutColon(line)
		if !ok {
			add(lineNo, "应为“名称: 值”的形式，例如 holiday: 2027-01-01，实际为 %q", line)
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		if key != "source" {
			val, _, _ = strings.Cut(val, "#")
		}
		val = strings.TrimSpace(val)
		switch key {
		case "year":
			if yearLine != 0 {
				add(lineNo, "year 重复（第 %d 行已写）", yearLine)
				continue
			}
			yearLine = lineNo
			n, err := strconv.Atoi(val)
			if err != nil || n < minYear || n > maxYear {
				add(lineNo, "年份 %q 无效，应为 %d–%d 之间的四位数字", val, minYear, maxYear)
				continue
			}
			y.Year = n
		case "source":
			if srcLine != 0 {
				add(lineNo, "source 重复（第 %d 行已写）", srcLine)
				continue
			}
			srcLine = lineNo
			if val == "" {
				add(lineNo, "source 不能为空，请填写通知的文号或标题")
			}
			y.Source = val
		case "holiday", "makeup":
			holiday := key == "holiday"
			lo, hi, isRange := strings.Cut(val, "..")
			if isRange && !holiday {
				add(lineNo, "调休上班日请逐行填写单个日期，不能写区间")
				continue
			}
			from, err := ParseDate(strings.TrimSpace(lo))
			if err != nil {
				add(lineNo, "%s", err)
				continue
			}
			to := from
			if isRange {
				if to, err = ParseDate(strings.TrimSpace(hi)); err != nil {
					add(lineNo, "%s", err)
					continue
				}
				if to.Before(from) {
					add(lineNo, "区间 %s..%s 的结束日期早于开始日期", from, to)
					continue
				}
				if from.AddDays(maxRangeDays).Before(to) {
					add(lineNo, "区间 %s..%s 超过 %d 天，请检查是否输错", from, to, maxRangeDays)
					continue
				}
			}
			for d := from; !d.After(to); d = d.AddDays(1) {
				if isRange && isWeekend(d.Weekday()) {
					continue
				}
				entries = append(entries, entry{lineNo, d, holiday})
			}
		default:
			add(lineNo, "无法识别的项目 %q，应为 year、source、holiday 或 makeup", key)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Year{}, apperr.New(apperr.Invalid, fmt.Sprintf("节假日安排文件有误：第 %d 行过长", lineNo+1))
		}
		return Year{}, err
	}
	if yearLine == 0 {
		probs = append(probs, "缺少年份行，例如 year: 2027")
	}
	if y.Year != 0 {
		seen := map[Date]int{}
		bad := map[int]bool{} // one message per line: a wrong range would otherwise repeat itself
		for _, e := range entries {
			if bad[e.line] {
				continue
			}
			w := e.d.Weekday()
			prev, dup := seen[e.d]
			switch {
			case e.d.Year != y.Year:
				add(e.line, "%s 不属于 %d 年", e.d, y.Year)
			case e.holiday && isWeekend(w):
				add(e.line, "%s 是%s：周末本来就休息，不必列为放假日（整段假期可写作 起..止，周末会自动略过）", e.d, weekdayNames[w])
			case !e.holiday && !isWeekend(w):
				add(e.line, "%s 是%s：调休上班日只能是周六或周日", e.d, weekdayNames[w])
			case dup:
				add(e.line, "%s 与第 %d 行重复", e.d, prev)
			default:
				seen[e.d] = e.line
				if e.holiday {
					y.Holidays = append(y.Holidays, e.d)
				} else {
					y.Makeup = append(y.Makeup, e.d)
				}
				continue
			}
			bad[e.line] = true
		}
	}
	if len(probs) > 0 {
		if len(probs) > maxProblems {
			probs = append(probs[:maxProblems], fmt.Sprintf("……另有 %d 处错误", len(probs)-maxProblems))
		}
		return Year{}, apperr.New(apperr.Invalid, "节假日安排文件有误："+strings.Join(probs, "；"))
	}
	y = y.clone()
	if err := y.Validate(); err != nil {
		return Year{}, err
	}
	return y, nil
}

// cutColon accepts the full-width colon too: administrators type these files
// with a Chinese input method.
func cutColon(s string) (key, val string, ok bool) {
	i := strings.IndexAny(s, ":：")
	if i < 0 {
		return "", "", false
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return s[:i], s[i+size:], true
}

// FormatYearFile writes y in the ParseYearFile format, one holiday per line
// in date order, so that ParseYearFile(FormatYearFile(y)) == y for any
// validated Year with sorted dates (as returned by ParseYearFile and
// Calendar.Years).
func FormatYearFile(y Year) string {
	y = y.clone()
	var b strings.Builder
	fmt.Fprintf(&b, "# %d 年节假日安排。工作日 = 周一至周五 − 放假日（holiday）+ 调休上班日（makeup）。\n", y.Year)
	b.WriteString("# holiday 只列周一至周五的放假日，也可写区间 起..止（区间内周末自动略过）；makeup 只能是周六或周日。\n")
	fmt.Fprintf(&b, "year: %d\n", y.Year)
	if y.Source != "" {
		fmt.Fprintf(&b, "source: %s\n", y.Source)
	}
	for _, d := range y.Holidays {
		fmt.Fprintf(&b, "holiday: %s\n", d)
	}
	for _, d := range y.Makeup {
		fmt.Fprintf(&b, "makeup: %s\n", d)
	}
	return b.String()
}
