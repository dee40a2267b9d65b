package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// The portal side of 依申请公开: the online application form and the
// tracking page. Neither is cached: the form carries a one-time submission
// key and the tracking page is per case.
func (s *Server) applyPortalRoutes() {
	m := s.mux
	m.HandleFunc("GET /ysqgk/sq", s.page(s.applyForm))
	m.HandleFunc("POST /ysqgk/sq", s.page(s.applySubmit))
	m.HandleFunc("GET /ysqgk/cx", s.page(s.applyTrack))
	m.HandleFunc("GET /api/v1/apply/{no}", s.api(s.apiApplyStatus))
}

// apiApplyStatus is the tracking page as JSON (for a provincial platform or
// a mobile app that holds the tracking number): no personal data.
func (s *Server) apiApplyStatus(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Apply.Track(r.Context(), r.PathValue("no"))
	if err != nil {
		return err
	}
	date := func(d workday.Date) string {
		if d == (workday.Date{}) {
			return ""
		}
		return d.String()
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"tracking_no": t.TrackingNo, "status": t.Status, "status_label": t.StatusLabel,
		"submitted_on": t.SubmittedOn, "received_on": t.ReceivedOn, "replied_on": t.RepliedOn, "outcome": t.Outcome,
		"clock": map[string]any{"state": t.Clock.State, "due": date(t.Clock.Due), "overdue": t.Clock.Overdue,
			"remaining_workdays": t.Clock.Remaining, "correction_deadline": date(t.Clock.CorrectionDeadline),
			"payment_due": date(t.Clock.PaymentDue), "steps": t.Clock.Steps},
	})
	return nil
}

// Forms and delivery ways offered to applicants (第二十九条第（三）项).
var (
	applyForms      = []string{"纸质", "电子"}
	applyDeliveries = []string{"邮寄", "电子邮件", "当面领取", "网上获取"}
	idDocTypes      = []string{"居民身份证", "港澳台居民居住证", "护照", "统一社会信用代码证/营业执照", "其他"}
)

type applyFormView struct {
	Receivers       []org.Org
	ReceiverCodes   []string
	ReceiverNames   []string
	TypeCodes       []string
	TypeLabels      []string
	Forms, Delivery []string
	IDDocTypes      []string
	SubmitKey       string
	Submitted       *apply.Case
	ReceiverName    string
}

// receivers are the agencies that take applications (条例第二十七条): the
// government, its departments and streets/towns; communities and villages
// are not administrative agencies.
func (s *Server) receivers(r *http.Request) ([]org.Org, error) {
	all, err := s.Orgs.ListOrgs(r.Context())
	if err != nil {
		return nil, err
	}
	var out []org.Org
	for _, o := range all {
		if o.Kind != org.KindCommunity && o.Kind != org.KindVillage {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *Server) applyFormView(r *http.Request) (applyFormView, error) {
	v := applyFormView{Forms: applyForms, Delivery: applyDeliveries, IDDocTypes: idDocTypes}
	var err error
	if v.Receivers, err = s.receivers(r); err != nil {
		return v, err
	}
	for _, o := range v.Receivers {
		v.ReceiverCodes, v.ReceiverNames = append(v.ReceiverCodes, o.Code), append(v.ReceiverNames, o.Name)
	}
	for _, t := range apply.ApplicantTypes {
		v.TypeCodes, v.TypeLabels = append(v.TypeCodes, t.Code), append(v.TypeLabels, t.Label)
	}
	b := make([]byte, 16)
	rand.Read(b)
	v.SubmitKey = hex.EncodeToString(b)
	return v, nil
}

func (s *Server) applyForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.applyFormView(r)
	if err != nil {
		return err
	}
	p := &pageData{Title: "在线申请 - 依申请公开", Section: "ysqgk", Data: v, Form: map[string]string{"org": r.URL.Query().Get("org")}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"依申请公开", "/ysqgk"}, {"在线申请", ""}}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "portal/apply_form.html", p)
	return nil
}

func (s *Server) applySubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取，请重新填写")
	}
	v, err := s.applyFormView(r)
	if err != nil {
		return err
	}
	f := r.PostForm.Get
	p := &pageData{Title: "在线申请 - 依申请公开", Section: "ysqgk", Form: formValues(r)}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"依申请公开", "/ysqgk"}, {"在线申请", ""}}
	w.Header().Set("Cache-Control", "no-store")
	if f("website") != "" { // the honeypot: people never see this field
		err = apperr.New(apperr.Invalid, "提交未成功，请刷新页面后重新填写")
	}
	var receiver org.Org
	if err == nil {
		err = apperr.Field("org", "请选择受理机关")
		for _, o := range v.Receivers {
			if o.Code == f("org") {
				receiver, err = o, nil
			}
		}
	}
	var c apply.Case
	if err == nil {
		key := f("submit_key")
		if len(key) != 32 || strings.Trim(key, "0123456789abcdef") != "" {
			key = "" // a tampered key only loses replay protection
		}
		c, err = s.Apply.Submit(r.Context(), clientIP(r), receiver.ID, key, apply.Application{
			ApplicantType: f("applicant_type"), ApplicantName: f("applicant_name"), IDDocType: f("id_doc_type"),
			IDDocNo: f("id_doc_no"), ContactPhone: f("contact_phone"), ContactEmail: f("contact_email"),
			ContactAddress: f("contact_address"), Description: f("description"), DocHint: f("doc_hint"),
			Form: f("form"), Delivery: f("delivery")})
	}
	if err == nil {
		v.Submitted, v.ReceiverName = &c, receiver.Name
		p.Title = "申请已提交 - 依申请公开"
		p.Data = v
		s.render(w, r, http.StatusOK, "portal/apply_form.html", p)
		return nil
	}
	if e := formErrors(err, p); e != nil {
		return e
	}
	if key := f("submit_key"); key != "" {
		v.SubmitKey = key // a corrected resubmission is still the same form
	}
	p.Data = v
	s.render(w, r, http.StatusBadRequest, "portal/apply_form.html", p)
	return nil
}

type applyTrackView struct {
	No       string
	Tracking *apply.Tracking
	NotFound string
	Labels   map[string]string
}

func (s *Server) applyTrack(w http.ResponseWriter, r *http.Request) error {
	v := applyTrackView{No: strings.TrimSpace(r.URL.Query().Get("no")), Labels: apply.ClockStateLabels}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	status := http.StatusOK
	if v.No != "" {
		t, err := s.Apply.Track(r.Context(), v.No)
		switch {
		case err == nil:
			v.Tracking = &t
		case apperr.Is(err, apperr.NotFound):
			v.NotFound, status = "没有查到这个查询号，请核对后重新输入（查询号印在申请回执和各类告知书上）。", http.StatusNotFound
		default:
			return err
		}
	}
	p := &pageData{Title: "申请办理进度查询 - 依申请公开", Section: "ysqgk", Data: v}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"依申请公开", "/ysqgk"}, {"办理进度查询", ""}}
	s.render(w, r, status, "portal/apply_track.html", p)
	return nil
}
