package report

import (
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apply"
)

// Table 三 of 2026 from a case set whose expected table is worked out by
// hand below, including carry-over in both directions.
func TestTable3From(t *testing.T) {
	cases := []apply.ReportCase{
		// A: received Dec 2025, replied Jan 2026 → 二 (carried) and （一） in 2026.
		{ID: "A", ApplicantType: apply.ApplicantPerson, ReceivedOn: "2025-12-22", RepliedOn: "2026-01-09", Outcome: "disclosed"},
		// B: received and finished in 2025 → not in 2026 at all.
		{ID: "B", ApplicantType: apply.ApplicantBusiness, ReceivedOn: "2025-11-03", RepliedOn: "2025-11-20", Outcome: "withhold_third_party"},
		// C: new, partly disclosed.
		{ID: "C", ApplicantType: apply.ApplicantPerson, ReceivedOn: "2026-03-02", RepliedOn: "2026-03-20", Outcome: "partial"},
		// D: new and still open at year end → 四.
		{ID: "D", ApplicantType: apply.ApplicantBusiness, ReceivedOn: "2026-12-10"},
		// E: lapsed (逾期不补正), closed on the day recorded → （六）1.
		{ID: "E", ApplicantType: apply.ApplicantPerson, ReceivedOn: "2026-05-06", RepliedOn: "2026-06-01", Outcome: "other_no_correction"},
		// F, G: two outcomes sharing row （四）1.
		{ID: "F", ApplicantType: apply.ApplicantLegal, ReceivedOn: "2026-04-01", RepliedOn: "2026-04-20", Outcome: "unable_other_agency"},
		{ID: "G", ApplicantType: apply.ApplicantBusiness, ReceivedOn: "2026-04-02", RepliedOn: "2026-04-21", Outcome: "unable_not_held"},
		// H: online, never confirmed → not counted.
		{ID: "H", ApplicantType: apply.ApplicantPerson},
		// I: received late Dec 2026, replied Jan 2027 → new, carried forward.
		{ID: "I", ApplicantType: apply.ApplicantPerson, ReceivedOn: "2026-12-28", RepliedOn: "2027-01-05", Outcome: "disclosed"},
		// J: next year's.
		{ID: "J", ApplicantType: apply.ApplicantNonprofit, ReceivedOn: "2027-01-03"},
	}
	got, err := Table3From(cases, 2026)
	if err != nil {
		t.Fatal(err)
	}
	// By hand, columns 自然人 | 商业企业 | 科研 | 公益 | 法律服务 | 其他 | 总计:
	//   一 new:       C E I | D G | – | – | F | – → 3 2 0 0 1 0 6
	//   二 carried:   A     |     |               → 1 0 0 0 0 0 1
	//   （一）:        A     |                     → 1 … 1
	//   （二）:        C                           → 1 … 1
	//   （四）1:           | G |   |   | F         → 0 1 0 0 1 0 2
	//   （六）1:       E                           → 1 … 1
	//   （七）:        3 1 0 0 1 0 5
	//   四 forward:   I     | D                   → 1 1 0 0 0 0 2
	var want Table3
	want[RowNew] = [7]int{3, 2, 0, 0, 1, 0, 6}
	want[RowCarried] = [7]int{1, 0, 0, 0, 0, 0, 1}
	want[RowIndex("（一）")] = [7]int{1, 0, 0, 0, 0, 0, 1}
	want[RowIndex("（二）")] = [7]int{1, 0, 0, 0, 0, 0, 1}
	want[RowIndex("（四）1")] = [7]int{0, 1, 0, 0, 1, 0, 2}
	want[RowIndex("（六）1")] = [7]int{1, 0, 0, 0, 0, 0, 1}
	want[RowTotal] = [7]int{3, 1, 0, 0, 1, 0, 5}
	want[RowForward] = [7]int{1, 1, 0, 0, 0, 0, 2}
	if got != want {
		for r := range got {
			if got[r] != want[r] {
				t.Errorf("row %s: got %v, want %v", Rows3Info()[r].Name(), got[r], want[r])
			}
		}
	}
	if ps := Validate(Tables{T3: got}); len(ps) > 0 {
		t.Errorf("computed table fails: %v", ps)
	}

	// The same cases for 2025: A is new and carried forward, B finished.
	got, _ = Table3From(cases, 2025)
	if got[RowNew] != [7]int{1, 1, 0, 0, 0, 0, 2} || got[RowForward] != [7]int{1, 0, 0, 0, 0, 0, 1} ||
		got[RowIndex("（三）4")] != [7]int{0, 1, 0, 0, 0, 0, 1} {
		t.Errorf("2025: new %v forward %v (三)4 %v", got[RowNew], got[RowForward], got[RowIndex("（三）4")])
	}

	if _, err := Table3From([]apply.ReportCase{{ID: "X", ApplicantType: "martian", ReceivedOn: "2026-01-05"}}, 2026); err == nil ||
		!strings.Contains(err.Error(), "申请人类型") {
		t.Errorf("unknown applicant type: %v", err)
	}
	if _, err := Table3From([]apply.ReportCase{{ID: "Y", ApplicantType: apply.ApplicantPerson, ReceivedOn: "2026-01-05",
		RepliedOn: "2026-01-20", Outcome: "vanished"}}, 2026); err == nil || !strings.Contains(err.Error(), "办理结果") {
		t.Errorf("unknown outcome: %v", err)
	}
}
