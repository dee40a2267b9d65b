// 信息处理费 (information processing fee) calculators.
//
// Source: 《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号, 第三条—第五条.
// Fees are computed either per item (按件计收: the applicant's cumulative
// applications in one calendar month) or per volume (按量计收: pages in one
// application), both excess-progressive (超额累进); one application uses one
// method, never both, which is why a Fee carries a single Method.
//
// The band tables are marked [部分核实]/[解释] in rules.md §2: the reading of
// the 31st-item-onwards rule (100 元 more for every further 10 items) and how
// pages are counted were not verified against an official worked example, so
// they live in a FeeSchedule that a site can store and change, and
// DefaultFeeSchedule is only the project's reading. Counting pages (and
// splitting a multi-item application into 一事一申请 units) is the caller's
// job; this file only prices the counts it is given.
//
// The payment deadline (20 working days from the day after the fee notice is
// received; whether the reply clock stops meanwhile is Rules.FeePausesClock)
// is handled by the case clock (clock.go), not here.

package apply

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
)

// FeeMethod is how an application's fee is computed.
type FeeMethod string

const (
	FeeNone      FeeMethod = ""           // no fee charged
	FeePerItem   FeeMethod = "per_item"   // 按件计收
	FeePerVolume FeeMethod = "per_volume" // 按量计收
)

// FeeMethods lists the charging methods in display order with Chinese labels.
var FeeMethods = []struct {
	Method FeeMethod
	Label  string
}{
	{FeePerItem, "按件计收"}, {FeePerVolume, "按量计收"},
}

// Label is the Chinese name of m ("不收费" for FeeNone).
func (m FeeMethod) Label() string {
	if m == FeeNone {
		return "不收费"
	}
	for _, x := range FeeMethods {
		if x.Method == m {
			return x.Label
		}
	}
	return string(m)
}

// unit is the counting noun of m.
func (m FeeMethod) unit() string {
	if m == FeePerVolume {
		return "页"
	}
	return "件"
}

// MaxFeeUnits bounds the items (cumulative in a month) and pages a fee is
// computed for; anything larger is a typing error, not an application.
const MaxFeeUnits = 1_000_000

// maxUnitPrice bounds a band's price and step (分): 100万元 a unit is already
// far beyond any real schedule.
const maxUnitPrice = 100_000_000

// FeeBand is one band of a progressive table: units From..To (inclusive,
// counted from 1) cost Price 分 each. To is 0 only on the last band, which is
// open-ended.
type FeeBand struct {
	From  int   `json:"from"`
	To    int   `json:"to"`
	Price int64 `json:"price_fen"`
}

// FeeBands is a progressive table. When StepEvery > 0 the open last band
// rises by StepAdd 分 for every further StepEvery units: unit k of that band
// costs Price + StepAdd × ⌊(k − From) / StepEvery⌋.
type FeeBands struct {
	Bands     []FeeBand `json:"bands"`
	StepEvery int       `json:"step_every,omitempty"`
	StepAdd   int64     `json:"step_add_fen,omitempty"`
}

// FeeSchedule holds both tables; it is stored as a site setting (String,
// ParseFeeSchedule).
type FeeSchedule struct {
	Items FeeBands `json:"per_item"`   // 按件计收: the k-th item in the month
	Pages FeeBands `json:"per_volume"` // 按量计收: the p-th page of the application
}

// DefaultFeeSchedule is the project's reading of 国办函〔2020〕109号 第三条:
// items 1–10 free, 11–30 100 元, 31–40 200 元, then 100 元 more for every
// further 10 items; pages 1–30 free, 31–100 10 元, 101–200 20 元, 201+ 40 元.
func DefaultFeeSchedule() FeeSchedule {
	return FeeSchedule{
		Items: FeeBands{
			Bands: []FeeBand{
				{From: 1, To: 10, Price: 0},
				{From: 11, To: 30, Price: 100_00},
				{From: 31, To: 0, Price: 200_00},
			},
			StepEvery: 10,
			StepAdd:   100_00,
		},
		Pages: FeeBands{
			Bands: []FeeBand{
				{From: 1, To: 30, Price: 0},
				{From: 31, To: 100, Price: 10_00},
				{From: 101, To: 200, Price: 20_00},
				{From: 201, To: 0, Price: 40_00},
			},
		},
	}
}

// Validate checks both tables: bands start at 1 and are contiguous, only the
// last is open-ended, prices are non-negative and never decrease, and a step
// has both its size and its amount. Problems name the band, e.g.
// "按件计收第2档：起始件数应为11".
func (s FeeSchedule) Validate() error {
	var fs apperr.Fields
	s.Items.validate(&fs, "per_item", FeePerItem)
	s.Pages.validate(&fs, "per_volume", FeePerVolume)
	return fs.Err()
}

