package workday

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

// naive is the reference the fast index is checked against: the definition
// of a working day read straight off the rules.md §9.4 slices, one day at a
// time, sharing no code with yearIndex.
type naive struct{ off, on map[Date]bool }

func newNaive() naive {
	n := naive{map[Date]bool{}, map[Date]bool{}}
	for _, b := range builtinYears {
		for _, s := range b.holidays {
			n.off[d(s)] = true
		}
		for _, s := range b.makeup {
			n.on[d(s)] = true
		}
	}
	return n
}

func (n naive) isWorkday(x Date) bool {
	w := x.Weekday()
	return n.on[x] || (w != time.Saturday && w != time.Sunday && !n.off[x])
}

// add reports ok == false when the walk has to look at a day after 2026,
// which the reference knows nothing about either.
func (n naive) add(start Date, k int) (Date, bool) {
	for x := start; ; {
		if k == 0 {
			return x, true
		}
		x = x.AddDays(1)
		if x.Year > 2026 {
			return Date{}, false
		}
		if n.isWorkday(x) {
			k--
		}
	}
}

func TestAcceptanceExample(t *testing.T) {
	// The CLI's documented example: day 1 is the make-up Sunday 2026-09-20;
	// 9-25 and 10-1…7 are holidays; 10-10 is a make-up Saturday.
	got, err := Builtin().AddWorkdays(d("2026-09-18"), 20)
	if err != nil || got != d("2026-10-22") {
		t.Fatalf("AddWorkdays(2026-09-18, 20) = %v, %v; want 2026-10-22", got, err)
	}
	if got.Chinese() != "2026年10月22日" {
		t.Fatalf("Chinese() = %q", got.Chinese())
	}
}

// TestTablesAgainstNoticeRanges re-derives the built-in tables from the
// holiday ranges as the notices state them (rules.md §9.2 and §9.3, weekends
// included), so a slip in the §9.4 slices cannot hide behind itself.
func TestTablesAgainstNoticeRanges(t *testing.T) {
	notices := []struct {
		year   int
		ranges [][2]string
		makeup []string
	}{
		{2025, [][2]string{
			{"2025-01-01", "2025-01-01"}, // 元旦
			{"2025-01-28", "2025-02-04"}, // 春节 8 天
			{"2025-04-04", "2025-04-06"}, // 清明
			{"2025-05-01", "2025-05-05"}, // 劳动节
			{"2025-05-31", "2025-06-02"}, // 端午
			{"2025-10-01", "2025-10-08"}, // 国庆、中秋 8 天
		}, []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"}},
		{2026, [][2]string{
			{"2026-01-01", "2026-01-03"}, // 元旦
			{"2026-02-15", "2026-02-23"}, // 春节 9 天
			{"2026-04-04", "2026-04-06"}, // 清明
			{"2026-05-01", "2026-05-05"}, // 劳动节
			{"2026-06-19", "2026-06-21"}, // 端午
			{"2026-09-25", "2026-09-27"}, // 中秋
			{"2026-10-01", "2026-10-07"}, // 国庆
		}, []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}},
	}
	cal := Builtin()
	years := map[int]Year{}
	for _, y := range cal.Years() {
		years[y.Year] = y
	}
	for _, n := range notices {
		var want []Date
		for _, r := range n.ranges {
			for x := d(r[0]); !x.After(d(r[1])); x = x.AddDays(1) {
				if ok, err := cal.IsWorkday(x); err != nil || ok {
					t.Errorf("%s is inside a holiday range but IsWorkday = %v, %v", x, ok, err)
				}
				if !isWeekend(x.Weekday()) {
					want = append(want, x)
				}
			}
		}
		if !reflect.DeepEqual(years[n.year].Holidays, want) {
			t.Errorf("%d holidays = %v\nwant (from the notice ranges) %v", n.year, years[n.year].Holidays, want)
		}
		var mk []Date
		for _, s := range n.makeup {
			mk = append(mk, d(s))
		}
		if !reflect.DeepEqual(years[n.year].Makeup, mk) {
			t.Errorf("%d makeup = %v, want %v", n.year, years[n.year].Makeup, mk)
		}
	}
}

