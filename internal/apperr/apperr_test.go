package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestFieldsAndKinds(t *testing.T) {
	var fs Fields
	if fs.Err() != nil {
		t.Fatal("empty Fields is an error")
	}
	fs.Add("name", "名称不能为空")
	fs.Add("code", "代码校验位错误")
	err := fs.Err()
	e, ok := As(fmt.Errorf("wrapped: %w", err))
	if !ok || e.Kind != Invalid || len(e.Fields) != 2 || e.Message != "输入有误：名称不能为空；代码校验位错误" {
		t.Fatalf("Fields.Err = %#v", e)
	}
	if KindOf(errors.New("boom")) != Internal || Is(nil, Internal) {
		t.Fatal("plain errors must be Internal, nil is nothing")
	}
	codes := map[string]bool{}
	for _, k := range []Kind{Internal, Invalid, NotFound, Conflict, Forbidden, Unauthenticated, TooMany} {
		if codes[k.Code()] {
			t.Fatalf("duplicate API code %s", k.Code())
		}
		codes[k.Code()] = true
	}
	cause := errors.New("db down")
	wrapped := &Error{Kind: NotFound, Message: "不存在", Err: cause}
	if !errors.Is(wrapped, cause) || !Is(wrapped, NotFound) {
		t.Fatal("cause not unwrapped")
	}
}
