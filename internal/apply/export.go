package apply

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/workday"
)

// ExportRow is one case in an export for a period: what supervision and
// the annual report need, and nothing that identifies the applicant (no
// name, identity document or contact), so the file can circulate among
// the offices that check the work.
type ExportRow struct {
	TrackingNo     string `json:"tracking_no"`
	OrgID          string `json:"org_id"`
	Channel        string `json:"channel"`
	ApplicantType  string `json:"applicant_type"`
	SubmittedOn    string `json:"submitted_on"`
	ReceivedOn     string `json:"received_on"`
	Status         string `json:"status"`
	ClockState     string `json:"clock_state"`
	Due            string `json:"due"`
	Overdue        bool   `json:"overdue"`
	ExtensionDays  int    `json:"extension_days"`
	PausedWorkdays int    `json:"paused_workdays"`
	RepliedOn      string `json:"replied_on"`
	Late           bool   `json:"late"`
	Outcome        string `json:"outcome"`
	ReportRow      string `json:"report_row"`
	OutcomeGroup   string `json:"outcome_group"`
	FeeAmountFen   int64  `json:"fee_amount_fen"`
	DeliveredOn    string `json:"delivered_on"`
	DeliveryMethod string `json:"delivery_method"`
	ArchivedOn     string `json:"archived_on"`
	Letters        int    `json:"letters"`
	Remedies       int    `json:"remedies"`
	ClockError     string `json:"clock_error,omitempty"`
}

// MaxExportDays bounds one export's period.
const MaxExportDays = 3 * 366

// ParsePeriod checks an export period: both dates, from ≤ to, at most
// MaxExportDays long. Errors name the field.
func ParsePeriod(from, to string) (workday.Date, workday.Date, error) {
	var fs apperr.Fields
	f, err1 := workday.ParseDate(strings.TrimSpace(from))
	t, err2 := workday.ParseDate(strings.TrimSpace(to))
	if err1 != nil {
		fs.Add("from", "起始日期应为 YYYY-MM-DD 格式")
	}
	if err2 != nil {
		fs.Add("to", "截止日期应为 YYYY-MM-DD 格式")
	}
	if err1 == nil && err2 == nil {
		if t.Before(f) {
			fs.Add("to", "截止日期不能早于起始日期")
		} else if f.AddDays(MaxExportDays).Before(t) {
			fs.Add("to", fmt.Sprintf("一次最多导出 %d 天", MaxExportDays))
		}
	}
	return f, t, fs.Err()
}

// Export lists the cases of orgIDs received (or, not yet confirmed,
// submitted) in [from, to], oldest first, with their clocks as of today.
// Callers decide the orgs: the web from the user's scope, the CLI from its
// flag.
func (s *Service) Export(ctx context.Context, orgIDs []string, from, to workday.Date) ([]ExportRow, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	args := []any{from.String(), to.String()}
	var ph []string
	for _, id := range orgIDs {
		args = append(args, id)
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	ids, err := db.QueryStrings(ctx, s.DB.R, `SELECT id FROM apply_cases
		WHERE CASE WHEN received_on <> '' THEN received_on ELSE submitted_on END BETWEEN $1 AND $2
		AND org_id IN (`+strings.Join(ph, ",")+`) ORDER BY CASE WHEN received_on <> '' THEN received_on ELSE submitted_on END, created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	today := workday.DateOf(s.now())
	out := make([]ExportRow, 0, len(ids))
	for _, id := range ids {
		c, err := s.load(ctx, s.DB.R, id)
		if err != nil {
			return nil, err
		}
		r := ExportRow{TrackingNo: c.TrackingNo, OrgID: c.OrgID, Channel: c.Channel, ApplicantType: c.ApplicantType,
			SubmittedOn: c.SubmittedOn, ReceivedOn: c.ReceivedOn, Status: c.Status, RepliedOn: c.RepliedOn, Outcome: c.Outcome,
			DeliveredOn: c.Delivered.On, DeliveryMethod: c.Delivered.Method, ArchivedOn: c.ArchivedOn}
		if o, ok := OutcomeByCode(c.Outcome); ok {
			r.ReportRow, r.OutcomeGroup = o.Row, o.Group
		}
		for _, e := range c.Events {
			switch e.Kind {
			case EvExtension:
				r.ExtensionDays += e.Days
			case EvFeeNotice:
				r.FeeAmountFen += e.FeeAmount
			}
		}
		if c.ReceivedOn != "" {
			clock, err := Compute(cal, s.rules(), clockEvents(c.Events), today)
			if err != nil {
				r.ClockError = err.Error()
			} else {
				r.ClockState, r.Overdue, r.Late = clock.State, clock.Overdue, clock.Late
				if clock.Due != (workday.Date{}) {
					r.Due = clock.Due.String()
				}
				for _, p := range clock.Pauses {
					r.PausedWorkdays += p.Days
				}
			}
		}
		if err := s.DB.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM apply_letters WHERE case_id = $1),
			(SELECT COUNT(*) FROM apply_remedies WHERE case_id = $1)`, c.ID).Scan(&r.Letters, &r.Remedies); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// exportHeader is the CSV header, in Chinese for the staff who open it in
// Excel or WPS; codes stay codes so the file can be re-read by programs.
var exportHeader = []string{"查询号", "机构", "申请渠道", "申请人类型", "提交日期", "收到申请之日", "状态", "期限状态", "答复期限",
	"是否超期", "延期工作日", "暂停工作日", "答复日期", "是否逾期答复", "答复结果代码", "年报表三行次", "答复类别", "信息处理费（元）",
	"送达日期", "送达方式", "归档日期", "文书数", "复议诉讼数", "期限计算问题"}

// WriteCSV writes rows as CSV with a UTF-8 byte order mark (Excel needs it
// to read Chinese); orgName turns org ids into names.
func WriteCSV(w io.Writer, rows []ExportRow, orgName func(string) string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(exportHeader); err != nil {
		return err
	}
	yn := func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	}
	for _, r := range rows {
		rec := []string{r.TrackingNo, orgName(r.OrgID), channelLabel(r.Channel), label(ApplicantTypes, r.ApplicantType), r.SubmittedOn,
			r.ReceivedOn, StatusLabels[r.Status], ClockStateLabels[r.ClockState], r.Due, yn(r.Overdue), strconv.Itoa(r.ExtensionDays),
			strconv.Itoa(r.PausedWorkdays), r.RepliedOn, yn(r.Late), r.Outcome, r.ReportRow, GroupLabels[r.OutcomeGroup],
			fmt.Sprintf("%d.%02d", r.FeeAmountFen/100, r.FeeAmountFen%100), r.DeliveredOn, r.DeliveryMethod, r.ArchivedOn,
			strconv.Itoa(r.Letters), strconv.Itoa(r.Remedies), r.ClockError}
		for i, v := range rec {
			rec[i] = csvSafe(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// WriteJSON writes rows as a JSON document with the period.
func WriteJSON(w io.Writer, rows []ExportRow, from, to workday.Date) error {
	if rows == nil {
		rows = []ExportRow{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"from": from.String(), "to": to.String(), "count": len(rows), "cases": rows})
}