func (t FeeBands) validate(fs *apperr.Fields, field string, m FeeMethod) {
	name, u := m.Label(), m.unit()
	if len(t.Bands) == 0 {
		fs.Add(field, name+"：至少需要一档")
		return
	}
	next := 1 // the From the current band must have; 0 = unknown
	for i, b := range t.Bands {
		at := fmt.Sprintf("%s第%d档：", name, i+1)
		last := i == len(t.Bands)-1
		if next > 0 && b.From != next {
			msg := fmt.Sprintf("%s起始%s数应为%d", at, u, next)
			switch {
			case i == 0:
			case b.From > next:
				msg += fmt.Sprintf("（与第%d档之间有空缺）", i)
			default:
				msg += fmt.Sprintf("（与第%d档重叠）", i)
			}
			fs.Add(field, msg)
		}
		switch {
		case last && b.To != 0:
			fs.Add(field, fmt.Sprintf("%s最后一档不应设截止%s数（填0表示不设上限）", at, u))
		case !last && b.To == 0:
			fs.Add(field, fmt.Sprintf("%s只有最后一档可以不设截止%s数", at, u))
		case !last && b.To < b.From:
			fs.Add(field, fmt.Sprintf("%s截止%s数（%d）不能小于起始%s数（%d）", at, u, b.To, u, b.From))
		case b.To > MaxFeeUnits:
			fs.Add(field, fmt.Sprintf("%s截止%s数不能超过%d", at, u, MaxFeeUnits))
		}
		switch {
		case b.Price < 0:
			fs.Add(field, at+"单价不能为负数")
		case b.Price > maxUnitPrice:
			fs.Add(field, fmt.Sprintf("%s单价不能超过%s", at, FormatYuan(maxUnitPrice)))
		case i > 0 && b.Price < t.Bands[i-1].Price:
			fs.Add(field, fmt.Sprintf("%s单价不应低于第%d档（%s）", at, i, FormatYuan(t.Bands[i-1].Price)))
		}
		next = b.To + 1
		if b.To < b.From {
			next = 0 // unknown: a backwards band is reported once, not again at the next
		}
	}
	switch {
	case t.StepEvery < 0 || t.StepAdd < 0:
		fs.Add(field, name+"：递增的"+u+"数和金额不能为负数")
	case (t.StepEvery == 0) != (t.StepAdd == 0):
		fs.Add(field, name+"：递增规则需同时填写每多少"+u+"和递增金额")
	case t.StepEvery > MaxFeeUnits:
		fs.Add(field, fmt.Sprintf("%s：递增间隔不能超过%d%s", name, MaxFeeUnits, u))
	case t.StepAdd > maxUnitPrice:
		fs.Add(field, fmt.Sprintf("%s：递增金额不能超过%s", name, FormatYuan(maxUnitPrice)))
	}
}

// String is the schedule as compact JSON, the form ParseFeeSchedule reads.
func (s FeeSchedule) String() string {
	b, err := json.Marshal(s)
	if err != nil { // unreachable: only ints and slices
		panic(err)
	}
	return string(b)
}

// ParseFeeSchedule reads a schedule stored by String and validates it. An
// empty setting means DefaultFeeSchedule.
func ParseFeeSchedule(text string) (FeeSchedule, error) {
	if strings.TrimSpace(text) == "" {
		return DefaultFeeSchedule(), nil
	}
	var s FeeSchedule
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	err := dec.Decode(&s)
	if err == nil {
		if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
			err = errors.New("trailing data after the schedule")
		}
	}
	if err != nil {
		e := apperr.Field("fee_schedule", "收费标准格式有误，应为 JSON 格式的收费标准")
		e.Err = err
		return FeeSchedule{}, e
	}
	return s, s.Validate()
}

// FeeLine is one band used by a fee: units From..To (actual unit numbers,
// inclusive; for 按件计收 counted across the month) at UnitPrice 分 each.
type FeeLine struct {
	From, To  int
	Units     int
	UnitPrice int64 // 分
	Subtotal  int64 // 分
}

// Fee is the fee of one application, itemised by band for the fee notice.
type Fee struct {
	Method FeeMethod
	Units  int   // items in this application, or pages
	Amount int64 // 分
	Lines  []FeeLine
}

