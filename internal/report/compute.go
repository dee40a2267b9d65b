package report

import (
	"fmt"

	"gongkai.dev/gongkai/internal/apply"
)

// Table3From counts table 三 of year from cases (apply.ReportCases):
//
//   - A case counts when it was received (received_on; an online
//     application not yet confirmed has none and is not counted) on or
//     before 31 December and was not finished before 1 January.
//   - 一 本年新收: received in the year; 二 上年结转: received earlier.
//   - 三 the outcome rows: finished in the year — replied_on in the year,
//     which for the two 视为放弃 outcomes is the day the lapse was recorded
//     — in the row of its outcome (apply.Outcomes maps each outcome to
//     exactly one row; 第三十六条第（一）、（二）项 share （一）, 第（四）、
//     （五）项 share （四）1).
//   - 四 结转下年度: not finished by 31 December.
//
// Columns are the applicant types. So for each column 一+二 = 三（七）+四
// holds by construction: every counted case is new or carried, and finished
// or carried forward. Cases outside the year's window are ignored; an
// unknown applicant type or outcome is an error, never a silent zero.
func Table3From(cases []apply.ReportCase, year int) (Table3, error) {
	var t Table3
	from, to := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	outcomeRow := map[string]int{}
	for i, code := range apply.ReportRows() {
		outcomeRow[code] = rowFirstOutcome + i
	}
	for _, c := range cases {
		if c.ReceivedOn == "" || c.ReceivedOn > to || (c.RepliedOn != "" && c.RepliedOn < from) {
			continue
		}
		col := -1
		for i, at := range apply.ApplicantTypes {
			if at.Code == c.ApplicantType {
				col = i
			}
		}
		if col < 0 {
			return Table3{}, fmt.Errorf("申请 %s 的申请人类型 %q 不在年报表三的列中", c.ID, c.ApplicantType)
		}
		if c.ReceivedOn >= from {
			t[RowNew][col]++
		} else {
			t[RowCarried][col]++
		}
		if c.RepliedOn == "" || c.RepliedOn > to {
			t[RowForward][col]++
			continue
		}
		o, ok := apply.OutcomeByCode(c.Outcome)
		if !ok {
			return Table3{}, fmt.Errorf("申请 %s 已于 %s 办结，但办理结果 %q 不在年报表三的行中", c.ID, c.RepliedOn, c.Outcome)
		}
		t[outcomeRow[o.Row]][col]++
	}
	t.complete()
	return t, nil
}
