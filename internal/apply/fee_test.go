package apply

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apperr"
)

const yuanFen = 100 // 分

// refItemPrice is rules.md §2's per-item rule written independently of the
// schedule: the k-th item in the month.
func refItemPrice(k int) int64 {
	switch {
	case k <= 10:
		return 0
	case k <= 30:
		return 100 * yuanFen
	}
	return (100 + 100*int64((k-30+9)/10)) * yuanFen
}

// refVolumeFee is rules.md §2's per-volume formula.
func refVolumeFee(p int) int64 {
	clamp := func(x, lo, hi int) int { return max(lo, min(x, hi)) }
	return int64(10*clamp(p-30, 0, 70)+20*clamp(p-100, 0, 100)+40*max(p-200, 0)) * yuanFen
}

func TestFeePerItemBands(t *testing.T) {
	s := DefaultFeeSchedule()
	for _, c := range []struct {
		prior, n int
		yuanFen  int64
	}{
		{0, 1, 0},
		{0, 10, 0},
		{0, 11, 100},
		{0, 30, 2_000},
		{0, 31, 2_200},
		{0, 40, 4_000},
		{0, 41, 4_300},
		{0, 45, 5_500}, // the rules.md example
		{0, 60, 2_000 + 2_000 + 3_000 + 4_000},
		{9, 3, 200},        // items 10, 11, 12
		{29, 2, 100 + 200}, // items 30, 31
		{10, 1, 100},       // item 11
		{30, 10, 2_000},    // items 31–40
		{40, 1, 300},       // item 41
		{100, 1, 900},      // item 101: 100 + 100 × ceil(71/10)
		{95, 10, 5*800 + 5*900},
	} {
		f, err := s.PerItem(c.prior, c.n)
		if err != nil {
			t.Fatalf("PerItem(%d, %d): %v", c.prior, c.n, err)
		}
		if f.Amount != c.yuanFen*yuanFen || f.Method != FeePerItem || f.Units != c.n {
			t.Errorf("PerItem(%d, %d) = %s %s %d, want %s", c.prior, c.n, f.Method, FormatYuan(f.Amount), f.Units, FormatYuan(c.yuanFen*yuanFen))
		}
		var want int64
		for k := c.prior + 1; k <= c.prior+c.n; k++ {
			want += refItemPrice(k)
		}
		if f.Amount != want {
			t.Errorf("PerItem(%d, %d) = %s, the closed form says %s", c.prior, c.n, FormatYuan(f.Amount), FormatYuan(want))
		}
	}
}

func TestFeePerVolumeBands(t *testing.T) {
	s := DefaultFeeSchedule()
	for _, c := range []struct {
		pages   int
		yuanFen int64
	}{
		{1, 0}, {30, 0}, {31, 10}, {100, 700}, {101, 720}, {200, 2_700}, {201, 2_740}, {250, 4_700},
	} {
		f, err := s.PerVolume(c.pages)
		if err != nil {
			t.Fatalf("PerVolume(%d): %v", c.pages, err)
		}
		if f.Amount != c.yuanFen*yuanFen || f.Method != FeePerVolume || f.Units != c.pages {
			t.Errorf("PerVolume(%d) = %s, want %s", c.pages, FormatYuan(f.Amount), FormatYuan(c.yuanFen*yuanFen))
		}
	}
	for p := 1; p <= 1000; p++ {
		f, err := s.PerVolume(p)
		if err != nil || f.Amount != refVolumeFee(p) {
			t.Fatalf("PerVolume(%d) = %s, %v; formula %s", p, FormatYuan(f.Amount), err, FormatYuan(refVolumeFee(p)))
		}
	}
}

