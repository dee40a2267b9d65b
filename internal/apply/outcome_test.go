package apply

import (
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/workday"
)

// The outcome rows are exactly table 三's 21 leaf rows above （七）总计, in
// order, with the 2021 format's labels (rules.md §3.2).
func TestOutcomesCoverTableThree(t *testing.T) {
	want := []string{"（一）", "（二）", "（三）1", "（三）2", "（三）3", "（三）4", "（三）5", "（三）6", "（三）7", "（三）8",
		"（四）1", "（四）2", "（四）3", "（五）1", "（五）2", "（五）3", "（五）4", "（五）5", "（六）1", "（六）2", "（六）3"}
	if got := ReportRows(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("rows %v", got)
	}
	labels := map[string]string{}
	codes := map[string]bool{}
	for _, o := range Outcomes {
		if codes[o.Code] {
			t.Errorf("duplicate outcome %s", o.Code)
		}
		codes[o.Code] = true
		if l, ok := labels[o.Row]; ok && l != o.Label {
			t.Errorf("row %s has two labels: %q, %q", o.Row, l, o.Label)
		}
		labels[o.Row] = o.Label
		if GroupLabels[o.Group] == "" {
			t.Errorf("%s: unknown group %q", o.Code, o.Group)
		}
		if o.Basis == "" && o.Code != "other" {
			t.Errorf("%s: no legal basis", o.Code)
		}
	}
	for row, label := range map[string]string{"（二）": "部分公开（区分处理的，只计这一情形，不计其他情形）", "（三）3": "危及“三安全一稳定”",
		"（五）5": "要求行政机关确认或重新出具已获取信息", "（六）2": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"} {
		if labels[row] != label {
			t.Errorf("row %s label %q", row, labels[row])
		}
	}
	if o, ok := OutcomeByCode("withhold_third_party"); !ok || o.Row != "（三）4" {
		t.Errorf("lookup: %+v", o)
	}
	if len(ApplicantTypes) != 6 || ApplicantTypes[0].Label != "自然人" || ApplicantTypes[5].Label != "其他" {
		t.Errorf("applicant columns %v", ApplicantTypes)
	}
}

func TestReceiptDate(t *testing.T) {
	sub, sig, conf := d("2026-03-02"), d("2026-03-04"), d("2026-03-05")
	for ch, want := range map[string]workday.Date{ChannelInPerson: sub, ChannelRegisteredMail: sig, ChannelOrdinaryLetter: conf,
		ChannelOnline: conf, ChannelFax: conf, ChannelPhoneAssisted: conf} {
		if got, err := ReceiptDate(ch, sub, sig, conf); err != nil || got != want {
			t.Errorf("%s: %s %v, want %s", ch, got, err, want)
		}
	}
	_, err := ReceiptDate(ChannelRegisteredMail, sub, workday.Date{}, conf)
	if e, ok := apperr.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "signed_on" {
		t.Errorf("registered mail without signing day: %v", err)
	}
	_, err = ReceiptDate(ChannelOnline, sub, sig, workday.Date{})
	if e, ok := apperr.As(err); !ok || e.Fields[0].Field != "confirmed_on" {
		t.Errorf("online without confirmation: %v", err)
	}
	if _, err := ReceiptDate("pigeon", sub, sig, conf); err == nil || !strings.Contains(err.Error(), "未知的申请渠道") {
		t.Errorf("unknown channel: %v", err)
	}
}
