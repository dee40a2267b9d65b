package report

import (
	"context"
	"math"
	"sort"
	"time"

	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// Deadline is the day by which an org of kind k must publish its report of
// year (条例第四十九条): departments by 31 January of the next year, the
// government (whose report aggregates them) by 31 March. Streets and towns
// are held to the departments' date, as local rules do. The deadline day
// itself still counts ("1月31日前" includes the 31st). Calendar days: the
// article names dates, not working days.
func Deadline(k org.Kind, year int) workday.Date {
	if k == org.KindDistrict {
		return workday.Date{Year: year + 1, Month: time.March, Day: 31}
	}
	return workday.Date{Year: year + 1, Month: time.January, Day: 31}
}

// daysBetween counts calendar days from from to to (negative when to is
// earlier); both are midnights in China, which has no daylight saving.
func daysBetween(from, to workday.Date) int {
	return int(math.Round(to.Time().Sub(from.Time()).Hours() / 24))
}

// Reminder is an org whose report of the previous year is not published.
type Reminder struct {
	OrgID, OrgName string
	Kind           org.Kind
	Year           int
	Status         string // StatusDraft, or "" when nothing was saved yet
	Deadline       workday.Date
	DaysLeft       int // 0 on the deadline day, negative once it passed
}

// Overdue reports whether the deadline has passed.
func (r Reminder) Overdue() bool { return r.DaysLeft < 0 }

// Reminders lists, among orgIDs, the orgs that publish annual reports and
// have not published the one for the year before today's, with the
// statutory deadline and the days left (negative: overdue), most urgent
// first. The supervision dashboard calls it with the supervisor's scope.
func (s *Service) Reminders(ctx context.Context, orgIDs []string, today workday.Date) ([]Reminder, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	year := today.Year - 1
	want := map[string]bool{}
	for _, id := range orgIDs {
		want[id] = true
	}
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	status := map[string]string{}
	rows, err := s.DB.R.QueryContext(ctx, "SELECT org_id, status FROM annual_reports WHERE year = $1", year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		status[id] = st
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Reminder
	for _, o := range all {
		if !want[o.ID] || !Reportable(o.Kind) || status[o.ID] == StatusPublished {
			continue
		}
		d := Deadline(o.Kind, year)
		out = append(out, Reminder{OrgID: o.ID, OrgName: o.Name, Kind: o.Kind, Year: year, Status: status[o.ID],
			Deadline: d, DaysLeft: daysBetween(today, d)})
	}
	// Tree order within a deadline: the list reads like the org chart.
	sort.SliceStable(out, func(i, j int) bool { return out[i].DaysLeft < out[j].DaysLeft })
	return out, nil
}