func TestEveryHolidayAndMakeupDay(t *testing.T) {
	cal := Builtin()
	for _, y := range cal.Years() {
		for _, x := range y.Holidays {
			if ok, err := cal.IsWorkday(x); err != nil || ok {
				t.Errorf("holiday %s: IsWorkday = %v, %v", x, ok, err)
			}
			// The day before a holiday block that is itself a working day
			// must reach past the whole block in one step.
			if next, err := cal.AddWorkdays(x, 1); err == nil {
				if ok, _ := cal.IsWorkday(next); !ok {
					t.Errorf("AddWorkdays(%s, 1) = %s, not a working day", x, next)
				}
			}
		}
		for _, x := range y.Makeup {
			if ok, err := cal.IsWorkday(x); err != nil || !ok {
				t.Errorf("makeup %s: IsWorkday = %v, %v", x, ok, err)
			}
			// A make-up day counts as day 1 like any other working day.
			if got, err := cal.AddWorkdays(x.AddDays(-1), 1); err != nil || got != x {
				t.Errorf("AddWorkdays(%s, 1) = %v, %v; want the make-up day %s", x.AddDays(-1), got, err, x)
			}
		}
	}
}

// TestWorkingDayCounts pins the per-month counts to the working-day lists of
// awfe/ChinaWorkingDay (2025workday.json, 2026.json), the dataset rules.md
// §9.3 cross-checked against; they add up to 248 in each year (261
// Monday–Fridays − 18 holidays + 5 make-up days in 2025; 261 − 19 + 6 in
// 2026), not the 250 sometimes quoted.
func TestWorkingDayCounts(t *testing.T) {
	cal := Builtin()
	want := map[int][12]int{
		2025: {19, 19, 21, 22, 19, 20, 23, 21, 23, 18, 20, 23},
		2026: {21, 16, 22, 21, 19, 21, 23, 21, 22, 18, 21, 23},
	}
	for year, months := range want {
		total := 0
		for m := time.January; m <= time.December; m++ {
			first := Date{year, m, 1}
			n, err := cal.WorkdaysBetween(first.AddDays(-1), Date{year, m, daysIn(year, m)})
			if err != nil { // for January 2025, "from" is 2024-12-31 and is never examined
				t.Fatalf("%d-%02d: %v", year, m, err)
			}
			if n != months[m-1] {
				t.Errorf("%d-%02d: %d working days, want %d", year, m, n, months[m-1])
			}
			total += n
		}
		byYear, err := cal.WorkdaysBetween(Date{year - 1, 12, 31}, Date{year, 12, 31})
		if err != nil || byYear != total || total != 248 {
			t.Errorf("%d: %d working days (months sum %d, err %v), want 248", year, byYear, total, err)
		}
		t.Logf("%d: %d working days", year, byYear)
	}
}

