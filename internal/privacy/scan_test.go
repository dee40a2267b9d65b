package privacy

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// withCheck appends the GB 11643 check character to 17 digits.
func withCheck(d17 string) string {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(d17[i]-'0') * idWeights[i]
	}
	return d17 + string("10X98765432"[sum%11])
}

type want struct {
	kind   Kind
	text   string
	masked string
}

var scanCases = []struct {
	name string
	in   string
	want []want
}{
	// Resident ID.
	{"id", "身份证号：110105199003071239。", []want{{KindIDCard, "110105199003071239", "110105********1239"}}},
	{"id X", "11010519491231002X", []want{{KindIDCard, "11010519491231002X", "110105********002X"}}},
	{"id lowercase x", "证件号码11010519491231002x号", []want{{KindIDCard, "11010519491231002x", "110105********002x"}}},
	{"id full-width", "１１０１０５１９４９１２３１００２Ｘ", []want{{KindIDCard, "１１０１０５１９４９１２３１００２Ｘ", "１１０１０５********００２Ｘ"}}},
	{"id full-width lowercase x", "号码：１１０１０５１９４９１２３１００２ｘ", []want{{KindIDCard, "１１０１０５１９４９１２３１００２ｘ", "１１０１０５********００２ｘ"}}},
	{"id leap day 2000", "440306200002294560", []want{{KindIDCard, "440306200002294560", "440306********4560"}}},
	{"id after letters", "ID110105199003071239", []want{{KindIDCard, "110105199003071239", "110105********1239"}}},
	{"id then X then digit", "11010519491231002X5", nil},
	{"id bad check char", "身份证号110105199003071234", nil},
	{"id Feb 30", "110105199002301231", nil},
	{"id future birth date", withCheck("11010520990101123"), nil},
	{"id before 1900", withCheck("11010518991231123"), nil},
	{"id bad province", withCheck("99010519900307123"), nil},
	{"id in longer run", "1101051990030712391", nil},
	{"id preceded by digit", "2110105199003071239", nil},
	{"legacy 15-digit id", "原身份证号350102850615301。", []want{{KindIDCard, "350102850615301", "350102******301"}}},
	{"legacy 15-digit bad date", "350102851315301", nil},
	{"legacy 15-digit bad province", "990102850615301", nil},

	// Mobile.
	{"mobile", "电话13800138000", []want{{KindMobile, "13800138000", "138****8000"}}},
	{"mobile +86 spaces", "+86 138 0013 8000", []want{{KindMobile, "+86 138 0013 8000", "+86 138 **** 8000"}}},
	{"mobile +86 joined", "手机+8613800138000。", []want{{KindMobile, "+8613800138000", "+86138****8000"}}},
	{"mobile 86 hyphen", "86-13912345678", []want{{KindMobile, "86-13912345678", "86-139****5678"}}},
	{"mobile hyphens", "138-0013-8000", []want{{KindMobile, "138-0013-8000", "138-****-8000"}}},
	{"mobile full-width", "手机：１３８００１３８０００", []want{{KindMobile, "１３８００１３８０００", "１３８****８０００"}}},
	{"mobile full-width plus", "＋８６　１３８　００１３　８０００", []want{{KindMobile, "＋８６　１３８　００１３　８０００", "＋８６　１３８　****　８０００"}}},
	{"mobile two", "13800138000、13900139000", []want{{KindMobile, "13800138000", "138****8000"}, {KindMobile, "13900139000", "139****9000"}}},
	{"mobile 12 digits", "138001380001", nil},
	{"mobile preceded by digit", "213800138000", nil},
	{"mobile bad second digit", "12800138000", nil},
	{"mobile uneven groups", "1380 013 8000", nil},

	// Landline.
	{"landline hyphen", "电话：010-62345678", []want{{KindLandline, "010-62345678", "010-6***5678"}}},
	{"landline full-width parens", "（010）62345678", []want{{KindLandline, "（010）62345678", "（010）6***5678"}}},
	{"landline parens extension", "(0591)87654321-123", []want{{KindLandline, "(0591)87654321-123", "(0591)8***4321-123"}}},
	{"landline space 7 digits", "0755 2345678", []want{{KindLandline, "0755 2345678", "0755 2***678"}}},
	{"landline full-width", "０５７１－８７６５４３２１", []want{{KindLandline, "０５７１－８７６５４３２１", "０５７１－８***４３２１"}}},
	{"landline subscriber starts 1", "021-12345678", nil},
	{"landline bad area", "0101-2345678", nil},
	{"landline 9 digit subscriber", "010-623456789", nil},
	{"landline no separator", "01062345678", nil},

	// Bank card.
	{"bank 19", "账号：6222021234567890128", []want{{KindBankCard, "6222021234567890128", "622202*********0128"}}},
	{"bank grouped", "6222 0212 3456 7890 128", []want{{KindBankCard, "6222 0212 3456 7890 128", "6222 02** **** ***0 128"}}},
	{"bank grouped hyphen 16", "4532-0151-1283-0366", []want{{KindBankCard, "4532-0151-1283-0366", "4532-01**-****-0366"}}},
	{"bank 16 visa", "4532015112830366", []want{{KindBankCard, "4532015112830366", "453201******0366"}}},
	{"bank 18", "622588012345678901" + "7", []want{{KindBankCard, "6225880123456789017", "622588*********9017"}}},
	{"bank full-width", "６２２２０２１２３４５６７８９０１２８", []want{{KindBankCard, "６２２２０２１２３４５６７８９０１２８", "６２２２０２*********０１２８"}}},
	{"bank Luhn fail", "6222021234567890127", nil},
	{"bank bad prefix", "1234567890123452", nil},
	{"bank 20 digits", "62220212345678901280", nil},
	{"bank next to letters", "NO6222021234567890128", nil},
	{"bank grouped then 4 more", "6222 0212 3456 7890 1280", nil},

	// E-mail.
	{"email", "邮箱：zhangsan@example.com。", []want{{KindEmail, "zhangsan@example.com", "z***@example.com"}}},
	{"email short local", "ab@fj.gov.cn", []want{{KindEmail, "ab@fj.gov.cn", "a*@fj.gov.cn"}}},
	{"email one letter", "a@qq.com", []want{{KindEmail, "a@qq.com", "*@qq.com"}}},
	{"email full-width", "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", []want{{KindEmail, "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ｚ***＠ｅｘａｍｐｌｅ．ｃｏｍ"}}},
	{"email trailing dot", "请发送至li.si@mail.qq.com.", []want{{KindEmail, "li.si@mail.qq.com", "l***@mail.qq.com"}}},
	{"email digits local wins over mobile", "13800138000@qq.com", []want{{KindEmail, "13800138000@qq.com", "1***@qq.com"}}},
	{"email no tld", "user@localhost", nil},
	{"email numeric tld", "a@example.123", nil},

	// Markings.
	{"marking star term", "机密★10年", []want{{KindSecretMarking, "机密★10年", "机密★10年"}}},
	{"marking star", "秘密★", []want{{KindSecretMarking, "秘密★", "秘密★"}}},
	{"marking hollow star long", "绝密☆长期", []want{{KindSecretMarking, "绝密☆长期", "绝密☆长期"}}},
	{"marking star months", "秘密★6个月", []want{{KindSecretMarking, "秘密★6个月", "秘密★6个月"}}},
	{"marking star full-width term", "机密★１０年", []want{{KindSecretMarking, "机密★１０年", "机密★１０年"}}},
	{"marking bracket line start", "【机密】\n关于……", []want{{KindSecretMarking, "【机密】", "【机密】"}}},
	{"marking bracket indented", "正文\n　　[秘密★5年]", []want{{KindSecretMarking, "[秘密★5年]", "[秘密★5年]"}}},
	{"marking field", "密级：机密", []want{{KindSecretMarking, "密级：机密", "密级：机密"}}},
	{"marking field ascii", "密级: 秘密★3年", []want{{KindSecretMarking, "密级: 秘密★3年", "密级: 秘密★3年"}}},
	{"phrases", "内部资料，注意保密；内部文件不得外传", []want{
		{KindSecretMarking, "内部资料", "内部资料"}, {KindSecretMarking, "注意保密", "注意保密"},
		{KindSecretMarking, "内部文件", "内部文件"}, {KindSecretMarking, "不得外传", "不得外传"}}},
	{"secret in prose", "本机关依法保守国家秘密，保护商业秘密。", nil},
	{"confidentiality", "保障信息的机密性和完整性。", nil},
	{"bracket mid-line", "文中提到【机密】字样", nil},
	{"secret document words", "秘密文件的管理和机密信息", nil},
	{"field without level", "密级：无", nil},

	// Things that must not be reported.
	{"uscc", "统一社会信用代码：91350100M000100Y43", nil},
	{"uscc organ", "11350000003591037R", nil},
	{"uscc all digits passing Luhn", "912563416858783106", nil},
	{"document number", "闽政办〔2020〕26号", nil},
	{"dates", "2026-10-22、20261022、2026年10月22日", nil},
	{"index number", "索引号：000014349/2024-00094", nil},
	{"amount", "金额1,234,567.89元", nil},
	{"20-digit serial", "订单号12345678901234567890", nil},
	{"18-digit serial bad check", "流水号350102198506153017", nil},
	{"percent and counts", "增长12.5%，共计3000户", nil},
}

