package privacy

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Generators of realistic and of adversarial text for the equivalence test,
// the fuzz seeds and the benchmarks.

func makeID(r *rand.Rand, valid bool) string {
	provinces := []string{"11", "31", "35", "44", "51", "65", "82"}
	var b strings.Builder
	b.WriteString(provinces[r.IntN(len(provinces))])
	fmt.Fprintf(&b, "%04d", r.IntN(10000))
	fmt.Fprintf(&b, "%04d%02d%02d", 1940+r.IntN(80), 1+r.IntN(12), 1+r.IntN(28))
	fmt.Fprintf(&b, "%03d", r.IntN(1000))
	d := b.String()
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(d[i]-'0') * idWeights[i]
	}
	c := "10X98765432"[sum%11]
	if !valid {
		c = "10X98765432"[(sum+1+r.IntN(10))%11]
	}
	if c == 'X' && r.IntN(3) == 0 {
		c = 'x'
	}
	return d + string(c)
}

func makeLegacyID(r *rand.Rand) string {
	return fmt.Sprintf("35%04d%02d%02d%02d%03d", r.IntN(10000), r.IntN(100), 1+r.IntN(12), 1+r.IntN(28), r.IntN(1000))
}

func luhnDigit(d string) byte {
	sum := 0
	double := true
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

func makeCard(r *rand.Rand, n int, valid bool) string {
	prefixes := []string{"62", "4", "5", "3", "9"}
	d := prefixes[r.IntN(len(prefixes))]
	for len(d) < n-1 {
		d += string(rune('0' + r.IntN(10)))
	}
	c := luhnDigit(d)
	if !valid {
		c = byte('0' + (int(c-'0')+1+r.IntN(9))%10)
	}
	return d + string(c)
}

func groupCard(d, sep string) string {
	var b strings.Builder
	for i := 0; i < len(d); i += 4 {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(d[i:min(i+4, len(d))])
	}
	return b.String()
}

func makeUSCC(r *rand.Rand) string {
	heads := []string{"91", "12", "11", "52", "93"}
	b := []byte(heads[r.IntN(len(heads))])
	b = fmt.Appendf(b, "%06d", 350000+r.IntN(10000))
	for len(b) < 17 {
		b = append(b, usccChars[r.IntN(len(usccChars))])
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += usccValue(b[i]) * usccWeights[i]
	}
	return string(append(b, usccChars[(31-sum%31)%31]))
}

func makeMobile(r *rand.Rand) string {
	d := fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1000000000))
	switch r.IntN(6) {
	case 0:
		return d[:3] + " " + d[3:7] + " " + d[7:]
	case 1:
		return d[:3] + "-" + d[3:7] + "-" + d[7:]
	case 2:
		return "+86 " + d
	case 3:
		return "+86-" + d[:3] + " " + d[3:7] + " " + d[7:]
	}
	return d
}

func makeLandline(r *rand.Rand) string {
	areas := []string{"010", "021", "0591", "0755", "0571"}
	a := areas[r.IntN(len(areas))]
	sub := fmt.Sprintf("%d%06d", 2+r.IntN(8), r.IntN(1000000))
	if r.IntN(2) == 0 {
		sub += string(rune('0' + r.IntN(10)))
	}
	switch r.IntN(4) {
	case 0:
		return "(" + a + ")" + sub
	case 1:
		return "（" + a + "）" + sub
	case 2:
		return a + "-" + sub + "-" + fmt.Sprint(100+r.IntN(900))
	}
	return a + "-" + sub
}

func makeEmail(r *rand.Rand) string {
	users := []string{"zhangsan", "li.si", "wang_wu88", "gkb", "xinxi-gongkai", "a"}
	doms := []string{"example.com", "fj.gov.cn", "163.com", "mail.qq.com", "xm.edu.cn"}
	return users[r.IntN(len(users))] + "@" + doms[r.IntN(len(doms))]
}