func TestFeeLinesAndExplain(t *testing.T) {
	s := DefaultFeeSchedule()
	f, err := s.PerItem(0, 45)
	if err != nil {
		t.Fatal(err)
	}
	want := []FeeLine{
		{From: 1, To: 10, Units: 10, UnitPrice: 0, Subtotal: 0},
		{From: 11, To: 30, Units: 20, UnitPrice: 100 * yuanFen, Subtotal: 2_000 * yuanFen},
		{From: 31, To: 40, Units: 10, UnitPrice: 200 * yuanFen, Subtotal: 2_000 * yuanFen},
		{From: 41, To: 45, Units: 5, UnitPrice: 300 * yuanFen, Subtotal: 1_500 * yuanFen},
	}
	if !reflect.DeepEqual(f.Lines, want) {
		t.Fatalf("Lines = %+v", f.Lines)
	}
	wantText := "本月累计第1—10件：10件，免费\n" +
		"本月累计第11—30件：20件 × 100.00元 = 2,000.00元\n" +
		"本月累计第31—40件：10件 × 200.00元 = 2,000.00元\n" +
		"本月累计第41—45件：5件 × 300.00元 = 1,500.00元\n" +
		"合计（按件计收）：本次45件，5,500.00元"
	if got := f.Explain(); got != wantText {
		t.Errorf("Explain =\n%s\nwant\n%s", got, wantText)
	}

	f, _ = s.PerItem(9, 3)
	wantText = "本月累计第10件：1件，免费\n" +
		"本月累计第11—12件：2件 × 100.00元 = 200.00元\n" +
		"合计（按件计收）：本次3件（本月此前已申请9件），200.00元"
	if got := f.Explain(); got != wantText {
		t.Errorf("Explain =\n%s\nwant\n%s", got, wantText)
	}

	f, _ = s.PerVolume(250)
	if len(f.Lines) != 4 || f.Lines[3] != (FeeLine{From: 201, To: 250, Units: 50, UnitPrice: 40 * yuanFen, Subtotal: 2_000 * yuanFen}) {
		t.Fatalf("Lines = %+v", f.Lines)
	}
	wantText = "第1—30页：30页，免费\n" +
		"第31—100页：70页 × 10.00元 = 700.00元\n" +
		"第101—200页：100页 × 20.00元 = 2,000.00元\n" +
		"第201—250页：50页 × 40.00元 = 2,000.00元\n" +
		"合计（按量计收）：本次250页，4,700.00元"
	if got := f.Explain(); got != wantText {
		t.Errorf("Explain =\n%s\nwant\n%s", got, wantText)
	}

	f, _ = s.PerVolume(12)
	if got := f.Explain(); got != "第1—12页：12页，免费\n合计（按量计收）：本次12页，0.00元" {
		t.Errorf("Explain = %q", got)
	}
	if got := (Fee{}).Explain(); got != "不收取信息处理费。" {
		t.Errorf("zero Fee Explain = %q", got)
	}
}

func TestFeeInvalidInput(t *testing.T) {
	s := DefaultFeeSchedule()
	for _, c := range []struct {
		name  string
		call  func() (Fee, error)
		field string
		words string
	}{
		{"zero pages", func() (Fee, error) { return s.PerVolume(0) }, "pages", "页数"},
		{"negative pages", func() (Fee, error) { return s.PerVolume(-3) }, "pages", "页数"},
		{"absurd pages", func() (Fee, error) { return s.PerVolume(MaxFeeUnits + 1) }, "pages", "1000000"},
		{"zero items", func() (Fee, error) { return s.PerItem(0, 0) }, "items", "申请件数"},
		{"negative items", func() (Fee, error) { return s.PerItem(3, -1) }, "items", "申请件数"},
		{"negative prior", func() (Fee, error) { return s.PerItem(-1, 1) }, "prior_in_month", "已申请件数"},
		{"absurd items", func() (Fee, error) { return s.PerItem(0, MaxFeeUnits+1) }, "items", "1000000"},
		{"absurd month", func() (Fee, error) { return s.PerItem(MaxFeeUnits, 1) }, "items", "累计"},
		{"huge prior", func() (Fee, error) { return s.PerItem(int(^uint(0)>>1), 1) }, "items", "累计"},
	} {
		_, err := c.call()
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != c.field || !strings.Contains(e.Message, c.words) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	if f, err := s.PerVolume(MaxFeeUnits); err != nil || f.Amount != refVolumeFee(MaxFeeUnits) {
		t.Errorf("PerVolume(max) = %v, %v", f.Amount, err)
	}
	if _, err := s.PerItem(MaxFeeUnits-1, 1); err != nil {
		t.Errorf("PerItem at the limit: %v", err)
	}
	if _, err := (FeeSchedule{}).PerItem(0, 1); apperr.KindOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "至少需要一档") {
		t.Errorf("zero schedule: %v", err)
	}
}