func TestScanTable(t *testing.T) {
	for _, tc := range scanCases {
		t.Run(tc.name, func(t *testing.T) {
			got := Scan(tc.in)
			var g []want
			for _, f := range got {
				g = append(g, want{f.Kind, f.Text, f.Masked})
			}
			if !reflect.DeepEqual(g, tc.want) {
				t.Errorf("Scan(%q)\n got  %v\n want %v", tc.in, g, tc.want)
			}
			if ref := scanRegexp(tc.in); !reflect.DeepEqual(got, ref) {
				t.Errorf("Scan and scanRegexp differ on %q\n scan   %+v\n regexp %+v", tc.in, got, ref)
			}
		})
	}
}

func TestSeverityAndLabel(t *testing.T) {
	cases := map[Kind]struct {
		sev   Severity
		label string
	}{
		KindIDCard: {High, "身份证号码"}, KindBankCard: {High, "银行卡号"}, KindSecretMarking: {High, "密级标识"},
		KindMobile: {Medium, "手机号码"}, KindEmail: {Medium, "电子邮箱"}, KindLandline: {Low, "固定电话"},
	}
	for k, c := range cases {
		if SeverityOf(k) != c.sev || k.Label() != c.label {
			t.Errorf("%s: severity %v label %q", k, SeverityOf(k), k.Label())
		}
	}
	for _, f := range Scan("110105199003071239 13800138000 010-62345678") {
		if f.Severity != cases[f.Kind].sev {
			t.Errorf("%s has severity %v", f.Kind, f.Severity)
		}
	}
}