func makeMarking(r *rand.Rand) string {
	levels := []string{"绝密", "机密", "秘密"}
	l := levels[r.IntN(3)]
	switch r.IntN(7) {
	case 0:
		return l + "★"
	case 1:
		return l + "★" + fmt.Sprint(1+r.IntN(30)) + "年"
	case 2:
		return "\n【" + l + "】"
	case 3:
		return "密级：" + l
	case 4:
		return l + "☆6个月"
	case 5:
		return "\n[" + l + "★长期]"
	}
	return []string{"内部资料", "注意保密", "内部文件", "不得外传"}[r.IntN(4)]
}

// fullWidth rewrites the ASCII of s as the full-width forms a Chinese IME
// produces.
func fullWidth(s string) string {
	return strings.Map(func(c rune) rune {
		if c > ' ' && c < 0x7F {
			return c + 0xFEE0
		}
		return c
	}, s)
}

var prose = []string{
	"根据《中华人民共和国政府信息公开条例》第二十条的规定，", "现将有关事项公告如下：", "各设区市人民政府，平潭综合实验区管委会，省直各单位：",
	"经研究，决定对下列项目予以公示。", "请各单位高度重视，认真组织实施，", "确保各项工作落到实处。", "如有异议，请于公示期内向我局反映。",
	"本机关依法保守国家秘密和商业秘密，", "信息的机密性、完整性和可用性应当得到保障。", "不予公开的政府信息包括涉及个人隐私的内容；",
	"加强内部控制制度建设，", "注重实效，不搞形式主义。", "申请人应当如实填写注册信息。", "联系人：张先生，", "联系电话：", "身份证号码：",
	"开户银行：中国工商银行福州分行，账号：", "电子邮箱：", "特此公告。", "附件：项目清单", "市场主体统一社会信用代码：", "行政处罚决定书文号：",
	"秘书处负责日常工作，与有关部门密切配合。", "不断提高政务公开质量，", "内设机构包括办公室、政策法规处。", "资金总额为", "同比增长",
	"为进一步优化营商环境，深化“放管服”改革，", "全面推进基层政务公开标准化规范化工作，", "围绕中心、服务大局，坚持以人民为中心的发展思想，",
	"切实做好重点领域信息公开，及时回应社会关切。", "各级行政机关要严格落实主体责任，", "对照年度工作要点逐项抓好落实，",
	"扎实推进乡村振兴和城乡融合发展，", "现就做好有关工作通知如下：", "一、总体要求", "二、主要任务", "三、保障措施",
	"本通知自印发之日起施行，有效期五年。", "各地要结合实际制定具体实施方案，", "统筹推进疫情防控和经济社会发展，",
	"进一步规范行政执法行为，提升执法质量和效率。", "财政资金使用情况接受社会监督，", "建立健全考核评价机制，",
	"以上信息由市政务服务数据管理局负责解释。", "（此件主动公开）", "公开方式：主动公开", "发布机构：市人民政府办公室",
}

var numbers = []func(r *rand.Rand) string{
	func(r *rand.Rand) string {
		return fmt.Sprintf("%d年%d月%d日", 2000+r.IntN(27), 1+r.IntN(12), 1+r.IntN(28))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("闽政办〔%d〕%d号", 2015+r.IntN(12), 1+r.IntN(200))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("%09d/%d-%05d", r.IntN(1000000000), 2015+r.IntN(12), r.IntN(100000))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("%d-%02d-%02d", 2000+r.IntN(27), 1+r.IntN(12), 1+r.IntN(28))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("%d%02d%02d", 2000+r.IntN(27), 1+r.IntN(12), 1+r.IntN(28))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("%d,%03d,%03d.%02d元", 1+r.IntN(999), r.IntN(1000), r.IntN(1000), r.IntN(100))
	},
	func(r *rand.Rand) string { return fmt.Sprintf("%d.%d%%", r.IntN(100), r.IntN(10)) },
	func(r *rand.Rand) string { return fmt.Sprintf("%d万元", 1+r.IntN(10000)) },
	func(r *rand.Rand) string { return fmt.Sprintf("%010d%010d", r.IntN(1e10), r.IntN(1e10)) },
	func(r *rand.Rand) string { return makeUSCC(r) },
	func(r *rand.Rand) string { return makeID(r, false) },
	func(r *rand.Rand) string { return makeCard(r, 16+r.IntN(4), false) },
	func(r *rand.Rand) string { return fmt.Sprint(r.IntN(1000)) },
}