func TestFeeCustomSchedule(t *testing.T) {
	// A site that reads 第三条 as "31 件以上一律 200 元" and charges per page
	// from the first page, with a 5 分 step.
	s := FeeSchedule{
		Items: FeeBands{Bands: []FeeBand{{1, 10, 0}, {11, 30, 100 * yuanFen}, {31, 0, 200 * yuanFen}}},
		Pages: FeeBands{Bands: []FeeBand{{1, 0, 50}}, StepEvery: 100, StepAdd: 5},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	f, err := s.PerItem(0, 60)
	if err != nil || f.Amount != (2_000+30*200)*yuanFen || len(f.Lines) != 3 {
		t.Fatalf("PerItem(0, 60) = %+v, %v", f, err)
	}
	f, err = s.PerVolume(250)
	if err != nil || f.Amount != 100*50+100*55+50*60 || len(f.Lines) != 3 || f.Lines[2].From != 201 || f.Lines[2].UnitPrice != 60 {
		t.Fatalf("PerVolume(250) = %+v, %v", f, err)
	}

	back, err := ParseFeeSchedule(s.String())
	if err != nil || !reflect.DeepEqual(back, s) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	def, err := ParseFeeSchedule("  ")
	if err != nil || !reflect.DeepEqual(def, DefaultFeeSchedule()) {
		t.Fatalf("empty setting: %+v, %v", def, err)
	}
	if back, err := ParseFeeSchedule(DefaultFeeSchedule().String()); err != nil || !reflect.DeepEqual(back, DefaultFeeSchedule()) {
		t.Fatalf("default round trip: %+v, %v", back, err)
	}
	if !strings.Contains(DefaultFeeSchedule().String(), `"price_fen":10000`) {
		t.Errorf("String = %s", DefaultFeeSchedule().String())
	}
	for _, bad := range []string{`{`, `{"per_item":{"bands":[]},"extra":1}`, `[]`, DefaultFeeSchedule().String() + `{}`} {
		_, err := ParseFeeSchedule(bad)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid || e.Fields[0].Field != "fee_schedule" || strings.Contains(e.Message, "json") {
			t.Errorf("ParseFeeSchedule(%q) = %v", bad, err)
		}
	}
	// Well-formed JSON that breaks the rules reports the rules.
	if _, err := ParseFeeSchedule(`{"per_item":{"bands":[{"from":1,"to":0,"price_fen":0}]},"per_volume":{"bands":[{"from":2,"to":0,"price_fen":0}]}}`); err == nil ||
		!strings.Contains(err.Error(), "按量计收第1档：起始页数应为1") {
		t.Errorf("invalid schedule accepted: %v", err)
	}
}

func TestFeeScheduleValidate(t *testing.T) {
	if err := DefaultFeeSchedule().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*FeeSchedule)
		field string
		want  string
	}{
		{"gap", func(s *FeeSchedule) { s.Items.Bands[1].From = 12 }, "per_item", "按件计收第2档：起始件数应为11（与第1档之间有空缺）"},
		{"overlap", func(s *FeeSchedule) { s.Items.Bands[1].From = 10 }, "per_item", "按件计收第2档：起始件数应为11（与第1档重叠）"},
		{"not from 1", func(s *FeeSchedule) { s.Pages.Bands[0].From = 0 }, "per_volume", "按量计收第1档：起始页数应为1"},
		{"page overlap", func(s *FeeSchedule) { s.Pages.Bands[2].From = 100 }, "per_volume", "按量计收第3档：起始页数应为101（与第2档重叠）"},
		{"negative price", func(s *FeeSchedule) { s.Pages.Bands[0].Price = -1 }, "per_volume", "按量计收第1档：单价不能为负数"},
		{"decreasing", func(s *FeeSchedule) { s.Pages.Bands[3].Price = 15 * yuanFen }, "per_volume", "按量计收第4档：单价不应低于第3档（20.00元）"},
		{"absurd price", func(s *FeeSchedule) { s.Items.Bands[2].Price = maxUnitPrice + 1 }, "per_item", "按件计收第3档：单价不能超过1,000,000.00元"},
		{"closed last band", func(s *FeeSchedule) { s.Items.Bands[2].To = 99 }, "per_item", "按件计收第3档：最后一档不应设截止件数"},
		{"open middle band", func(s *FeeSchedule) { s.Pages.Bands[1].To = 0 }, "per_volume", "按量计收第2档：只有最后一档可以不设截止页数"},
		{"backwards band", func(s *FeeSchedule) { s.Items.Bands[1].To = 5 }, "per_item", "按件计收第2档：截止件数（5）不能小于起始件数（11）"},
		{"half a step", func(s *FeeSchedule) { s.Items.StepAdd = 0 }, "per_item", "按件计收：递增规则需同时填写"},
		{"negative step", func(s *FeeSchedule) { s.Items.StepEvery = -10 }, "per_item", "按件计收：递增的件数和金额不能为负数"},
		{"huge step", func(s *FeeSchedule) { s.Items.StepEvery = MaxFeeUnits + 1 }, "per_item", "按件计收：递增间隔不能超过"},
		{"no bands", func(s *FeeSchedule) { s.Pages.Bands = nil }, "per_volume", "按量计收：至少需要一档"},
	} {
		s := DefaultFeeSchedule()
		c.edit(&s)
		err := s.Validate()
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid {
			t.Errorf("%s: err = %v", c.name, err)
			continue
		}
		found := false
		for _, f := range e.Fields {
			found = found || f.Field == c.field && strings.HasPrefix(f.Message, c.want)
		}
		if !found {
			t.Errorf("%s: %v lacks %s: %s", c.name, err, c.field, c.want)
		}
		if _, err := s.PerItem(0, 50); err == nil {
			t.Errorf("%s: an invalid schedule still prices", c.name)
		}
	}
	// A later band equal to an earlier one is allowed (non-decreasing).
	s := DefaultFeeSchedule()
	s.Pages.Bands[2].Price = s.Pages.Bands[1].Price
	if err := s.Validate(); err != nil {
		t.Errorf("equal prices rejected: %v", err)
	}
}