func TestAddWorkdays(t *testing.T) {
	cal := Builtin()
	cases := []struct {
		name  string
		start string
		n     int
		want  string
	}{
		{"acceptance: 国庆 2026 with make-up Sunday and Saturday", "2026-09-18", 20, "2026-10-22"},
		{"n=0 returns start", "2026-09-18", 0, "2026-09-18"},
		{"n=0 on a holiday returns the holiday", "2026-10-01", 0, "2026-10-01"},
		{"n=1 from a Friday before a make-up Sunday (春节 2025)", "2025-01-24", 1, "2025-01-26"},
		{"n=1 from a Friday before a make-up Sunday (国庆 2026)", "2026-09-18", 1, "2026-09-20"},
		{"春节 2025: last day before the break", "2025-01-24", 2, "2025-01-27"},
		{"春节 2025: jumps Jan 28–Feb 4", "2025-01-24", 3, "2025-02-05"},
		{"春节 2025: make-up Saturday Feb 8", "2025-01-24", 6, "2025-02-08"},
		{"春节 2025: after the make-up Saturday", "2025-01-24", 7, "2025-02-10"},
		{"start on a holiday (除夕 2025)", "2025-01-28", 1, "2025-02-05"},
		{"start on a weekend inside 春节 2025", "2025-02-01", 1, "2025-02-05"},
		{"春节 2026: make-up Saturday before the break", "2026-02-13", 1, "2026-02-14"},
		{"春节 2026: jumps Feb 15–23", "2026-02-13", 2, "2026-02-24"},
		{"start on a make-up day (2026-02-14)", "2026-02-14", 1, "2026-02-24"},
		{"春节 2026: make-up Saturday Feb 28", "2026-02-27", 1, "2026-02-28"},
		{"春节 2026: after Feb 28", "2026-02-27", 2, "2026-03-02"},
		{"劳动节 2025: make-up Sunday Apr 27", "2025-04-25", 1, "2025-04-27"},
		{"劳动节 2025: last day before the break", "2025-04-25", 4, "2025-04-30"},
		{"劳动节 2025: jumps May 1–5", "2025-04-25", 5, "2025-05-06"},
		{"劳动节 2026: jumps May 1–5", "2026-04-30", 1, "2026-05-06"},
		{"劳动节 2026: make-up Saturday May 9", "2026-04-30", 4, "2026-05-09"},
		{"劳动节 2026: after May 9", "2026-04-30", 5, "2026-05-11"},
		{"国庆 2025 (8 days incl. 中秋): make-up Sunday Sep 28", "2025-09-26", 1, "2025-09-28"},
		{"国庆 2025: last day before the break", "2025-09-26", 3, "2025-09-30"},
		{"国庆 2025: jumps Oct 1–8", "2025-09-26", 4, "2025-10-09"},
		{"国庆 2025: make-up Saturday Oct 11", "2025-09-26", 6, "2025-10-11"},
		{"国庆 2025: 20 days from Sep 30", "2025-09-30", 20, "2025-11-04"},
		{"清明 2025 (Fri–Sun)", "2025-04-03", 1, "2025-04-07"},
		{"端午 2025 (Sat–Mon)", "2025-05-30", 1, "2025-06-03"},
		{"中秋 2026 (Fri–Sun)", "2026-09-24", 1, "2026-09-28"},
		{"year boundary: 2025-12-31 + 3 → 元旦 2026 and make-up Jan 4", "2025-12-31", 3, "2026-01-06"},
		{"year boundary: 2025-12-31 + 1 is the make-up Sunday", "2025-12-31", 1, "2026-01-04"},
		{"last working day of the last known year", "2026-12-25", 4, "2026-12-31"},
		{"start in an unknown year is never examined", "2024-12-31", 1, "2025-01-02"},
		{"n=0 in an unknown year examines nothing", "2030-06-01", 0, "2030-06-01"},
		{"a whole year", "2024-12-31", 248, "2025-12-31"},
		{"across both years", "2024-12-31", 496, "2026-12-31"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := cal.AddWorkdays(d(c.start), c.n)
			if err != nil || got != d(c.want) {
				t.Fatalf("AddWorkdays(%s, %d) = %v, %v; want %s", c.start, c.n, got, err, c.want)
			}
			back, err := cal.WorkdaysBetween(d(c.start), got)
			if err != nil || back != c.n {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, %v; want %d", c.start, got, back, err, c.n)
			}
		})
	}
}

