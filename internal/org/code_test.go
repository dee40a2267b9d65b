package org

import (
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apperr"
)

func TestValidateCode(t *testing.T) {
	tests := []struct {
		in, want, errHas string
	}{
		// Real codes from index numbers on government sites (rules.md §8.1).
		{in: "000014349", want: "000014349"},  // 国务院办公厅
		{in: "00001434-9", want: "000014349"}, // hyphen before check char
		{in: "0142768-8", errHas: "输入的是 8 位"}, // as printed in a reprint: one digit short
		{in: "01527918X", want: "01527918X"},
		{in: "11441700007280420Y", want: "11441700007280420Y"},
		{in: "11341702486344515H", want: "11341702486344515H"},
		{in: "11620622013933539B", want: "11620622013933539B"},
		{in: " １１４４１７０００07280420y ", want: "11441700007280420Y"}, // full width, lower case, spaces
		{in: "000014348", errHas: "第 9 位应为 9"},
		{in: "11441700007280420X", errHas: "第 18 位应为 Y"},
		{in: "1144170000728042IY", errHas: "第 17 位"},
		{in: "0000-1434", errHas: "输入的是 8 位"},
		{in: "", errHas: "不能为空"},
		{in: "00001434!", errHas: "第 9 位应为"},
		{in: "0000143!9", errHas: "第 8 位"},
	}
	for _, tt := range tests {
		got, err := ValidateCode(tt.in)
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("ValidateCode(%q) error = %v, want one containing %q", tt.in, err, tt.errHas)
				continue
			}
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Fields[0].Field != "code" {
				t.Errorf("ValidateCode(%q) error %#v is not an Invalid error on field code", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ValidateCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestMakeCodesRoundTrip(t *testing.T) {
	for _, body := range []string{"00001434", "MA1G2K3L", "12345678", "ZZZZZZZZ"} {
		if _, err := ValidateCode(MakeOrgCode(body)); err != nil {
			t.Errorf("MakeOrgCode(%s): %v", body, err)
		}
	}
	for _, body := range []string{"11441700007280420", "91350100MA2XY612A", "12110000000000000"} {
		if _, err := ValidateCode(MakeUSCC(body)); err != nil {
			t.Errorf("MakeUSCC(%s): %v", body, err)
		}
	}
}

func FuzzValidateCode(f *testing.F) {
	f.Add("11441700007280420Y")
	f.Add("0142768-8")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ValidateCode(s)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("non-Invalid error %v", err)
			}
			return
		}
		if again, err := ValidateCode(got); err != nil || again != got {
			t.Fatalf("normalized %q does not validate to itself: %q %v", got, again, err)
		}
	})
}

func TestPasswords(t *testing.T) {
	h := HashPassword("Correct-horse-9")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash format %q", h)
	}
	if !CheckPassword(h, "Correct-horse-9") {
		t.Fatal("right password rejected")
	}
	for _, bad := range []string{"Correct-horse-8", "", "correct-horse-9"} {
		if CheckPassword(h, bad) {
			t.Fatalf("wrong password %q accepted", bad)
		}
	}
	if CheckPassword("$argon2id$v=19$garbage", "x") || CheckPassword("", "") {
		t.Fatal("malformed hash accepted")
	}
	if HashPassword("same") == HashPassword("same") {
		t.Fatal("hashes are not salted")
	}
}

func TestCheckPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{
		"Demo@2026":   true,
		"abcDEF12":    true,
		"短密码Ab1":      false,
		"abcdefgh":    false,
		"abcdefg1":    false, // two classes
		"ABCDEFG1!":   true,
		"Abc 1234 !":  true,
		"Abc\t12345x": false,
	} {
		if err := CheckPolicy("password", pw); (err == nil) != ok {
			t.Errorf("CheckPolicy(%q) = %v, want ok=%v", pw, err, ok)
		}
	}
}
