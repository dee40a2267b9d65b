// Package workday owns the Chinese official working-day calendar and the
// statutory deadline arithmetic built on it: which dates are 工作日 under the
// State Council's yearly 放假调休 arrangement, "N 个工作日" counted from a
// date, and the working-day lag between two dates. It also owns the small
// text format in which administrators enter each new year's arrangement.
//
// A working day is Monday–Friday, minus the official holidays that fall on
// weekdays, plus the weekend make-up days (调休上班). Because the arrangement
// is announced one year at a time, the calendar refuses (ErrNoCalendar) to
// answer for any year it has not been given rather than fall back to
// Monday–Friday: a guessed deadline is worse than none.
package workday

import (
	"fmt"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
)

// cst is fixed rather than loaded from tzdata so that DateOf never depends on
// the host's zoneinfo; China has had no daylight saving time since 1991.
var cst = time.FixedZone("CST", 8*60*60)

// Date is a calendar date without time zone ambiguity.
//
// Dates compare with == once normalized; every Date this package returns is
// normalized (a real day of a real month).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate accepts only "2006-01-02": deadlines are legal facts, so a
// lenient parser that read "2026-1-2" or "2026/01/02" differently from what
// the user meant is not worth the convenience.
func ParseDate(s string) (Date, error) {
	if len(s) != len("2006-01-02") {
		return Date{}, badDate(s)
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		// time.Parse also rejects 2026-02-30; say so plainly instead of
		// calling a well-formed but nonexistent date malformed.
		if digitsAt(s) {
			return Date{}, apperr.New(apperr.Invalid, fmt.Sprintf("日期 %q 不存在", s))
		}
		return Date{}, badDate(s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

func badDate(s string) error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("日期 %q 格式不正确，应为 YYYY-MM-DD（例如 2026-10-22）", s))
}

// digitsAt reports whether s has the shape NNNN-NN-NN.
func digitsAt(s string) bool {
	for i := 0; i < len(s); i++ {
		if i == 4 || i == 7 {
			if s[i] != '-' {
				return false
			}
		} else if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Chinese is the form used in notices and replies to applicants.
func (d Date) Chinese() string { return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day) }

func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

func (d Date) AddDays(n int) Date {
	return fromTime(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

func (d Date) Before(o Date) bool { return d.norm().cmp(o.norm()) < 0 }
func (d Date) After(o Date) bool  { return d.norm().cmp(o.norm()) > 0 }
func (d Date) Equal(o Date) bool  { return d.norm() == o.norm() }

// DateOf takes the date in China Standard Time because a disclosure deadline
// runs on Beijing dates whatever zone a server or a stored timestamp uses.
func DateOf(t time.Time) Date { return fromTime(t.In(cst)) }

// Time is midnight CST, the start of the day the deadline rules speak of.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, cst) }

// utc is for arithmetic only: UTC has no offset changes to trip over.
func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func fromTime(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

func (d Date) cmp(o Date) int {
	switch {
	case d.Year != o.Year:
		return sign(d.Year - o.Year)
	case d.Month != o.Month:
		return sign(int(d.Month - o.Month))
	}
	return sign(d.Day - o.Day)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// valid avoids a time.Date round trip on the hot path: almost every Date
// reaching the calendar came from ParseDate or this package and is already
// a real day.
func (d Date) valid() bool {
	return d.Month >= time.January && d.Month <= time.December && d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// norm lets hand-built Dates such as {2026, 2, 30} mean what time.Date would
// make of them instead of indexing past the end of a year.
func (d Date) norm() Date {
	if d.valid() {
		return d
	}
	return fromTime(d.utc())
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

var monthDays = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
var daysBefore = [13]int{0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}

func daysIn(y int, m time.Month) int {
	if m == time.February && isLeap(y) {
		return 29
	}
	return monthDays[m]
}

func daysInYear(y int) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

// yearDay is 1-based; d must be valid.
func yearDay(d Date) int {
	n := daysBefore[d.Month] + d.Day
	if d.Month > time.February && isLeap(d.Year) {
		n++
	}
	return n
}

var weekdayNames = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

func isWeekend(w time.Weekday) bool { return w == time.Saturday || w == time.Sunday }