func TestFeeOverflowIsAnError(t *testing.T) {
	s := DefaultFeeSchedule()
	s.Items = FeeBands{Bands: []FeeBand{{1, 0, maxUnitPrice}}, StepEvery: 1, StepAdd: maxUnitPrice}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PerItem(0, MaxFeeUnits); apperr.KindOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "金额过大") {
		t.Errorf("overflow: %v", err)
	}
}

func TestFeeProperties(t *testing.T) {
	s := DefaultFeeSchedule()
	r := rand.New(rand.NewPCG(2020, 109))
	for range 300 {
		prior, n := r.IntN(120), 1+r.IntN(80)
		if r.IntN(10) == 0 {
			prior = r.IntN(MaxFeeUnits - 100)
		}
		f, err := s.PerItem(prior, n)
		if err != nil {
			t.Fatal(err)
		}
		var sum, lineSum int64
		for i := range n {
			one, err := s.PerItem(prior+i, 1)
			if err != nil {
				t.Fatal(err)
			}
			sum += one.Amount
		}
		next, units := prior+1, 0
		for _, l := range f.Lines {
			if l.From != next || l.To < l.From || l.Units != l.To-l.From+1 || l.Subtotal != l.UnitPrice*int64(l.Units) {
				t.Fatalf("PerItem(%d, %d): bad line %+v", prior, n, l)
			}
			next, units, lineSum = l.To+1, units+l.Units, lineSum+l.Subtotal
		}
		if f.Amount != sum || f.Amount != lineSum || units != n || next != prior+n+1 {
			t.Fatalf("PerItem(%d, %d) = %d; one by one %d; lines %d over %d units", prior, n, f.Amount, sum, lineSum, units)
		}
		more, err := s.PerItem(prior, n+1)
		if err != nil || more.Amount < f.Amount {
			t.Fatalf("PerItem(%d, %d) = %d > PerItem(%d, %d) = %d", prior, n, f.Amount, prior, n+1, more.Amount)
		}
		later, err := s.PerItem(prior+1, n)
		if err != nil || later.Amount < f.Amount {
			t.Fatalf("a later start is cheaper: PerItem(%d, %d)", prior+1, n)
		}
	}
	prev := int64(-1)
	for p := 1; p <= 600; p++ {
		f, _ := s.PerVolume(p)
		if f.Amount < prev {
			t.Fatalf("PerVolume(%d) = %d < PerVolume(%d)", p, f.Amount, p-1)
		}
		prev = f.Amount
	}
}

func TestFormatYuan(t *testing.T) {
	for fen, want := range map[int64]string{
		0:                    "0.00元",
		5:                    "0.05元",
		100:                  "1.00元",
		99999:                "999.99元",
		100000:               "1,000.00元",
		550000:               "5,500.00元",
		123456789:            "1,234,567.89元",
		-470000:              "-4,700.00元",
		-5:                   "-0.05元",
		9223372036854775807:  "92,233,720,368,547,758.07元",
		-9223372036854775808: "-92,233,720,368,547,758.08元",
	} {
		if got := FormatYuan(fen); got != want {
			t.Errorf("FormatYuan(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestFeeMethodLabels(t *testing.T) {
	if FeePerItem.Label() != "按件计收" || FeePerVolume.Label() != "按量计收" || FeeNone.Label() != "不收费" || len(FeeMethods) != 2 {
		t.Fatal("labels")
	}
}