func TestNoCalendar(t *testing.T) {
	cal := Builtin()
	cases := []struct {
		name string
		call func() error
		year string
	}{
		{"AddWorkdays walks into 2027", func() error { _, err := cal.AddWorkdays(d("2026-12-25"), 10); return err }, "2027"},
		{"AddWorkdays from the last day", func() error { _, err := cal.AddWorkdays(d("2026-12-31"), 1); return err }, "2027"},
		{"AddWorkdays examines 2024-12-31", func() error { _, err := cal.AddWorkdays(d("2024-12-30"), 1); return err }, "2024"},
		{"AddWorkdays far start", func() error { _, err := cal.AddWorkdays(d("2031-03-02"), 1); return err }, "2031"},
		{"IsWorkday 2027", func() error { _, err := cal.IsWorkday(d("2027-01-04")); return err }, "2027"},
		{"IsWorkday 2024", func() error { _, err := cal.IsWorkday(d("2024-12-31")); return err }, "2024"},
		{"WorkdaysBetween into 2027", func() error { _, err := cal.WorkdaysBetween(d("2026-12-01"), d("2027-01-01")); return err }, "2027"},
		{"WorkdaysBetween from 2024", func() error { _, err := cal.WorkdaysBetween(d("2024-12-30"), d("2025-01-02")); return err }, "2024"},
		{"zero Calendar", func() error { _, err := new(Calendar).IsWorkday(d("2026-01-05")); return err }, "2026"},
		{"nil Calendar", func() error { var c *Calendar; _, err := c.AddWorkdays(d("2026-01-05"), 1); return err }, "2026"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if !errors.Is(err, ErrNoCalendar) {
				t.Fatalf("err = %v, want ErrNoCalendar", err)
			}
			if want := "没有 " + c.year + " 年的节假日安排，请先录入"; err.Error() != want {
				t.Fatalf("message %q, want %q", err, want)
			}
		})
	}
	if _, err := cal.AddWorkdays(d("2026-01-05"), -1); err == nil || errors.Is(err, ErrNoCalendar) || apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("negative n: err = %v", err)
	}
}

func TestWorkdaysBetween(t *testing.T) {
	cal := Builtin()
	cases := []struct {
		from, to string
		want     int
	}{
		{"2026-09-18", "2026-10-22", 20},
		{"2026-10-22", "2026-09-18", 0}, // to before from
		{"2026-10-22", "2026-10-22", 0},
		{"2025-01-24", "2025-02-04", 2},   // 1-26 make-up, 1-27; then 春节
		{"2025-01-27", "2025-02-04", 0},   // the whole break
		{"2025-02-04", "2025-02-05", 1},   // from a holiday to the first day back
		{"2024-12-31", "2025-01-02", 1},   // from is never examined
		{"2025-12-31", "2026-01-04", 1},   // 元旦 2026 then the make-up Sunday
		{"2024-12-31", "2025-12-31", 248}, // all of 2025
		{"2025-12-31", "2026-12-31", 248}, // all of 2026
		{"2024-12-31", "2026-12-31", 496},
		{"2030-01-01", "2025-01-01", 0}, // reversed: nothing examined, even in unknown years
	}
	for _, c := range cases {
		got, err := cal.WorkdaysBetween(d(c.from), d(c.to))
		if err != nil || got != c.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, %v; want %d", c.from, c.to, got, err, c.want)
		}
	}
}

// TestBruteForce checks the index against the day-by-day definition for
// every start from 2025-01-01 to 2026-11-30 and every n up to 30 (the
// longest statutory period is 20 plus a 20-day extension, well inside).
func TestBruteForce(t *testing.T) {
	cal, ref := Builtin(), newNaive()
	for x := d("2025-01-01"); !x.After(d("2026-11-30")); x = x.AddDays(1) {
		ok, err := cal.IsWorkday(x)
		if err != nil || ok != ref.isWorkday(x) {
			t.Fatalf("IsWorkday(%s) = %v, %v; reference says %v", x, ok, err, ref.isWorkday(x))
		}
		for n := 0; n <= 30; n++ {
			got, err := cal.AddWorkdays(x, n)
			want, known := ref.add(x, n)
			if !known {
				// Late-November starts run past 2026: refusing is the answer.
				if !errors.Is(err, ErrNoCalendar) {
					t.Fatalf("AddWorkdays(%s, %d) = %v, %v; want ErrNoCalendar", x, n, got, err)
				}
				continue
			}
			if err != nil || got != want {
				t.Fatalf("AddWorkdays(%s, %d) = %v, %v; reference %s", x, n, got, err, want)
			}
			back, err := cal.WorkdaysBetween(x, got)
			if err != nil || back != n {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, %v; want %d", x, got, back, err, n)
			}
		}
	}
}

