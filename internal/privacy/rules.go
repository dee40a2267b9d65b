package privacy

// normRune folds the forms Chinese input methods produce for the characters
// the rules look at: full-width ASCII (０-９, Ｘ, ＠, （, －, ：…) and the
// ideographic and no-break spaces. Everything else is returned unchanged, so
// the mapping is rune-for-rune and offsets survive it.
func normRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000 || r == 0xA0:
		return ' '
	}
	return r
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isAlpha(r rune) bool { return (r|0x20) >= 'a' && (r|0x20) <= 'z' }

func isAlnum(r rune) bool { return isDigit(r) || isAlpha(r) }

// isSep is what people put between digit groups of phone and card numbers.
func isSep(r rune) bool { return r == ' ' || r == '-' }

func isLocalChar(r rune) bool {
	return isAlnum(r) || r == '.' || r == '_' || r == '%' || r == '+' || r == '-'
}

func isDomainChar(r rune) bool { return isAlnum(r) || r == '-' }

// validProvince reports whether the first two digits of an ID are a
// province-level code of GB/T 2260 (plus 71 Taiwan, 81 Hong Kong, 82 Macao,
// which appear on mainland-issued numbers).
func validProvince(a, b byte) bool {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return false
	}
	switch n := int(a-'0')*10 + int(b-'0'); {
	case n >= 11 && n <= 15, n >= 21 && n <= 23, n >= 31 && n <= 37,
		n >= 41 && n <= 46, n >= 50 && n <= 54, n >= 61 && n <= 65,
		n == 71, n == 81, n == 82:
		return true
	}
	return false
}

func atoiDigits(d []byte) int {
	n := 0
	for _, c := range d {
		n = n*10 + int(c-'0')
	}
	return n
}

// validDate checks a real calendar date between 1900-01-01 and today, the
// only birth dates a living or recently living resident can carry.
func validDate(y, m, d, today int) bool {
	if y < 1900 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days && y*10000+m*100+d <= today
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idLike18 is the structure of a GB 11643 number without its check
// character: a province and a plausible birth date. An 18-digit number with
// this structure but a wrong check character is a mistyped ID or a serial
// number, and in neither case a bank card.
func idLike18(d []byte, today int) bool {
	return len(d) == 18 && validProvince(d[0], d[1]) &&
		validDate(atoiDigits(d[6:10]), atoiDigits(d[10:12]), atoiDigits(d[12:14]), today)
}

// validID18 is GB 11643-1999: province, birth date and the ISO 7064 MOD 11-2
// check character. d holds 17 ASCII digits and then a digit or X/x.
func validID18(d []byte, today int) bool {
	if !idLike18(d, today) {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(d[i]-'0') * idWeights[i]
	}
	want := "10X98765432"[sum%11]
	got := d[17]
	if got == 'x' {
		got = 'X'
	}
	return got == want
}

// validID15 is the pre-1999 form: area code, YYMMDD in the 1900s, sequence.
// It has no check digit, so province and date are all there is to go on.
func validID15(d []byte, today int) bool {
	return len(d) == 15 && validProvince(d[0], d[1]) &&
		validDate(1900+atoiDigits(d[6:8]), atoiDigits(d[8:10]), atoiDigits(d[10:12]), today)
}

const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

func usccValue(c byte) int {
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	for i := 0; i < len(usccChars); i++ {
		if usccChars[i] == c {
			return i
		}
	}
	return -1
}

// validUSCC is the GB 32100-2015 unified social credit code check. Such codes
// identify organisations and are published on purpose.
func validUSCC(d []byte) bool {
	if len(d) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := usccValue(d[i])
		if v < 0 {
			return false
		}
		sum += v * usccWeights[i]
	}
	c := (31 - sum%31) % 31
	return usccValue(d[17]) == c
}

func luhn(d []byte) bool {
	sum := 0
	double := false
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
	return sum%10 == 0
}

// validBank accepts 16–19 digits with an issuer prefix used by cards issued
// in China (3 JCB/AmEx, 4 Visa, 5 Mastercard, 6 UnionPay, 9 domestic debit)
// and a Luhn check. Eighteen digits that are, or look like, a resident ID or
// that are a valid credit code are left to those rules.
func validBank(d []byte, today int) bool {
	if len(d) < 16 || len(d) > 19 {
		return false
	}
	switch d[0] {
	case '3', '4', '5', '6', '9':
	default:
		return false
	}
	if !luhn(d) {
		return false
	}
	if len(d) == 18 && (idLike18(d, today) || validUSCC(d)) {
		return false
	}
	return true
}
