package org

import (
	"fmt"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
)

// NormalizeCode folds an organisation code as people type it: full-width
// characters, lower case, spaces and the hyphen before the check character
// of a 9-character code ("0142768-8").
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ':
			r = 'A' + (r - 'Ａ')
		case r >= 'ａ' && r <= 'ｚ':
			r = 'a' + (r - 'ａ')
		case r == '－' || r == '—':
			r = '-'
		}
		if r == ' ' || r == '　' || r == '-' {
			continue
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// ValidateCode checks an organisation code: the 9-character 组织机构代码
// (GB 11714: 8 body characters and a check character) or the 18-character
// 统一社会信用代码 (GB 32100). It returns the normalized code or an Invalid
// error naming the field "code".
func ValidateCode(raw string) (string, error) {
	c := NormalizeCode(raw)
	switch len(c) {
	case 9:
		if err := checkOrgCode(c); err != nil {
			return "", apperr.Field("code", err.Error())
		}
	case 18:
		if err := checkUSCC(c); err != nil {
			return "", apperr.Field("code", err.Error())
		}
	case 0:
		return "", apperr.Field("code", "机构代码不能为空")
	default:
		return "", apperr.Field("code", fmt.Sprintf("机构代码应为 9 位组织机构代码或 18 位统一社会信用代码，输入的是 %d 位", len([]rune(c))))
	}
	return c, nil
}

// GB 11714-1997: body characters are digits and capital letters (A=10 … Z=35).
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

func orgCodeCheck(body string) (byte, error) {
	sum := 0
	for i := 0; i < 8; i++ {
		ch := body[i]
		var v int
		switch {
		case ch >= '0' && ch <= '9':
			v = int(ch - '0')
		case ch >= 'A' && ch <= 'Z':
			v = int(ch-'A') + 10
		default:
			return 0, fmt.Errorf("组织机构代码第 %d 位 %q 不是数字或大写字母", i+1, ch)
		}
		sum += v * orgCodeWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + c), nil
	}
}

func checkOrgCode(c string) error {
	want, err := orgCodeCheck(c[:8])
	if err != nil {
		return err
	}
	if c[8] != want {
		return fmt.Errorf("组织机构代码校验位错误：第 9 位应为 %c，输入的是 %c", want, c[8])
	}
	return nil
}

// GB 32100-2015: 31 characters, no I, O, Z, S, V.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

func checkUSCC(c string) error {
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, c[i])
		if v < 0 {
			return fmt.Errorf("统一社会信用代码第 %d 位 %q 不是允许的字符（数字和除 I、O、Z、S、V 外的大写字母）", i+1, c[i])
		}
		sum += v * usccWeights[i]
	}
	want := usccChars[(31-sum%31)%31]
	if c[17] != want {
		return fmt.Errorf("统一社会信用代码校验位错误：第 18 位应为 %c，输入的是 %c", want, c[17])
	}
	return nil
}

// MakeOrgCode appends the GB 11714 check character to an 8-character body
// (used by the demo data and tests to make valid fictional codes).
func MakeOrgCode(body string) string {
	ch, err := orgCodeCheck(body)
	if err != nil || len(body) != 8 {
		panic("org: bad code body " + body)
	}
	return body + string(ch)
}

// MakeUSCC appends the GB 32100 check character to a 17-character body.
func MakeUSCC(body string) string {
	if len(body) != 17 {
		panic("org: bad USCC body " + body)
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, body[i])
		if v < 0 {
			panic("org: bad USCC body " + body)
		}
		sum += v * usccWeights[i]
	}
	return body + string(usccChars[(31-sum%31)%31])
}