func TestDate(t *testing.T) {
	good := []struct {
		in      string
		want    Date
		chinese string
		wd      time.Weekday
	}{
		{"2026-10-22", Date{2026, time.October, 22}, "2026年10月22日", time.Thursday},
		{"2025-01-01", Date{2025, time.January, 1}, "2025年1月1日", time.Wednesday},
		{"2024-02-29", Date{2024, time.February, 29}, "2024年2月29日", time.Thursday},
	}
	for _, g := range good {
		got, err := ParseDate(g.in)
		if err != nil || got != g.want || got.String() != g.in || got.Chinese() != g.chinese || got.Weekday() != g.wd {
			t.Errorf("ParseDate(%q) = %#v, %v (%s, %s, %s)", g.in, got, err, got, got.Chinese(), got.Weekday())
		}
	}
	for _, bad := range []string{"", "2026-1-2", "2026/10/22", "2026-10-22 ", " 2026-10-22", "20261022", "2026-13-01", "2026-02-30", "2025-02-29", "26-10-22", "2026-10-22T00:00:00Z", "二〇二六年"} {
		_, err := ParseDate(bad)
		if err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
			continue
		}
		if !strings.Contains(err.Error(), "日期") || !strings.Contains(err.Error(), bad) || apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("ParseDate(%q) error %q must be Invalid, in Chinese and name the value", bad, err)
		}
	}

	x := d("2025-12-30")
	if x.AddDays(2) != d("2026-01-01") || x.AddDays(-365) != d("2024-12-30") || x.AddDays(0) != x {
		t.Error("AddDays across year boundaries")
	}
	if !x.Before(d("2025-12-31")) || x.After(d("2025-12-31")) || !d("2026-01-01").After(x) || x.Before(x) || !x.Equal(x) {
		t.Error("Before/After/Equal")
	}
	if !(Date{2026, 2, 29}).Equal(d("2026-03-01")) {
		t.Error("Equal must normalize hand-built dates")
	}

	// DateOf is the Beijing date whatever the instant's location.
	zones := []*time.Location{time.UTC, time.FixedZone("EST", -5*3600), time.FixedZone("JST", 9*3600), cst}
	for _, z := range zones {
		before := time.Date(2026, 10, 21, 15, 59, 59, 0, time.UTC).In(z)
		at := time.Date(2026, 10, 21, 16, 0, 0, 0, time.UTC).In(z)
		if DateOf(before) != d("2026-10-21") || DateOf(at) != d("2026-10-22") {
			t.Errorf("DateOf in %s: %s → %s, %s → %s", z, before, DateOf(before), at, DateOf(at))
		}
	}
	mid := d("2026-10-22").Time()
	if !mid.Equal(time.Date(2026, 10, 21, 16, 0, 0, 0, time.UTC)) || DateOf(mid) != d("2026-10-22") {
		t.Errorf("Time() = %s", mid)
	}
}

// yearOf returns a copy of a built-in year to mutate.
func yearOf(t *testing.T, year int) Year {
	t.Helper()
	for _, y := range Builtin().Years() {
		if y.Year == year {
			return y
		}
	}
	t.Fatalf("no built-in %d", year)
	return Year{}
}