func TestOffsetsAreRunes(t *testing.T) {
	text := "联系人：张三（男），电话：１３８００１３８０００，身份证110105199003071239，邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ。"
	rs := []rune(text)
	fs := Scan(text)
	if len(fs) != 3 {
		t.Fatalf("got %d findings: %+v", len(fs), fs)
	}
	for _, f := range fs {
		if got := string(rs[f.Offset : f.Offset+f.Length]); got != f.Text {
			t.Errorf("%s: runes [%d,%d) = %q, Text %q", f.Kind, f.Offset, f.Offset+f.Length, got, f.Text)
		}
	}
	// Rune offsets, not byte offsets: 13 runes precede the number and it
	// is 11 runes long although it takes 33 bytes.
	if fs[0].Offset != 13 || fs[0].Length != 11 || fs[1].Offset != 28 || fs[2].Offset != 49 {
		t.Errorf("offsets %d+%d, %d, %d; want 13+11, 28, 49", fs[0].Offset, fs[0].Length, fs[1].Offset, fs[2].Offset)
	}
}

func TestContextNeverHoldsRawValues(t *testing.T) {
	text := "请联系13800138000或13900139000（张三，身份证110105199003071239），" +
		"账号6222021234567890128，邮箱zhangsan@example.com，电话010-62345678。\n下一行继续说明。"
	fs := Scan(text)
	if len(fs) != 6 {
		t.Fatalf("got %d findings: %+v", len(fs), fs)
	}
	checkContexts(t, fs)
	if fs[0].Context != "请联系138****8000或" {
		t.Errorf("context %q", fs[0].Context)
	}
	if strings.ContainsAny(fs[5].Context, "\n\r\t") {
		t.Errorf("context spans lines: %q", fs[5].Context)
	}
	checkContexts(t, Scan(genSeparated(7, 3000)))
}

