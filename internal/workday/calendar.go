package workday

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
)

// Year is one year's official arrangement.
type Year struct {
	Year     int
	Holidays []Date // weekdays that are days off (节假日)
	Makeup   []Date // weekend days that are working days (调休上班)
	Source   string // e.g. "国办发明电〔2024〕12号"
}

// The supported range keeps the fixed-date check in Validate honest: those
// dates have been statutory holidays since the 1999 revision of
// 《全国年节及纪念日放假办法》, and the disclosure regime itself dates from 2008.
const minYear, maxYear = 2000, 2100

// fixedHolidays are the holidays the Measures (第二条) pin to a solar date.
// When one falls on a weekday it is necessarily a day off, so a table that
// omits it is a mistyped or truncated table, not a policy choice. 5月2日
// became a holiday only in the 2024 revision (effective 2025).
var fixedHolidays = []struct {
	month time.Month
	day   int
	from  int
	name  string
}{
	{time.January, 1, minYear, "元旦"},
	{time.May, 1, minYear, "劳动节"},
	{time.May, 2, 2025, "劳动节"},
	{time.October, 1, minYear, "国庆节"},
	{time.October, 2, minYear, "国庆节"},
	{time.October, 3, minYear, "国庆节"},
}

// Validate reports every problem at once, in Chinese, because the person
// entering next year's table fixes them in one pass.
func (y Year) Validate() error {
	var probs []string
	add := func(format string, a ...any) { probs = append(probs, fmt.Sprintf(format, a...)) }
	if y.Year < minYear || y.Year > maxYear {
		add("年份 %d 超出支持范围（%d–%d）", y.Year, minYear, maxYear)
	}
	if strings.ContainsAny(y.Source, "\r\n") || strings.TrimSpace(y.Source) != y.Source {
		// FormatYearFile writes Source on one line; anything else would not
		// survive a round trip through the file format.
		add("来源 %q 必须是一行文字，且首尾不能有空白", y.Source)
	}
	kind := map[Date]string{}
	check := func(label string, ds []Date, wantWeekend bool) {
		for _, d := range ds {
			if !d.valid() {
				add("%s %s 不存在", label, d)
				continue
			}
			if d.Year != y.Year {
				add("%s %s 不属于 %d 年", label, d, y.Year)
				continue
			}
			w := d.Weekday()
			switch {
			case wantWeekend && !isWeekend(w):
				add("%s %s 是%s：调休上班日只能是周六或周日", label, d, weekdayNames[w])
			case !wantWeekend && isWeekend(w):
				add("%s %s 是%s：周末本来就休息，只需列出周一至周五的放假日", label, d, weekdayNames[w])
			}
			switch prev, seen := kind[d]; {
			case seen && prev == label:
				add("%s %s 重复", label, d)
			case seen:
				add("%s 同时列为放假日和调休上班日", d)
			default:
				kind[d] = label
			}
		}
	}
	check("放假日", y.Holidays, false)
	check("调休上班日", y.Makeup, true)
	if y.Year >= minYear && y.Year <= maxYear {
		for _, f := range fixedHolidays {
			d := Date{y.Year, f.month, f.day}
			if y.Year >= f.from && !isWeekend(d.Weekday()) && kind[d] != "放假日" {
				add("缺少法定假日 %s（%s，%s）：法定假日逢工作日必须放假", d, f.name, weekdayNames[d.Weekday()])
			}
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return apperr.New(apperr.Invalid, fmt.Sprintf("%d 年节假日安排有误：%s", y.Year, strings.Join(probs, "；")))
}

// clone gives the calendar and its callers separate slices, sorted so that
// Years and FormatYearFile are deterministic.
func (y Year) clone() Year {
	s := func(ds []Date) []Date {
		if len(ds) == 0 {
			return nil
		}
		ds = slices.Clone(ds)
		slices.SortFunc(ds, Date.cmp)
		return ds
	}
	return Year{Year: y.Year, Holidays: s(y.Holidays), Makeup: s(y.Makeup), Source: y.Source}
}

// ErrNoCalendar is wrapped by every error about a year the calendar has not
// been given.
var ErrNoCalendar = errors.New("缺少该年度的节假日安排")

type noCalendarError struct{ year int }

func (e *noCalendarError) Error() string {
	return fmt.Sprintf("没有 %d 年的节假日安排，请先录入", e.year)
}
func (e *noCalendarError) Unwrap() error { return ErrNoCalendar }

// Calendar holds the years it knows. The zero value knows nothing. A
// Calendar is never modified after construction (With copies), so one value
// may be shared by any number of goroutines.
type Calendar struct {
	years map[int]*yearIndex
}

// yearIndex is the speed choice: per year, the working days in order plus a
// prefix count indexed by day of year. IsWorkday and WorkdaysBetween become
// two array reads and AddWorkdays one array read and one slice index per year
// crossed, instead of a day-by-day walk with a map lookup per day.
// Precomputing costs ~7 KB a year, once, when the calendar is built; a bitmap
// with popcount would be smaller but needs a scan to find the n-th set bit.
type yearIndex struct {
	year Year
	// rank[i] is the number of working days among days 1..i of the year, so
	// rank[0] == 0 and the index never needs a bounds special case.
	rank [367]uint16
	work []Date
}

func newIndex(y Year) *yearIndex {
	ix := &yearIndex{year: y.clone()}
	off := make(map[Date]bool, len(y.Holidays))
	for _, d := range y.Holidays {
		off[d] = true
	}
	on := make(map[Date]bool, len(y.Makeup))
	for _, d := range y.Makeup {
		on[d] = true
	}
	d, w := Date{y.Year, time.January, 1}, Date{y.Year, time.January, 1}.Weekday()
	for i := 1; i <= daysInYear(y.Year); i++ {
		if (!isWeekend(w) && !off[d]) || on[d] {
			ix.work = append(ix.work, d)
		}
		ix.rank[i] = uint16(len(ix.work))
		d, w = d.AddDays(1), (w+1)%7
	}
	return ix
}

// Builtin returns the arrangements of rules.md §9 (2025 and 2026). The value
// is shared: Calendars are immutable.
func Builtin() *Calendar { return builtin() }

// New validates every year: a calendar that answers from a broken table
// would produce wrong deadlines silently.
func New(years ...Year) (*Calendar, error) {
	c := &Calendar{years: make(map[int]*yearIndex, len(years))}
	for _, y := range years {
		if err := y.Validate(); err != nil {
			return nil, err
		}
		if _, dup := c.years[y.Year]; dup {
			return nil, apperr.New(apperr.Invalid, fmt.Sprintf("%d 年的节假日安排重复", y.Year))
		}
		c.years[y.Year] = newIndex(y)
	}
	return c, nil
}

// With returns a copy with y added or replaced; c itself is unchanged so
// that readers holding it never see a half-imported year.
func (c *Calendar) With(y Year) (*Calendar, error) {
	if err := y.Validate(); err != nil {
		return nil, err
	}
	n := &Calendar{years: make(map[int]*yearIndex, c.len()+1)}
	if c != nil {
		maps.Copy(n.years, c.years)
	}
	n.years[y.Year] = newIndex(y)
	return n, nil
}

func (c *Calendar) len() int {
	if c == nil {
		return 0
	}
	return len(c.years)
}

// Years returns copies, sorted by year, so callers cannot alter the tables.
func (c *Calendar) Years() []Year {
	if c == nil {
		return nil
	}
	out := make([]Year, 0, len(c.years))
	for _, ix := range c.years {
		out = append(out, ix.year.clone())
	}
	slices.SortFunc(out, func(a, b Year) int { return a.Year - b.Year })
	return out
}

func (c *Calendar) Has(year int) bool {
	_, ok := c.index(year)
	return ok
}

func (c *Calendar) index(year int) (*yearIndex, bool) {
	if c == nil {
		return nil, false
	}
	ix, ok := c.years[year]
	return ix, ok
}

func (c *Calendar) need(year int) (*yearIndex, error) {
	if ix, ok := c.index(year); ok {
		return ix, nil
	}
	return nil, &noCalendarError{year}
}

func (c *Calendar) IsWorkday(d Date) (bool, error) {
	d = d.norm()
	ix, err := c.need(d.Year)
	if err != nil {
		return false, err
	}
	i := yearDay(d)
	return ix.rank[i] != ix.rank[i-1], nil
}

// AddWorkdays returns the date n working days after start; the start day
// itself is not counted (the statutory convention: a period "from the day of
// receipt, 20 working days" ends on the 20th working day after that day).
// n must be >= 0 (n == 0 returns start). Only the days actually walked need
// calendar data, so 2025-12-31 + 1 needs 2026 but not 2025; walking into a
// year without data is ErrNoCalendar.
func (c *Calendar) AddWorkdays(start Date, n int) (Date, error) {
	if n < 0 {
		return Date{}, apperr.New(apperr.Invalid, fmt.Sprintf("工作日数不能为负数：%d", n))
	}
	start = start.norm()
	if n == 0 {
		return start, nil
	}
	// Days 1..done of year y are behind us.
	y, done := start.Year, yearDay(start)
	for {
		if done == daysInYear(y) {
			y, done = y+1, 0
		}
		ix, err := c.need(y)
		if err != nil {
			return Date{}, err
		}
		r := int(ix.rank[done])
		if left := len(ix.work) - r; n > left {
			n -= left
			done = daysInYear(y)
			continue
		}
		return ix.work[r+n-1], nil
	}
}

// WorkdaysBetween counts working days d with from < d <= to (0 when
// to <= from): the lag of a publication after the information was formed,
// in the same convention as AddWorkdays, so that
// WorkdaysBetween(s, AddWorkdays(s, n)) == n.
func (c *Calendar) WorkdaysBetween(from, to Date) (int, error) {
	from, to = from.norm(), to.norm()
	if from.cmp(to) >= 0 {
		return 0, nil
	}
	s := from.AddDays(1)
	total, lo := 0, yearDay(s)-1
	for y := s.Year; y <= to.Year; y++ {
		ix, err := c.need(y)
		if err != nil {
			return 0, err
		}
		hi := daysInYear(y)
		if y == to.Year {
			hi = yearDay(to)
		}
		total += int(ix.rank[hi]) - int(ix.rank[lo])
		lo = 0
	}
	return total, nil
}