// PerItem is the 按件计收 fee of an application of items items from an
// applicant who has already made priorInMonth in the same calendar month:
// the price of items priorInMonth+1 … priorInMonth+items.
func (s FeeSchedule) PerItem(priorInMonth, items int) (Fee, error) {
	switch {
	case priorInMonth < 0:
		return Fee{}, apperr.Field("prior_in_month", fmt.Sprintf("本月此前已申请件数不能为负数（填写的是%d）", priorInMonth))
	case items <= 0:
		return Fee{}, apperr.Field("items", fmt.Sprintf("申请件数应至少为1件（填写的是%d）", items))
	case priorInMonth > MaxFeeUnits || items > MaxFeeUnits-priorInMonth:
		return Fee{}, apperr.Field("items", fmt.Sprintf("本月累计申请件数超过%d件，请核对", MaxFeeUnits))
	}
	return s.compute(FeePerItem, s.Items, priorInMonth+1, items)
}

// PerVolume is the 按量计收 fee of an application of pages pages. It applies
// only where paper copies, e-mail or copied electronic data were asked for.
func (s FeeSchedule) PerVolume(pages int) (Fee, error) {
	switch {
	case pages <= 0:
		return Fee{}, apperr.Field("pages", fmt.Sprintf("页数应至少为1页（填写的是%d）", pages))
	case pages > MaxFeeUnits:
		return Fee{}, apperr.Field("pages", fmt.Sprintf("页数超过%d页，请核对", MaxFeeUnits))
	}
	return s.compute(FeePerVolume, s.Pages, 1, pages)
}

func (s FeeSchedule) compute(m FeeMethod, t FeeBands, first, n int) (Fee, error) {
	if err := s.Validate(); err != nil {
		return Fee{}, err
	}
	f := Fee{Method: m, Units: n}
	last := first + n - 1
	for k := first; k <= last; {
		price, end := t.segment(k)
		if end == 0 || end > last {
			end = last
		}
		units := end - k + 1
		sub, ok := feeMul(price, units)
		if ok {
			f.Amount, ok = feeAdd(f.Amount, sub)
		}
		if !ok {
			return Fee{}, apperr.New(apperr.Invalid, "按当前收费标准计算的金额过大，请核对收费标准和"+m.unit()+"数")
		}
		f.Lines = append(f.Lines, FeeLine{From: k, To: end, Units: units, UnitPrice: price, Subtotal: sub})
		k = end + 1
	}
	return f, nil
}

// segment is the price of unit k and the last unit at that price (0 = no
// end). t must be valid.
func (t FeeBands) segment(k int) (price int64, end int) {
	for i, b := range t.Bands {
		if b.To != 0 && k > b.To {
			continue
		}
		if b.To != 0 || t.StepEvery == 0 || i != len(t.Bands)-1 {
			return b.Price, b.To
		}
		step := (k - b.From) / t.StepEvery
		return b.Price + int64(step)*t.StepAdd, b.From + (step+1)*t.StepEvery - 1
	}
	panic("apply: unit outside a validated fee table")
}

func feeMul(price int64, units int) (int64, bool) {
	r := price * int64(units)
	return r, units == 0 || r/int64(units) == price
}

func feeAdd(a, b int64) (int64, bool) {
	r := a + b
	return r, r >= a // both non-negative
}

// Explain is the fee in Chinese, one line per band and a total line, e.g.
// "本月累计第11—30件：20件 × 100.00元 = 2,000.00元".
func (f Fee) Explain() string {
	if f.Method == FeeNone {
		return "不收取信息处理费。"
	}
	u := f.Method.unit()
	var b strings.Builder
	for _, l := range f.Lines {
		if f.Method == FeePerItem {
			b.WriteString("本月累计")
		}
		if l.From == l.To {
			fmt.Fprintf(&b, "第%d%s：", l.From, u)
		} else {
			fmt.Fprintf(&b, "第%d—%d%s：", l.From, l.To, u)
		}
		if l.UnitPrice == 0 {
			fmt.Fprintf(&b, "%d%s，免费\n", l.Units, u)
		} else {
			fmt.Fprintf(&b, "%d%s × %s = %s\n", l.Units, u, FormatYuan(l.UnitPrice), FormatYuan(l.Subtotal))
		}
	}
	fmt.Fprintf(&b, "合计（%s）：本次%d%s", f.Method.Label(), f.Units, u)
	if f.Method == FeePerItem && len(f.Lines) > 0 && f.Lines[0].From > 1 {
		fmt.Fprintf(&b, "（本月此前已申请%d件）", f.Lines[0].From-1)
	}
	fmt.Fprintf(&b, "，%s", FormatYuan(f.Amount))
	return b.String()
}

// FormatYuan writes an amount in 分 as yuan with thousands separators and two
// decimals: 550000 → "5,500.00元".
func FormatYuan(fen int64) string {
	u := uint64(fen)
	var b bytes.Buffer
	if fen < 0 {
		b.WriteByte('-')
		u = -u
	}
	digits := strconv.FormatUint(u/100, 10)
	for i, c := range []byte(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(c)
	}
	fmt.Fprintf(&b, ".%02d元", u%100)
	return b.String()
}
