package site_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/site"
)

func TestSettings(t *testing.T) {
	s := &site.Service{DB: dbtest.Open(t), Now: time.Now}
	ctx := context.Background()
	got, err := s.Get(ctx)
	if err != nil || got != site.Defaults() {
		t.Fatalf("defaults: %+v %v", got, err)
	}
	op := audit.System("test", "测试")
	if err := s.Set(ctx, op, map[string]string{"site.name": " 某区人民政府 ", "site.icp": "某ICP备1号"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get(ctx)
	if got.Name != "某区人民政府" || got.ICP != "某ICP备1号" || got.ColumnName != "政府信息公开" {
		t.Fatalf("after set: %+v", got)
	}
	// An emptied setting falls back to its default.
	s.Set(ctx, op, map[string]string{"site.name": ""})
	if got, _ = s.Get(ctx); got.Name != site.Defaults().Name {
		t.Fatalf("emptied name: %q", got.Name)
	}
	err = s.Set(ctx, op, map[string]string{"site.colour": "red", "site.name": strings.Repeat("长", 201)})
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || len(e.Fields) != 2 {
		t.Fatalf("bad settings: %v", err)
	}
	res, err := audit.Verify(ctx, s.DB.R)
	if err != nil || !res.OK() || res.Events != 2 {
		t.Fatalf("settings changes not on the chain: %+v %v", res, err)
	}
}
