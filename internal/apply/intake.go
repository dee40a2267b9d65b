package apply

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/workday"
)

// Intake from an API client: a provincial 政府信息公开申请平台 (一网通办)
// pushes the applications made on it into the org they were addressed to.

// IntakeClient is the integration that pushes an application: its id keys
// replay protection, its name is the actor in the evidence chain.
type IntakeClient struct{ ID, Name string }

// MaxRef is the longest client reference accepted.
const MaxRef = 64

// intakeKey is the submit_key of a pushed application. Portal keys are 32
// hex digits, so the "api:" prefix cannot collide with them.
func intakeKey(clientID, ref string) string { return "api:" + clientID + ":" + ref }

// Intake stores an application pushed by an API client. It is an online
// application (互联网渠道): the platform's submission day is today and the
// case is unconfirmed, for staff still confirm it with the applicant
// (第三十一条第（三）项), which starts the clock.
//
// ref is the client's own id for the application (required, at most 64
// printable ASCII characters, no spaces). (client, ref) is idempotent: the
// same ref with the same content returns the stored case with created
// false, so a platform may retry after a timeout. The same ref with other
// content is a Conflict: the applicant fields (everything in Application
// the client supplies) are compared after the same trimming validate
// applies before storing, so what was stored is what a true replay yields.
// The submission day is not compared: a retry tomorrow is still a retry.
func (s *Service) Intake(ctx context.Context, client IntakeClient, ip, orgID, ref string, a Application) (c Case, created bool, err error) {
	if client.ID == "" || orgID == "" {
		return Case{}, false, errors.New("apply: intake without a client or org")
	}
	a.Channel = ChannelOnline
	a.SubmittedOn = workday.DateOf(s.now()).String()
	a.SignedOn, a.ConfirmedOn = "", ""
	var fs apperr.Fields
	switch {
	case ref == "":
		fs.Add("ref", "请提供申请在本平台的编号 ref（用于防止重复提交）")
	case len(ref) > MaxRef:
		fs.Add("ref", "ref 最多 64 个字符")
	case strings.IndexFunc(ref, func(r rune) bool { return r < '!' || r > '~' }) >= 0:
		fs.Add("ref", "ref 只能由字母、数字和 ASCII 标点组成，不能含空格")
	}
	if err := validate(&a, false); err != nil {
		ae, ok := apperr.As(err)
		if !ok {
			return Case{}, false, err
		}
		fs = append(fs, ae.Fields...)
	}
	if err := fs.Err(); err != nil {
		return Case{}, false, err
	}
	key := intakeKey(client.ID, ref)
	replay := func() (Case, bool, error) {
		var id string
		err := s.DB.R.QueryRowContext(ctx, "SELECT id FROM apply_cases WHERE submit_key = $1", key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return Case{}, false, nil
		}
		if err != nil {
			return Case{}, false, err
		}
		c, err := s.load(ctx, s.DB.R, id)
		if err != nil {
			return Case{}, false, err
		}
		if !sameApplication(c.Application, a) {
			return Case{}, true, apperr.New(apperr.Conflict, "ref “"+ref+"”已用于另一份内容不同的申请（查询号 "+c.TrackingNo+
				"）；同一 ref 只能重复提交完全相同的内容，新的申请请使用新的 ref")
		}
		return c, true, nil
	}
	if c, ok, err := replay(); ok || err != nil {
		return c, false, err
	}
	actor := audit.Actor{ID: "api:" + client.ID, Name: "接口：" + client.Name, IP: ip}
	c, err = s.insert(ctx, actor, orgID, key, a, StatusUnconfirmed, "")
	if err != nil {
		// Two copies of one push racing: the loser's insert hits the
		// unique key and answers as a replay of the winner.
		if c, ok, err2 := replay(); ok {
			return c, false, err2
		}
		return Case{}, false, err
	}
	return c, true, nil
}

// sameApplication compares what an API client supplies.
func sameApplication(x, y Application) bool {
	return x.ApplicantType == y.ApplicantType && x.ApplicantName == y.ApplicantName && x.IDDocType == y.IDDocType &&
		x.IDDocNo == y.IDDocNo && x.ContactPhone == y.ContactPhone && x.ContactEmail == y.ContactEmail &&
		x.ContactAddress == y.ContactAddress && x.Description == y.Description && x.DocHint == y.DocHint &&
		x.Form == y.Form && x.Delivery == y.Delivery
}

// IntakeStatus is Track for an API client: only a case now in the client's
// org, or one this client pushed (transferred since to the org that should
// handle it, 转办), is visible; any other number answers the same NotFound
// as an unknown one.
func (s *Service) IntakeStatus(ctx context.Context, client IntakeClient, orgID, trackingNo string) (Tracking, error) {
	notFound := apperr.NotFoundf("没有这个查询号，请核对后重新输入")
	trackingNo = strings.ToUpper(strings.TrimSpace(trackingNo))
	if len(trackingNo) > 40 {
		return Tracking{}, notFound
	}
	var caseOrg string
	var key sql.NullString
	err := s.DB.R.QueryRowContext(ctx, "SELECT org_id, submit_key FROM apply_cases WHERE tracking_no = $1", trackingNo).Scan(&caseOrg, &key)
	if errors.Is(err, sql.ErrNoRows) {
		return Tracking{}, notFound
	}
	if err != nil {
		return Tracking{}, err
	}
	if caseOrg != orgID && !strings.HasPrefix(key.String, intakeKey(client.ID, "")) {
		return Tracking{}, notFound
	}
	return s.Track(ctx, trackingNo)
}