var sensitive = []func(r *rand.Rand) string{
	func(r *rand.Rand) string { return makeID(r, true) },
	func(r *rand.Rand) string { return makeLegacyID(r) },
	func(r *rand.Rand) string { return makeMobile(r) },
	func(r *rand.Rand) string { return makeLandline(r) },
	func(r *rand.Rand) string { return makeCard(r, 16+r.IntN(4), true) },
	func(r *rand.Rand) string { return groupCard(makeCard(r, 16+r.IntN(4), true), " ") },
	func(r *rand.Rand) string { return makeEmail(r) },
	func(r *rand.Rand) string { return makeMarking(r) },
}

// genDoc produces about size bytes of government-notice style text: CJK
// prose, numbers that must not be reported (numPct of the pieces), and
// personal data or markings (sensPct of the pieces), some of them in
// full-width forms.
func genDoc(seed uint64, size, numPct, sensPct int) string {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var b strings.Builder
	b.Grow(size + 256)
	for b.Len() < size {
		switch n := r.IntN(100); {
		case n >= numPct+sensPct:
			b.WriteString(prose[r.IntN(len(prose))])
		case n < numPct:
			s := numbers[r.IntN(len(numbers))](r)
			if r.IntN(10) == 0 {
				s = fullWidth(s)
			}
			b.WriteString(s)
		default:
			s := sensitive[r.IntN(len(sensitive))](r)
			if r.IntN(8) == 0 {
				s = fullWidth(s)
			}
			b.WriteString(s)
		}
		if r.IntN(12) == 0 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// atoms are pieces that sit near the edges of the rules, so that random
// concatenations of them probe boundaries, separators and overlaps.
var atoms = []string{
	"0", "1", "2", "3", "5", "6", "8", "9", "86", "+86", "+", "138", "0013", "8000", "1380013", "13800138000",
	"010", "021", "0591", "(", ")", "（", "）", "-", " ", "  ", "\t", "\n", "－", "　", "X", "x", "Ｘ", "a", "Z", "ab",
	"@", "＠", ".", "..", "_", "%", "com", "cn", "gov", "163", "mail", "-x", "6222", "0212", "3456", "7890", "1234",
	"【", "】", "[", "]", "［", "★", "☆", "年", "个月", "长期", "长", "机密", "绝密", "秘密", "秘", "密级", "密级：", ":",
	"内部资料", "内部", "不得外传", "注意", "保密", "的", "号", "〔", "〕", "１", "３", "８", "６", "２", "０", "\xff", "\xe4\xb8",
}

// genAdversarial concatenates atoms and generated values with no regard for
// sense.
func genAdversarial(seed uint64, size int) string {
	r := rand.New(rand.NewPCG(seed, ^seed))
	var b strings.Builder
	for b.Len() < size {
		if r.IntN(6) == 0 {
			s := sensitive[r.IntN(len(sensitive))](r)
			if r.IntN(2) == 0 {
				s = numbers[r.IntN(len(numbers))](r)
			}
			b.WriteString(s)
			continue
		}
		b.WriteString(atoms[r.IntN(len(atoms))])
	}
	return b.String()
}

// genSeparated writes n pieces of prose each followed by a value and a
// comma, as values appear in real text. Glued together (…5785 6zhangsan@…)
// one value can swallow the edge of the next, which is right for the
// scanner but makes "every value is found and masked" untrue.
func genSeparated(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, seed+1))
	var b strings.Builder
	for range n {
		b.WriteString(prose[r.IntN(len(prose))])
		v := sensitive[r.IntN(len(sensitive))](r)
		if r.IntN(5) == 0 {
			v = fullWidth(v)
		}
		b.WriteString(v)
		b.WriteString("，")
	}
	return b.String()
}