func TestValidate(t *testing.T) {
	for _, y := range Builtin().Years() {
		if err := y.Validate(); err != nil {
			t.Fatalf("built-in %d: %v", y.Year, err)
		}
	}
	cases := []struct {
		name   string
		mutate func(*Year)
		want   []string
	}{
		{"holiday on a Saturday", func(y *Year) { y.Holidays = append(y.Holidays, d("2026-01-03")) }, []string{"2026-01-03", "星期六"}},
		{"makeup on a Wednesday", func(y *Year) { y.Makeup = append(y.Makeup, d("2026-01-07")) }, []string{"2026-01-07", "星期三", "调休上班日"}},
		{"holiday outside the year", func(y *Year) { y.Holidays = append(y.Holidays, d("2025-12-31")) }, []string{"2025-12-31", "不属于 2026 年"}},
		{"makeup outside the year", func(y *Year) { y.Makeup = append(y.Makeup, d("2027-01-02")) }, []string{"2027-01-02", "不属于 2026 年"}},
		{"duplicate holiday", func(y *Year) { y.Holidays = append(y.Holidays, d("2026-02-17")) }, []string{"2026-02-17", "重复"}},
		{"duplicate makeup", func(y *Year) { y.Makeup = append(y.Makeup, d("2026-10-10")) }, []string{"2026-10-10", "重复"}},
		{"date in both lists", func(y *Year) { y.Makeup = append(y.Makeup, d("2026-02-16")) }, []string{"2026-02-16", "同时列为放假日和调休上班日"}},
		{"nonexistent date", func(y *Year) { y.Holidays = append(y.Holidays, Date{2026, 2, 30}) }, []string{"2026-02-30", "不存在"}},
		{"statutory holiday missing", func(y *Year) { y.Holidays = y.Holidays[1:] }, []string{"缺少法定假日 2026-01-01", "元旦"}},
		{"year out of range", func(y *Year) { y.Year = 1999 }, []string{"1999", "超出支持范围"}},
		{"multi-line source", func(y *Year) { y.Source = "第一行\n第二行" }, []string{"来源"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y := yearOf(t, 2026)
			c.mutate(&y)
			err := y.Validate()
			if err == nil {
				t.Fatal("Validate accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("kind %v, want Invalid", apperr.KindOf(err))
			}
			if _, err := New(y); err == nil {
				t.Error("New accepted an invalid year")
			}
			if _, err := Builtin().With(y); err == nil {
				t.Error("With accepted an invalid year")
			}
		})
	}
}

func TestCalendarConstruction(t *testing.T) {
	y25, y26 := yearOf(t, 2025), yearOf(t, 2026)
	if _, err := New(y25, y26, y25); err == nil || !strings.Contains(err.Error(), "2025") {
		t.Fatalf("New with a duplicate year: %v", err)
	}
	c, err := New(y26, y25)
	if err != nil {
		t.Fatal(err)
	}
	if ys := c.Years(); len(ys) != 2 || ys[0].Year != 2025 || ys[1].Year != 2026 || !reflect.DeepEqual(ys, Builtin().Years()) {
		t.Fatalf("Years() = %v", ys)
	}
	// Years hands out copies.
	ys := c.Years()
	ys[0].Holidays[0] = d("2025-03-03")
	if ok, _ := c.IsWorkday(d("2025-01-01")); ok || c.Years()[0].Holidays[0] != d("2025-01-01") {
		t.Fatal("mutating Years() output changed the calendar")
	}
	// New copies its input too.
	in := yearOf(t, 2025)
	c2, _ := New(in)
	in.Holidays[0] = d("2025-03-03")
	if ok, _ := c2.IsWorkday(d("2025-03-03")); !ok {
		t.Fatal("mutating New's input changed the calendar")
	}

	// With adds or replaces without touching the receiver.
	var zero Calendar
	if zero.Has(2026) || len(zero.Years()) != 0 {
		t.Fatal("zero Calendar knows something")
	}
	only26, err := zero.With(y26)
	if err != nil || !only26.Has(2026) || only26.Has(2025) || zero.Has(2026) {
		t.Fatalf("With on the zero value: %v", err)
	}
	// A replacement 2026 without the 2026-09-25 中秋 holiday (a valid if
	// fictitious table) must be visible in the copy only.
	alt := yearOf(t, 2026)
	alt.Holidays = removeDate(alt.Holidays, d("2026-09-25"))
	alt.Source = "test"
	replaced, err := Builtin().With(alt)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := replaced.IsWorkday(d("2026-09-25")); !ok {
		t.Fatal("With did not replace 2026")
	}
	if ok, _ := Builtin().IsWorkday(d("2026-09-25")); ok {
		t.Fatal("With modified the receiver")
	}
	if !replaced.Has(2025) || replaced.Years()[1].Source != "test" {
		t.Fatal("With lost 2025 or the new source")
	}
	var nilCal *Calendar
	if nilCal.Has(2026) || nilCal.Years() != nil {
		t.Fatal("nil Calendar")
	}
	if c, err := nilCal.With(y25); err != nil || !c.Has(2025) {
		t.Fatal("With on a nil Calendar")
	}
}

func removeDate(ds []Date, x Date) []Date {
	var out []Date
	for _, v := range ds {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

// notice2026 is the 2026 arrangement typed the way an administrator copies
// it from the notice: ranges with their weekends, full-width colons, a BOM,
// CRLF line ends and comments.
const notice2026 = "\uFEFF# 国务院办公厅关于2026年部分节假日安排的通知\r\n" +
	"year: 2026\r\n" +
	"source: 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）\r\n" +
	"\r\n" +
	"holiday: 2026-01-01..2026-01-03   # 元旦\r\n" +
	"makeup:  2026-01-04\r\n" +
	"holiday：2026-02-15..2026-02-23   # 春节\r\n" +
	"makeup: 2026-02-14\n" +
	"makeup: 2026-02-28\n" +
	"holiday: 2026-04-04..2026-04-06  # 清明节\n" +
	"HOLIDAY: 2026-05-01 .. 2026-05-05\n" +
	"makeup: 2026-05-09\n" +
	"holiday: 2026-06-19..2026-06-21\n" +
	"holiday: 2026-09-25..2026-09-27\n" +
	"holiday: 2026-10-01..2026-10-07\n" +
	"makeup: 2026-09-20\n" +
	"makeup: 2026-10-10\n"

func TestParseYearFile(t *testing.T) {
	y, err := ParseYearFile(strings.NewReader(notice2026))
	if err != nil {
		t.Fatal(err)
	}
	if want := yearOf(t, 2026); !reflect.DeepEqual(y, want) {
		t.Fatalf("parsed notice:\n%#v\nwant the built-in table\n%#v", y, want)
	}
}

func TestYearFileRoundTrip(t *testing.T) {
	for _, y := range Builtin().Years() {
		text := FormatYearFile(y)
		back, err := ParseYearFile(strings.NewReader(text))
		if err != nil {
			t.Fatalf("%d: %v\n%s", y.Year, err, text)
		}
		if !reflect.DeepEqual(back, y) {
			t.Fatalf("%d round trip:\n%#v\nwant\n%#v", y.Year, back, y)
		}
		if strings.Count(text, "holiday: ") != len(y.Holidays) {
			t.Fatalf("holidays are not one per line:\n%s", text)
		}
	}
	// No source, no make-up days: both must survive as empty.
	y := Year{Year: 2027, Holidays: []Date{d("2027-01-01"), d("2027-10-01")}}
	back, err := ParseYearFile(strings.NewReader(FormatYearFile(y)))
	if err != nil || !reflect.DeepEqual(back, y) {
		t.Fatalf("minimal year: %#v, %v", back, err)
	}
}

func TestParseYearFileErrors(t *testing.T) {
	// Line 1 is the year, line 2 the statutory 2027-01-01 (a Friday), line
	// 3 2027-10-01 (a Friday); the line under test is line 4.
	const head = "year: 2027\nholiday: 2027-01-01\nholiday: 2027-10-01\n"
	cases := []struct {
		name, text string
		want       []string
	}{
		{"single weekend holiday", head + "holiday: 2027-01-02\n", []string{"第 4 行", "2027-01-02", "星期六"}},
		{"weekday makeup", head + "makeup: 2027-02-10\n", []string{"第 4 行", "星期三", "调休上班日"}},
		{"date outside the year", head + "holiday: 2026-12-31\n", []string{"第 4 行", "不属于 2027 年"}},
		{"range outside the year, reported once", head + "holiday: 2026-12-28..2026-12-31\n", []string{"第 4 行", "不属于 2027 年"}},
		{"duplicate", head + "holiday: 2027-01-01\n", []string{"第 4 行", "与第 2 行重复"}},
		{"overlapping range", head + "holiday: 2027-09-30..2027-10-04\n", []string{"第 4 行", "2027-10-01", "与第 3 行重复"}},
		{"holiday and makeup", head + "makeup: 2027-01-02\nholiday: 2027-01-01..2027-01-03\n", []string{"第 5 行", "与第 2 行重复"}},
		{"bad date", head + "holiday: 2027-2-5\n", []string{"第 4 行", "2027-2-5", "格式不正确"}},
		{"nonexistent date", head + "holiday: 2027-02-29\n", []string{"第 4 行", "不存在"}},
		{"reversed range", head + "holiday: 2027-02-11..2027-02-05\n", []string{"第 4 行", "早于"}},
		{"huge range", head + "holiday: 2027-02-01..2027-12-31\n", []string{"第 4 行", "超过 31 天"}},
		{"makeup range", head + "makeup: 2027-02-06..2027-02-07\n", []string{"第 4 行", "单个日期"}},
		{"unknown key", head + "holidays: 2027-02-08\n", []string{"第 4 行", "holidays"}},
		{"no colon", head + "2027-02-08\n", []string{"第 4 行", "名称: 值"}},
		{"second year line", head + "year: 2028\n", []string{"第 4 行", "year 重复", "第 1 行"}},
		{"second source line", "source: a\n" + head + "source: b\n", []string{"第 5 行", "source 重复"}},
		{"empty source", head + "source:\n", []string{"第 4 行", "source 不能为空"}},
		{"bad year", "# x\nyear: 27\n", []string{"第 2 行", "年份"}},
		{"missing year", "holiday: 2027-01-01\n", []string{"缺少年份行"}},
		{"missing statutory holiday", "year: 2027\nholiday: 2027-01-01\n", []string{"缺少法定假日 2027-10-01", "国庆节"}},
		{"line too long", head + "source: " + strings.Repeat("长", 30000) + "\n", []string{"第 4 行过长"}},
		{"several problems at once", head + "holiday: 2027-01-02\nmakeup: 2027-02-10\n", []string{"第 4 行", "第 5 行"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y, err := ParseYearFile(strings.NewReader(c.text))
			if err == nil {
				t.Fatalf("accepted: %#v", y)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Count(err.Error(), "第 4 行") > 1 {
				t.Errorf("one line reported twice: %q", err)
			}
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("kind %v, want Invalid", apperr.KindOf(err))
			}
		})
	}
}

func FuzzParseYearFile(f *testing.F) {
	for _, y := range Builtin().Years() {
		f.Add(FormatYearFile(y))
	}
	f.Add(notice2026)
	f.Add("year: 2027\nholiday: 2027-01-01\nholiday: 2027-10-01 # 国庆\n")
	f.Add("year: 2027\nholiday: 2027-02-05..2027-02-11\nmakeup: 2027-02-14\n")
	f.Add("year：2100\nsource: #1\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		y, err := ParseYearFile(strings.NewReader(text))
		if err != nil {
			return
		}
		if err := y.Validate(); err != nil {
			t.Fatalf("parsed year does not validate: %v\n%q", err, text)
		}
		back, err := ParseYearFile(strings.NewReader(FormatYearFile(y)))
		if err != nil || !reflect.DeepEqual(back, y) {
			t.Fatalf("round trip: %#v, %v\nwant %#v", back, err, y)
		}
		if _, err := New(y); err != nil {
			t.Fatalf("New rejected a parsed year: %v", err)
		}
	})
}

// benchStarts spreads the starts over 2025 so the benchmark covers holiday
// blocks and the walk into 2026, not one cached path.
func benchStarts() []Date {
	var s []Date
	for x := d("2025-01-01"); x.Year == 2025; x = x.AddDays(1) {
		s = append(s, x)
	}
	return s
}

func BenchmarkAddWorkdays20(b *testing.B) {
	cal, starts := Builtin(), benchStarts()
	i := 0
	for b.Loop() {
		if _, err := cal.AddWorkdays(starts[i%len(starts)], 20); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAddWorkdays20Naive is the day-by-day walk with a map lookup per
// day, kept to show what the index buys.
func BenchmarkAddWorkdays20Naive(b *testing.B) {
	ref, starts := newNaive(), benchStarts()
	i := 0
	for b.Loop() {
		if _, ok := ref.add(starts[i%len(starts)], 20); !ok {
			b.Fatal("reference ran past 2026")
		}
		i++
	}
}

func BenchmarkWorkdaysBetween(b *testing.B) {
	cal, starts := Builtin(), benchStarts()
	to := d("2026-06-30")
	i := 0
	for b.Loop() {
		if _, err := cal.WorkdaysBetween(starts[i%len(starts)], to); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