// checkContexts checks that no context shows its own raw value or that of a
// neighbouring finding (values further away are outside any context).
func checkContexts(t *testing.T, fs []Finding) {
	t.Helper()
	for i, f := range fs {
		for j := max(0, i-1); j <= min(len(fs)-1, i+1); j++ {
			g := fs[j]
			if g.Kind == KindSecretMarking {
				continue
			}
			if strings.Contains(f.Context, g.Text) {
				t.Errorf("context %q of %s contains raw %s %q", f.Context, f.Kind, g.Kind, g.Text)
			}
		}
		if !strings.Contains(f.Context, f.Masked) {
			t.Errorf("context %q lacks masked %q", f.Context, f.Masked)
		}
		if n := utf8.RuneCountInString(f.Context); n > f.Length+2*contextRunes {
			t.Errorf("context %q has %d runes", f.Context, n)
		}
	}
}

func TestMask(t *testing.T) {
	text := "张三，身份证号110105199003071239，手机+86 138 0013 8000，卡号6222 0212 3456 7890 128，" +
		"邮箱zhangsan@example.com，座机（010）62345678，【机密】不在行首，秘密★5年。"
	fs := Scan(text)
	got := Mask(text, fs)
	want := "张三，身份证号110105********1239，手机+86 138 **** 8000，卡号6222 02** **** ***0 128，" +
		"邮箱z***@example.com，座机（010）6***5678，【机密】不在行首，秘密★5年。"
	if got != want {
		t.Errorf("Mask\n got  %s\n want %s", got, want)
	}
	if Mask(text, nil) != text {
		t.Error("Mask with no findings changed the text")
	}
	// Findings that no longer match the text are left alone.
	stale := []Finding{{Kind: KindMobile, Offset: 0, Length: 11, Text: "13800138000", Masked: "138****8000"}}
	if got := Mask("13900139000", stale); got != "13900139000" {
		t.Errorf("stale finding applied: %q", got)
	}
	// A stale finding does not stop a valid one inside its span.
	inner := Scan("x13800138000")
	stale = append([]Finding{{Kind: KindEmail, Offset: 0, Length: 12, Text: "y13800138000", Masked: "y***"}}, inner...)
	if got := Mask("x13800138000", stale); got != "x138****8000" {
		t.Errorf("valid finding after stale one not applied: %q", got)
	}
	// Out-of-order findings are applied in text order.
	rev := []Finding{fs[1], fs[0]}
	if got := Mask(text, rev); !strings.Contains(got, "110105********1239") || !strings.Contains(got, "138 **** 8000") {
		t.Errorf("unsorted findings not applied: %q", got)
	}
}

func TestMaskGenerated(t *testing.T) {
	text := genSeparated(5, 3000)
	fs := Scan(text)
	if len(fs) < 2500 {
		t.Fatalf("only %d findings", len(fs))
	}
	masked := Mask(text, fs)
	if utf8.RuneCountInString(masked) > utf8.RuneCountInString(text) {
		t.Error("Mask made the text longer")
	}
	for _, f := range Scan(masked) {
		if f.Kind != KindSecretMarking {
			t.Errorf("masked text still has %s %q", f.Kind, f.Text)
		}
	}
}

func TestScanDoesNotAllocatePerRune(t *testing.T) {
	text := strings.Repeat("根据《中华人民共和国政府信息公开条例》规定，现将2024年工作报告公开如下。", 2000)
	allocs := testing.AllocsPerRun(5, func() { Scan(text) })
	if allocs > 2 {
		t.Errorf("Scan of finding-free text allocated %v times", allocs)
	}
}

func ExampleScan() {
	for _, f := range Scan("联系人：张三，电话：13800138000，身份证号码：11010519491231002X。") {
		fmt.Println(f.Kind.Label(), f.Masked, f.Offset, f.Length)
	}
	// Output:
	// 手机号码 138****8000 10 11
	// 身份证号码 110105********002X 28 18
}
