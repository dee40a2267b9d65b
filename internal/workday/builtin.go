package workday

import "sync"

// The tables are copied verbatim from rules.md §9.4 (checked there against the
// State Council notices and awfe/ChinaWorkingDay) so that a reviewer can diff
// them by eye; the tests re-derive them from the §9.2/§9.3 holiday ranges.
var builtinYears = []struct {
	year             int
	source           string
	holidays, makeup []string
}{
	{
		2025, "国办发明电〔2024〕12号",
		[]string{"2025-01-01", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03", "2025-02-04", "2025-04-04", "2025-05-01", "2025-05-02", "2025-05-05", "2025-06-02", "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08"},
		[]string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
	},
	{
		// rules.md could not verify the 文号 of the 2026 notice; citing the
		// notice by title and date avoids inventing one.
		2026, "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
		[]string{"2026-01-01", "2026-01-02", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23", "2026-04-06", "2026-05-01", "2026-05-04", "2026-05-05", "2026-06-19", "2026-09-25", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"},
		[]string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
	},
}

var builtin = sync.OnceValue(func() *Calendar {
	var years []Year
	for _, b := range builtinYears {
		years = append(years, Year{Year: b.year, Holidays: mustDates(b.holidays), Makeup: mustDates(b.makeup), Source: b.source})
	}
	c, err := New(years...)
	if err != nil {
		panic("workday: builtin calendar: " + err.Error())
	}
	return c
})

func mustDates(ss []string) []Date {
	ds := make([]Date, len(ss))
	for i, s := range ss {
		d, err := ParseDate(s)
		if err != nil {
			panic("workday: builtin calendar: " + err.Error())
		}
		ds[i] = d
	}
	return ds
}
