// Package corpus generates a reproducible synthetic corpus of Chinese government documents and
// the query sets measured on it.
//
// Every document is a pure function of (seed, index): its metadata and its text come from
// per-document random streams, so documents can be generated in any order, in parallel, and a
// corpus of N documents is the first N documents of any larger corpus with the same seed.
// Generation uses integer arithmetic only, so the bytes do not depend on the Go version or the
// architecture.
package corpus

import (
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Doc is one generated document.
type Doc struct {
	Index    int    // generation index, 0..N-1
	Key      string // "d0000042"
	Title    string
	DocNo    string // 文号, empty for documents without one
	Body     string
	Date     int64 // publication date: Unix seconds of 00:00 China Standard Time
	Year     int
	Issuer   int // index into Issuers()
	Genre    int // index into Genres()
	Validity int // index into Validities()
	// Traditional is set when the whole document is written in traditional characters.
	Traditional bool
}

// IssuerName, GenreName and ValidityName return the facet values.
func (d *Doc) IssuerName() string   { return issuers[d.Issuer].name }
func (d *Doc) GenreName() string    { return genreNames[d.Genre] }
func (d *Doc) ValidityName() string { return validityNames[d.Validity] }

// Issuers returns the 50 issuer names.
func Issuers() []string {
	out := make([]string, len(issuers))
	for i, is := range issuers {
		out[i] = is.name
	}
	return out
}

// Genres returns the 8 document types; Validities the 3 validity values.
func Genres() []string     { return append([]string(nil), genreNames...) }
func Validities() []string { return append([]string(nil), validityNames...) }

// Key returns the document key of generation index i.
func Key(i int) string {
	b := []byte("d0000000")
	s := strconv.Itoa(i)
	if len(s) >= 7 {
		return "d" + s
	}
	copy(b[len(b)-len(s):], s)
	return string(b)
}

const (
	firstYear = 2000
	lastYear  = 2026
	// lastDay2026 limits 2026 to its first half: the corpus is "as of" mid-2026.
	lastDay2026 = 180
	tailSize    = 600_000 // proper nouns in the long tail
	tradDocPer  = 20      // per mille of documents written entirely in traditional characters
	tradWordPer = 3       // per mille of words in other documents written in traditional form
)

var cst = time.FixedZone("CST", 8*3600)

// ---- vocabulary ----

type vocabulary struct {
	words   []string // simplified form, by id (= Zipf rank - 1) for core words
	trad    []string // traditional form of core words ("" when identical)
	nrunes  []uint8
	core    *alias // Zipf over core words
	tail    *alias // Zipf over tail ranks
	titleOK []bool // usable in titles: 2+ characters and not among the top 30
	colloc  [][]int32
	collocA *alias

	place     []rune
	placeTrad []rune
	tailMul   uint64 // permutation multiplier for tail ranks
	tailMod   uint64
	tradChar  map[rune]rune
	ids       map[string]int32
	genreWord [][]string
	zhNum     []string
}

var (
	vocabOnce sync.Once
	vocab     *vocabulary
)

func getVocab() *vocabulary {
	vocabOnce.Do(func() { vocab = buildVocab() })
	return vocab
}

// collocations are set phrases emitted as a unit; they make three-word phrases recur.
const collocations = `深入 贯彻 落实|进一步 优化 营商环境|全面 推进 乡村振兴|切实 加强 组织 领导|认真 贯彻执行
现 将 有关 事项 通知 如下|请 认真 遵照 执行|巩固 拓展 脱贫攻坚 成果|推动 高质量发展|加快 推进 项目建设
持续 深化 放管服 改革|全面 提升 服务 水平|切实 履行 主体责任|压实 属地 责任|严格 落实 安全生产 责任
坚持 以人民为中心 的 发展思想|统筹 发展 和 安全|防范 化解 重大 风险|不断 增强 人民 群众 获得感
加强 统筹 协调|强化 督查 问责|确保 各项 工作 落到实处|形成 工作 合力|建立 健全 长效 机制|依法 依规 办理
按照 有关 规定 执行|自 印发 之日 起 施行|本办法 自 发布 之日 起 施行|由 区 财政局 负责 解释
各 街道 办事处|区直 各 部门|各 乡镇 人民政府|优化 政务服务|推进 政务公开 标准化 规范化|加大 政策 宣传 力度
营造 良好 氛围|提升 群众 满意度|落实 减税降费 政策|保障 和 改善 民生|健全 社会保障 体系
推进 基本公共服务 均等化|加强 生态环境 保护|打好 污染 防治 攻坚战|推进 数字政府 建设|加强 基层治理
完善 应急管理 体系|做好 防汛 工作|开展 安全生产 大检查|强化 食品安全 监管|提高 财政资金 使用 效益
严格 执行 预算|加强 预算绩效 管理|规范 政府采购 行为|盘活 存量 资金|防范 政府债务 风险
推动 产业 转型升级|培育 新 动能|扩大 有效 投资|促进 消费 提质 扩容|稳定 和 扩大 就业|支持 中小企业 发展
加强 知识产权 保护|深化 行政审批 制度 改革|推行 告知承诺 制|加强 信用监管|完善 公平竞争 审查 制度
全面 推行 行政执法 公示 制度|提升 行政执法 质量|加强 法治政府 建设|坚持 科学 决策 民主 决策 依法 决策
畅通 群众 诉求 渠道|及时 回应 社会 关切|加强 舆情 监测|做好 政策解读 工作|维护 社会 稳定
保障 人民 群众 生命 财产 安全|召开 专题 会议 研究 部署|听取 工作 汇报|提出 意见建议|抓好 贯彻 落实`

// compound heads and tails make plausible four-character terms (财政+管理 → 财政管理).
const compoundHeads = `财政 预算 项目 资金 社会 安全 环境 质量 信用 市场 数据 信息 服务 应急 城市 农村 产业 人才 文化
教育 医疗 住房 交通 生态 行政 执法 审批 政务 基层 公共 资产 债务 绩效 价格 土地 水利 林业 能源 科技 金融
养老 就业 卫生 消防 环保 食品 药品 农业 工业 商务 旅游 统计 审计 档案 人事 财务 采购 国资 网络 社区`
const compoundTails = `管理 制度 体系 机制 建设 工作 服务 保障 监督 改革 规划 标准 平台 能力 水平 政策 考核 评价 治理 监测
规范 创新 统计 调查 整治 宣传 培训 示范 试点 专项 数据 系统 中心 办法 方案 队伍 领域 任务`

// extraWords are used by the title templates.
const extraWords = `召开 举行 专题 汇报 部署 推进会 水平 能力 事项 提出`

func buildVocab() *vocabulary {
	v := &vocabulary{ids: map[string]int32{}, tradChar: map[rune]rune{}}
	add := func(w string) {
		if w == "" {
			return
		}
		if _, ok := v.ids[w]; ok {
			return
		}
		v.ids[w] = int32(len(v.words))
		v.words = append(v.words, w)
	}
	for _, w := range strings.Fields(topWords) {
		add(w)
	}
	nTop := len(v.words)
	for _, w := range strings.Fields(coreWords) {
		add(w)
	}
	for _, line := range strings.Split(strings.ReplaceAll(collocations, "\n", "|"), "|") {
		for _, w := range strings.Fields(line) {
			add(w)
		}
	}
	for _, w := range strings.Fields(extraWords) {
		add(w)
	}
	for _, g := range genreTitleWords {
		for _, w := range g {
			add(w)
		}
	}
	heads, tails := strings.Fields(compoundHeads), strings.Fields(compoundTails)
	for _, h := range heads {
		for _, t := range tails {
			add(h + t)
		}
	}
	// Ranks: the top words keep their order; the rest are shuffled with a fixed stream so the
	// vocabulary does not depend on the corpus seed.
	rest := v.words[nTop:]
	r := newRNG(0x60AA, 1)
	for i := len(rest) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		rest[i], rest[j] = rest[j], rest[i]
	}
	for i, w := range v.words {
		v.ids[w] = int32(i)
	}

	for _, pair := range strings.Fields(traditionalPairs) {
		rs := []rune(pair)
		if len(rs) == 2 && rs[0] != rs[1] {
			v.tradChar[rs[0]] = rs[1]
		}
	}
	v.trad = make([]string, len(v.words))
	v.nrunes = make([]uint8, len(v.words))
	v.titleOK = make([]bool, len(v.words))
	w := make([]uint64, len(v.words))
	for i, word := range v.words {
		v.nrunes[i] = uint8(utf8.RuneCountInString(word))
		if t := v.toTrad(word); t != word {
			v.trad[i] = t
		}
		v.titleOK[i] = i >= 30 && v.nrunes[i] >= 2
		w[i] = (1 << 40) / uint64(i+1)
	}
	v.core = newAlias(w)

	tw := make([]uint64, tailSize)
	for i := range tw {
		tw[i] = (1 << 40) / uint64(i+1)
	}
	v.tail = newAlias(tw)

	for _, line := range strings.Split(strings.ReplaceAll(collocations, "\n", "|"), "|") {
		var c []int32
		for _, word := range strings.Fields(line) {
			c = append(c, v.ids[word])
		}
		if len(c) > 0 {
			v.colloc = append(v.colloc, c)
		}
	}
	cw := make([]uint64, len(v.colloc))
	for i := range cw {
		cw[i] = (1 << 40) / uint64(i+1)
	}
	v.collocA = newAlias(cw)

	seen := map[rune]bool{}
	for _, c := range placeChars {
		if c <= ' ' || seen[c] {
			continue
		}
		seen[c] = true
		v.place = append(v.place, c)
	}
	v.placeTrad = make([]rune, len(v.place))
	for i, c := range v.place {
		if t, ok := v.tradChar[c]; ok {
			v.placeTrad[i] = t
		} else {
			v.placeTrad[i] = c
		}
	}
	p := uint64(len(v.place))
	v.tailMod = p * (p - 1) * uint64(len(placeSuffixes))
	if v.tailMod < tailSize {
		panic("corpus: not enough place names for the tail")
	}
	v.tailMul = 2_654_435_761 % v.tailMod
	for gcd(v.tailMul, v.tailMod) != 1 {
		v.tailMul++
	}
	v.zhNum = strings.Fields("一 二 三 四 五 六 七 八 九 十 十一 十二")
	return v
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func (v *vocabulary) toTrad(s string) string {
	var b strings.Builder
	for _, c := range s {
		if t, ok := v.tradChar[c]; ok {
			b.WriteRune(t)
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// CoreSize is the number of core (non-tail) words; word ids at or above it are tail names.
func CoreSize() int { return len(getVocab().words) }

// TailSize is the number of tail names.
func TailSize() int { return tailSize }

// Word returns the simplified text of a word id (core or tail).
func Word(id int) string {
	v := getVocab()
	if id < len(v.words) {
		return v.words[id]
	}
	var b strings.Builder
	v.writeTail(&b, id-len(v.words), false)
	return b.String()
}

// WordRunes returns the length in characters of a word id.
func WordRunes(id int) int {
	v := getVocab()
	if id < len(v.words) {
		return int(v.nrunes[id])
	}
	return 2 + utf8.RuneCountInString(placeSuffixes[v.tailParts(id - len(v.words))[2]])
}

// tailParts maps a tail rank (0-based) to (stem char 1, stem char 2, suffix) through a fixed
// permutation, so frequency is not correlated with the spelling.
func (v *vocabulary) tailParts(rank int) [3]int {
	x := (uint64(rank)*v.tailMul + 7919) % v.tailMod
	ns := uint64(len(placeSuffixes))
	s := x % ns
	x /= ns
	p := uint64(len(v.place))
	c1 := x % p
	c2 := (x / p) % (p - 1)
	if c2 >= c1 {
		c2++
	}
	return [3]int{int(c1), int(c2), int(s)}
}

func (v *vocabulary) writeTail(b *strings.Builder, rank int, trad bool) {
	pt := v.tailParts(rank)
	if trad {
		b.WriteRune(v.placeTrad[pt[0]])
		b.WriteRune(v.placeTrad[pt[1]])
		b.WriteString(v.toTrad(placeSuffixes[pt[2]]))
		return
	}
	b.WriteRune(v.place[pt[0]])
	b.WriteRune(v.place[pt[1]])
	b.WriteString(placeSuffixes[pt[2]])
}

// ---- metadata ----

// Meta is the metadata of one document (cheap to compute for every index).
type Meta struct {
	Year, DayOfYear int
	Issuer, Genre   int
	Validity        int
	Traditional     bool
	DocNoNum        int // 0 = no 文号
	Bracket         int
}

var (
	yearCum     cumulative
	genreCum    cumulative
	issuerCum   cumulative
	bracketCum  = newCumulative([]int{65, 15, 15, 5})
	bracketOpen = []string{"〔", "[", "（", "("}
	bracketShut = []string{"〕", "]", "）", ")"}
)

func init() {
	yw := make([]int, lastYear-firstYear+1)
	for i := range yw {
		yw[i] = 10 + 3*i // more documents every year
	}
	yw[len(yw)-1] /= 2 // half a year
	yearCum = newCumulative(yw)
	gw := make([]int, len(genreWeights))
	for i, x := range genreWeights {
		gw[i] = int(x)
	}
	genreCum = newCumulative(gw)
	iw := make([]int, len(issuers))
	for k := range iw {
		iw[k] = 2000/(k+3) + 10
	}
	issuerCum = newCumulative(iw)
}

// Generator produces the corpus for one (seed, n).
type Generator struct {
	seed uint64
	n    int
}

// New returns the generator of a corpus of n documents.
func New(seed uint64, n int) *Generator {
	getVocab()
	return &Generator{seed: seed, n: n}
}

// N returns the number of documents.
func (g *Generator) N() int { return g.n }

// Seed returns the seed.
func (g *Generator) Seed() uint64 { return g.seed }

// Meta returns the metadata of document i.
func (g *Generator) Meta(i int) Meta {
	r := newRNG(g.seed, uint64(i)*4)
	var m Meta
	m.Year = firstYear + yearCum.sample(&r)
	days := 365
	if m.Year%4 == 0 {
		days = 366
	}
	if m.Year == lastYear {
		days = lastDay2026
	}
	m.DayOfYear = r.intn(days)
	m.Issuer = issuerCum.sample(&r)
	m.Genre = genreCum.sample(&r)
	abolished := 3
	switch {
	case m.Year < 2010:
		abolished = 30
	case m.Year < 2018:
		abolished = 15
	}
	switch x := r.intn(100); {
	case x < abolished:
		m.Validity = 2
	case x < abolished+5:
		m.Validity = 1
	}
	if m.Genre == 4 { // news items are never amended or repealed
		m.Validity = 0
	}
	m.Traditional = r.intn(1000) < tradDocPer
	hasNo := m.Genre == 0 || m.Genre == 1 || m.Genre == 2 || m.Genre == 5 || m.Genre == 6
	if (hasNo && r.intn(100) < 90) || (!hasNo && r.intn(100) < 25) {
		// small numbers are frequent, large ones rare
		m.DocNoNum = 1 + r.intn(1+r.intn(150))
	}
	m.Bracket = bracketCum.sample(&r)
	return m
}

// Date returns the Unix time of 00:00 CST of the publication day.
func (m Meta) Date() int64 {
	return time.Date(m.Year, 1, 1, 0, 0, 0, 0, cst).Unix() + int64(m.DayOfYear)*86400
}

// Order returns the document indexes in publication order (date, then index): the order in
// which a rebuild from the database feeds the index.
func (g *Generator) Order() []int32 {
	type kd struct {
		date int64
		i    int32
	}
	ks := make([]kd, g.n)
	for i := range ks {
		ks[i] = kd{g.Meta(i).Date(), int32(i)}
	}
	// radix-free: dates are days; bucket by day number.
	minDay := time.Date(firstYear, 1, 1, 0, 0, 0, 0, cst).Unix() / 86400
	maxDay := time.Date(lastYear+1, 1, 1, 0, 0, 0, 0, cst).Unix() / 86400
	counts := make([]int32, maxDay-minDay+2)
	for _, k := range ks {
		counts[k.date/86400-minDay+1]++
	}
	for d := 1; d < len(counts); d++ {
		counts[d] += counts[d-1]
	}
	out := make([]int32, g.n)
	for _, k := range ks { // stable: indexes stay ascending within a day
		d := k.date/86400 - minDay
		out[counts[d]] = k.i
		counts[d]++
	}
	return out
}

// ---- tokens ----

// A token is a word id (bit 31 clear; bit 30 = write in traditional form) or a special token
// (bit 31 set; bits 24..30 the kind; bits 0..23 a value).
const (
	tokSpecial = 1 << 31
	tokTrad    = 1 << 30
	wideDigits = 1 << 22 // in a number's value: write with full-width digits
)

const (
	spComma = iota + 1
	spPeriod
	spSemicolon
	spEnumComma
	spNewline
	spHeading    // 一、
	spSubheading // （一）
	spYear       // 2023年
	spAmount     // 356万元
	spPercent    // 12.5%
	spCount      // 15个
	spColon
	spIssuer     // issuer name
	spGenreWord  // value = genre*8 + k
	spOpenTitle  // 《
	spCloseTitle // 》
)

var countUnits = []string{"个", "项", "人", "家", "次", "户", "件", "处"}

func special(kind, value int) uint32 { return tokSpecial | uint32(kind)<<24 | uint32(value) }

// Worker generates documents; it keeps buffers between documents. Not safe for concurrent use:
// give each goroutine its own.
type Worker struct {
	g     *Generator
	v     *vocabulary
	title []uint32
	body  []uint32
}

// Worker returns a new worker.
func (g *Generator) Worker() *Worker {
	return &Worker{g: g, v: getVocab(), title: make([]uint32, 0, 32), body: make([]uint32, 0, 1024)}
}

// Tokens generates the title and body tokens of document i (valid until the next call).
func (w *Worker) tokens(i int, m *Meta) (title, body []uint32) {
	r := newRNG(w.g.seed, uint64(i)*4+1)
	w.title = w.genTitle(&r, m, w.title[:0])
	w.body = w.genBody(&r, m, w.body[:0])
	return w.title, w.body
}

func (w *Worker) word(r *rng, m *Meta, id int) uint32 {
	t := uint32(id)
	if m.Traditional || r.intn(1000) < tradWordPer {
		t |= tokTrad
	}
	return t
}

func (w *Worker) titleWord(r *rng) int {
	for {
		id := w.v.core.sample(r)
		if w.v.titleOK[id] {
			return id
		}
	}
}

func (w *Worker) tokRunes(t uint32) int {
	if t&tokSpecial == 0 {
		return WordRunes(int(t &^ tokTrad))
	}
	switch (t >> 24) & 0x7f {
	case spIssuer:
		return utf8.RuneCountInString(issuers[t&0xffffff].name)
	case spGenreWord:
		v := int(t & 0xffffff)
		return utf8.RuneCountInString(genreTitleWords[v/8][v%8])
	case spYear:
		return 5
	}
	return 1
}

func (w *Worker) genTitle(r *rng, m *Meta, out []uint32) []uint32 {
	v := w.v
	k := r.intn(len(genreTitleWords[m.Genre]))
	gword := special(spGenreWord, m.Genre*8+k)
	glen := w.tokRunes(gword)
	iss := special(spIssuer, m.Issuer)
	ilen := w.tokRunes(iss)
	n := 0
	switch m.Genre {
	case 4: // news: 示范区财政局召开预算绩效管理工作会议
		out = append(out, iss)
		n = ilen
		verb := []string{"召开", "举行", "开展"}[r.intn(3)]
		out = append(out, w.word(r, m, int(v.ids[verb])))
		n += 2
		for j := 0; j < 4; j++ {
			id := w.titleWord(r)
			if n+WordRunes(id)+glen > 30 {
				break
			}
			out = append(out, w.word(r, m, id))
			n += WordRunes(id)
			if n+glen >= 14 && r.intn(2) == 0 {
				break
			}
		}
		return append(out, gword)
	case 6: // budgets: 示范区财政局2023年部门预算
		return append(out, iss, special(spYear, m.Year), gword)
	}
	if r.intn(2) == 0 && ilen+2+4+1+glen <= 30 {
		out = append(out, iss)
		n = ilen
	}
	out = append(out, w.word(r, m, int(v.ids["关于"])))
	n += 2
	want := 2 + r.intn(4)
	for j := 0; j < want || n+1+glen < 10; j++ {
		id := w.titleWord(r)
		if n+WordRunes(id)+1+glen > 30 {
			break
		}
		out = append(out, w.word(r, m, id))
		n += WordRunes(id)
	}
	out = append(out, w.word(r, m, int(v.ids["的"])), gword)
	return out
}

// unit appends one unit of a clause: a word, a proper noun, a set phrase or a number.
func (w *Worker) unit(r *rng, m *Meta, out []uint32) ([]uint32, int) {
	v := w.v
	x := r.intn(100)
	switch {
	case x < 91:
		id := v.core.sample(r)
		return append(out, w.word(r, m, id)), int(v.nrunes[id])
	case x < 95:
		id := len(v.words) + v.tail.sample(r)
		return append(out, w.word(r, m, id)), WordRunes(id)
	case x < 98:
		c := v.colloc[v.collocA.sample(r)]
		n := 0
		for _, id := range c {
			out = append(out, w.word(r, m, int(id)))
			n += int(v.nrunes[id])
		}
		return out, n
	}
	wide := 0
	if r.intn(10) == 0 {
		wide = wideDigits
	}
	switch r.intn(4) {
	case 0:
		return append(out, special(spYear, (firstYear+r.intn(lastYear-firstYear+1))|wide)), 5
	case 1:
		return append(out, special(spAmount, (1+r.intn(1+r.intn(5000)))|wide)), 5
	case 2:
		return append(out, special(spPercent, (1+r.intn(999))|wide)), 4
	}
	return append(out, special(spCount, ((1+r.intn(200))*8+r.intn(len(countUnits)))|wide)), 3
}

func (w *Worker) genBody(r *rng, m *Meta, out []uint32) []uint32 {
	target := 800 + r.intn(401)
	n := 0
	heading := 0
	for n < target {
		// paragraph
		switch x := r.intn(10); {
		case x < 3 && heading < 12:
			out = append(out, special(spHeading, heading))
			heading++
			n += 2
			for j := 1 + r.intn(3); j > 0; j-- {
				var k int
				out, k = w.unit(r, m, out)
				n += k
			}
			out = append(out, special(spPeriod, 0))
			n++
		case x < 4:
			out = append(out, special(spSubheading, r.intn(6)))
			n += 3
		}
		for s := 2 + r.intn(4); s > 0 && n < target; s-- {
			// sentence
			for c := 1 + r.intn(4); c > 0; c-- {
				// clause
				units := 2 + r.intn(6)
				if r.intn(25) == 0 { // a cited document: 《…办法》
					out = append(out, special(spOpenTitle, 0))
					for j := 2 + r.intn(3); j > 0; j-- {
						id := w.titleWord(r)
						out = append(out, w.word(r, m, id))
						n += WordRunes(id)
					}
					g := r.intn(3)
					out = append(out, special(spGenreWord, g*8+r.intn(len(genreTitleWords[g]))), special(spCloseTitle, 0))
					n += 5
				}
				for u := 0; u < units; u++ {
					var k int
					out, k = w.unit(r, m, out)
					n += k
					if u+1 < units && r.intn(20) == 0 {
						out = append(out, special(spEnumComma, 0))
						n++
					}
				}
				if c > 1 {
					if r.intn(15) == 0 {
						out = append(out, special(spColon, 0))
					} else {
						out = append(out, special(spComma, 0))
					}
					n++
				}
			}
			if r.intn(10) == 0 {
				out = append(out, special(spSemicolon, 0))
			} else {
				out = append(out, special(spPeriod, 0))
			}
			n++
		}
		out = append(out, special(spNewline, 0))
	}
	return out
}

// ---- rendering ----

var wideDigit = []string{"０", "１", "２", "３", "４", "５", "６", "７", "８", "９"}

func writeNum(b *strings.Builder, n int, wide bool) {
	s := strconv.Itoa(n)
	if !wide {
		b.WriteString(s)
		return
	}
	for _, c := range s {
		b.WriteString(wideDigit[c-'0'])
	}
}

// render writes tokens; folded writes every word in its simplified form (the text a search
// engine sees after traditional→simplified folding).
func (w *Worker) render(toks []uint32, folded bool) string {
	v := w.v
	b := &strings.Builder{}
	b.Grow(len(toks) * 5)
	for _, t := range toks {
		if t&tokSpecial == 0 {
			trad := t&tokTrad != 0 && !folded
			id := int(t &^ tokTrad)
			if id < len(v.words) {
				if trad && v.trad[id] != "" {
					b.WriteString(v.trad[id])
				} else {
					b.WriteString(v.words[id])
				}
			} else {
				v.writeTail(b, id-len(v.words), trad)
			}
			continue
		}
		val := int(t & 0xffffff)
		wide := val&wideDigits != 0
		val &^= wideDigits
		switch (t >> 24) & 0x7f {
		case spComma:
			b.WriteString("，")
		case spPeriod:
			b.WriteString("。")
		case spSemicolon:
			b.WriteString("；")
		case spEnumComma:
			b.WriteString("、")
		case spColon:
			b.WriteString("：")
		case spNewline:
			b.WriteByte('\n')
		case spHeading:
			b.WriteString(v.zhNum[val])
			b.WriteString("、")
		case spSubheading:
			b.WriteString("（")
			b.WriteString(v.zhNum[val])
			b.WriteString("）")
		case spYear:
			writeNum(b, val, wide)
			b.WriteString("年")
		case spAmount:
			writeNum(b, val, wide)
			b.WriteString("万元")
		case spPercent:
			writeNum(b, val/10, wide)
			b.WriteString(".")
			writeNum(b, val%10, wide)
			b.WriteString("%")
		case spCount:
			writeNum(b, val/8, wide)
			b.WriteString(countUnits[val%8])
		case spIssuer:
			b.WriteString(issuers[val].name)
		case spGenreWord:
			b.WriteString(genreTitleWords[val/8][val%8])
		case spOpenTitle:
			b.WriteString("《")
		case spCloseTitle:
			b.WriteString("》")
		}
	}
	return b.String()
}

// docNo builds the 文号: 机关代字 + bracketed year + number + 号.
func docNo(m *Meta) string {
	if m.DocNoNum == 0 {
		return ""
	}
	return issuers[m.Issuer].code + bracketOpen[m.Bracket] + strconv.Itoa(m.Year) +
		bracketShut[m.Bracket] + strconv.Itoa(m.DocNoNum) + "号"
}

// Doc generates document i. With folded set, every word is written in simplified form.
func (w *Worker) Doc(i int, folded bool) Doc {
	m := w.g.Meta(i)
	title, body := w.tokens(i, &m)
	return Doc{
		Index:       i,
		Key:         Key(i),
		Title:       w.render(title, folded),
		DocNo:       docNo(&m),
		Body:        w.render(body, folded),
		Date:        m.Date(),
		Year:        m.Year,
		Issuer:      m.Issuer,
		Genre:       m.Genre,
		Validity:    m.Validity,
		Traditional: m.Traditional,
	}
}

// WordIDs calls fn with every word id of document i (title and body, repeats included).
func (w *Worker) WordIDs(i int, fn func(id int)) {
	m := w.g.Meta(i)
	title, body := w.tokens(i, &m)
	for _, toks := range [2][]uint32{title, body} {
		for _, t := range toks {
			if t&tokSpecial == 0 {
				fn(int(t &^ tokTrad))
			}
		}
	}
}

// BodyWords returns the body tokens of document i as word ids, with -1 for every
// non-word token (punctuation, numbers): runs without -1 are adjacent words.
func (w *Worker) BodyWords(i int, out []int32) []int32 {
	m := w.g.Meta(i)
	_, body := w.tokens(i, &m)
	for _, t := range body {
		if t&tokSpecial == 0 {
			out = append(out, int32(t&^tokTrad))
		} else {
			out = append(out, -1)
		}
	}
	return out
}
