package web

import (
	"fmt"
	"html/template"

	"gongkai.dev/gongkai/internal/info"
	"net/http"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// The back office of 依申请公开: the handler's list (most urgent first), a
// case page that explains its clock, and the forms that move it.
func (s *Server) applyAdminRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/apply", s.admin(s.applyList))
	m.HandleFunc("GET /admin/apply/new", s.admin(s.applyNew))
	m.HandleFunc("POST /admin/apply", s.admin(s.applyRegister))
	m.HandleFunc("GET /admin/apply/{id}", s.admin(s.applyShow))
	m.HandleFunc("POST /admin/apply/{id}/confirm", s.admin(s.applyAction("confirm")))
	m.HandleFunc("POST /admin/apply/{id}/event", s.admin(s.applyAction("event")))
	m.HandleFunc("POST /admin/apply/{id}/reply", s.admin(s.applyAction("reply")))
	m.HandleFunc("POST /admin/apply/{id}/transfer", s.admin(s.applyAction("transfer")))
	for _, a := range []string{"fee", "deliver", "archive", "assign", "remedy", "proactive"} {
		m.HandleFunc("POST /admin/apply/{id}/"+a, s.admin(s.applyAction(a)))
	}
	s.applyLetterRoutes()
}

func (s *Server) applyList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	closed := r.URL.Query().Get("tab") == "closed"
	rows, err := s.Apply.List(ctx, p, !closed, 300)
	if err != nil {
		return err
	}
	filter := applyFilterFrom(r)
	rows = filter.mine(rows, p.User.ID)
	names, err := s.orgNames(r.Context())
	if err != nil {
		return err
	}
	var overdue, near int
	for _, row := range rows {
		if rowOverdue(row) {
			overdue++
		} else if rowNear(row) {
			near++
		}
	}
	if !closed {
		rows = filter.due(rows)
	}
	pd := &pageData{Title: "依申请公开", Section: "apply"}
	pd.Breadcrumb = []crumb{{"依申请公开", ""}}
	pd.Data = map[string]any{"Rows": rows, "Closed": closed, "OrgNames": names, "Overdue": overdue, "NearCount": near,
		"Near": apply.Near, "States": apply.ClockStateLabels, "Statuses": apply.StatusLabels,
		"CanRegister": p.CanAny(org.PermApplyHandle), "Filter": filter, "Links": filter.links(closed),
		"ExportFrom": fmt.Sprintf("%d-01-01", s.Apply.Today().Year), "ExportTo": s.Apply.Today().String()}
	s.render(w, r, http.StatusOK, "admin/apply_list.html", pd)
	return nil
}

// handlingOrgs are the orgs where p may register applications.
func (s *Server) handlingOrgs(r *http.Request, p *org.Principal) ([]string, []string, error) {
	scope, err := s.Orgs.Scope(r.Context(), p, org.PermApplyHandle)
	if err != nil {
		return nil, nil, err
	}
	names, err := s.orgNames(r.Context())
	if err != nil {
		return nil, nil, err
	}
	var labels []string
	for _, id := range scope {
		labels = append(labels, names[id])
	}
	return scope, labels, nil
}

func (s *Server) applyNew(w http.ResponseWriter, r *http.Request) error {
	today := s.Apply.Today().String()
	return s.renderApplyForm(w, r, http.StatusOK, &pageData{Form: map[string]string{"submitted_on": today}})
}

func (s *Server) renderApplyForm(w http.ResponseWriter, r *http.Request, status int, pd *pageData) error {
	p := principalFrom(r.Context())
	ids, labels, err := s.handlingOrgs(r, p)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return apperr.New(apperr.Forbidden, "没有登记申请的权限（需要依申请办理员角色）")
	}
	if len(ids) == 1 && pd.Form["org_id"] == "" {
		pd.Form["org_id"] = ids[0]
	}
	var chCodes, chLabels, tCodes, tLabels []string
	for _, c := range apply.Channels {
		chCodes, chLabels = append(chCodes, c.Code), append(chLabels, c.Label+"（"+c.Rule+"）")
	}
	for _, t := range apply.ApplicantTypes {
		tCodes, tLabels = append(tCodes, t.Code), append(tLabels, t.Label)
	}
	pd.Title, pd.Section = "登记申请", "apply"
	pd.Breadcrumb = []crumb{{"依申请公开", "/admin/apply"}, {"登记申请", ""}}
	pd.Data = map[string]any{"OrgIDs": ids, "OrgLabels": labels, "ChannelCodes": chCodes, "ChannelLabels": chLabels,
		"TypeCodes": tCodes, "TypeLabels": tLabels, "Forms": applyForms, "Delivery": applyDeliveries, "IDDocTypes": idDocTypes}
	s.render(w, r, status, "admin/apply_form.html", pd)
	return nil
}

func applicationFrom(r *http.Request) apply.Application {
	f := r.PostForm.Get
	return apply.Application{ApplicantType: f("applicant_type"), ApplicantName: f("applicant_name"), IDDocType: f("id_doc_type"),
		IDDocNo: f("id_doc_no"), ContactPhone: f("contact_phone"), ContactEmail: f("contact_email"), ContactAddress: f("contact_address"),
		Description: f("description"), DocHint: f("doc_hint"), Form: f("form"), Delivery: f("delivery"), Channel: f("channel"),
		SubmittedOn: f("submitted_on"), SignedOn: f("signed_on"), ConfirmedOn: f("confirmed_on")}
}

func (s *Server) applyRegister(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取")
	}
	ctx := r.Context()
	p := principalFrom(ctx)
	pd := &pageData{Form: formValues(r)}
	orgID := r.PostForm.Get("org_id")
	var err error
	if orgID == "" {
		err = apperr.Field("org_id", "请选择受理机关")
	} else {
		var c apply.Case
		if c, err = s.Apply.Register(ctx, p, clientIP(r), orgID, applicationFrom(r)); err == nil {
			http.Redirect(w, r, "/admin/apply/"+c.ID+"?ok=created", http.StatusSeeOther)
			return nil
		}
	}
	if e := formErrors(err, pd); e != nil {
		return e
	}
	return s.renderApplyForm(w, r, http.StatusBadRequest, pd)
}

func (s *Server) applyShow(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Apply.Get(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderApplyShow(w, r, http.StatusOK, &pageData{Form: map[string]string{}}, c)
}

func (s *Server) renderApplyShow(w http.ResponseWriter, r *http.Request, status int, pd *pageData, c apply.Case) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	o, err := s.Orgs.GetOrg(ctx, c.OrgID)
	if err != nil {
		return err
	}
	clock, cerr := s.Apply.Clock(ctx, c)
	clockErr := ""
	if cerr != nil {
		clockErr = cerr.Error()
	}
	canHandle, _ := s.Orgs.Allowed(ctx, p, org.PermApplyHandle, c.OrgID)
	canApprove, _ := s.Orgs.Allowed(ctx, p, org.PermApplyApprove, c.OrgID)
	var oCodes, oLabels []string
	for _, x := range apply.Outcomes {
		oCodes, oLabels = append(oCodes, x.Code), append(oLabels, apply.GroupLabels[x.Group]+"："+x.Label+"（"+x.Row+"）")
	}
	outcome, _ := apply.OutcomeByCode(c.Outcome)
	receivers, err := s.receivers(r)
	if err != nil {
		return err
	}
	var rIDs, rNames []string
	for _, o := range receivers {
		if o.ID != c.OrgID {
			rIDs, rNames = append(rIDs, o.ID), append(rNames, o.Name)
		}
	}
	x, err := s.applyExtras(r, p, c, canHandle)
	if err != nil {
		return err
	}
	canInfo, _ := s.Orgs.Allowed(ctx, p, org.PermInfoEdit, c.OrgID)
	today := s.Apply.Today().String()
	if _, ok := pd.Form["prior"]; !ok {
		pd.Form["prior"] = strconv.Itoa(x.PriorMonth)
	}
	for _, k := range []string{"on", "reply_on", "confirmed_on", "fee_on", "delivered_on"} {
		if pd.Form[k] == "" {
			pd.Form[k] = today
		}
	}
	pd.Title, pd.Section = "申请 "+c.TrackingNo, "apply"
	pd.Breadcrumb = []crumb{{"依申请公开", "/admin/apply"}, {c.TrackingNo, ""}}
	pd.Data = map[string]any{"Case": c, "Org": o, "Clock": clock, "ClockErr": clockErr, "States": apply.ClockStateLabels,
		"Statuses": apply.StatusLabels, "CanHandle": canHandle, "CanApprove": canApprove, "OutcomeCodes": oCodes,
		"OutcomeLabels": oLabels, "Outcome": outcome, "GroupLabel": apply.GroupLabels[outcome.Group],
		"Channel": channelName(c.Channel), "TypeLabel": applicantTypeLabel(c.ApplicantType), "EventLabels": eventLabels,
		"ReceiverIDs": rIDs, "ReceiverNames": rNames, "X": x, "CanInfo": canInfo, "FeeMethods": apply.FeeMethods,
		"DeliveryMethods": apply.DeliveryMethods, "RemedyKinds": apply.RemedyKinds, "RemedyResults": apply.RemedyResults,
		"Lapsed": c.Outcome == "other_no_correction" || c.Outcome == "other_no_payment"}
	s.render(w, r, status, "admin/apply_show.html", pd)
	return nil
}

var eventLabels = map[string]string{
	apply.EvReceived: "收到申请", apply.EvCorrectionNotice: "发出补正告知", apply.EvCorrectionReceived: "收到补正",
	apply.EvConsultSent: "发出征求意见书", apply.EvConsultAnswered: "收到征求意见回复", apply.EvExtension: "延期答复",
	apply.EvFeeNotice: "收费通知送达", apply.EvFeePaid: "缴纳信息处理费", apply.EvReplied: "作出答复",
}

func channelName(code string) string {
	for _, c := range apply.Channels {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

func applicantTypeLabel(code string) string {
	for _, t := range apply.ApplicantTypes {
		if t.Code == code {
			return t.Label
		}
	}
	return code
}

func (s *Server) applyAction(action string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return apperr.New(apperr.Invalid, "表单无法读取")
		}
		ctx := r.Context()
		p := principalFrom(ctx)
		id := r.PathValue("id")
		f := r.PostForm.Get
		var err error
		switch action {
		case "confirm":
			_, err = s.Apply.Confirm(ctx, p, clientIP(r), id, f("confirmed_on"))
		case "reply":
			_, err = s.Apply.Reply(ctx, p, clientIP(r), id, replyInput(r))
		case "fee":
			prior, _ := strconv.Atoi(strings.TrimSpace(f("prior")))
			units, uerr := strconv.Atoi(strings.TrimSpace(f("units")))
			if uerr != nil {
				err = apperr.Field("units", "请填写件数或页数（整数）")
				break
			}
			_, err = s.Apply.NoticeFee(ctx, p, clientIP(r), id, apply.FeeInput{On: f("fee_on"), Method: apply.FeeMethod(f("fee_method")),
				Prior: prior, Units: units})
		case "deliver":
			_, err = s.Apply.RecordDelivery(ctx, p, clientIP(r), id, apply.DeliveryRecord{On: f("delivered_on"),
				Method: f("delivery_method"), Note: f("delivery_note")})
		case "archive":
			_, err = s.Apply.Archive(ctx, p, clientIP(r), id, f("archive_no"))
		case "assign":
			_, err = s.Apply.Assign(ctx, p, clientIP(r), id, f("handler"))
		case "remedy":
			_, err = s.Apply.SaveRemedy(ctx, p, clientIP(r), id, apply.Remedy{ID: f("remedy_id"), Kind: f("remedy_kind"),
				FiledOn: f("filed_on"), Result: f("result"), DecidedOn: f("decided_on"), Note: f("remedy_note")})
		case "proactive":
			err = s.applyProactive(r, p, id)
		case "transfer":
			if _, err = s.Apply.Transfer(ctx, p, clientIP(r), id, f("to_org"), f("transfer_reason")); err == nil {
				// The case has left this org: back to the list.
				http.Redirect(w, r, "/admin/apply?ok=transferred", http.StatusSeeOther)
				return nil
			}
			if e, ok := apperr.As(err); ok && len(e.Fields) > 0 && e.Fields[0].Field == "reason" {
				err = apperr.Field("transfer_reason", e.Fields[0].Message)
			}
		case "event":
			var e apply.ClockEvent
			e, err = clockEventFrom(r)
			if err == nil {
				_, err = s.Apply.Record(ctx, p, clientIP(r), id, e, f("note"))
			}
		}
		if err == nil {
			http.Redirect(w, r, "/admin/apply/"+id+"?ok=saved", http.StatusSeeOther)
			return nil
		}
		err = renameFields(err, actionFields[action])
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			ae, ok := apperr.As(e)
			if !ok || ae.Kind != apperr.Forbidden && ae.Kind != apperr.Conflict {
				return e
			}
			pd.Error = ae.Message // shown on the case page, which stays in view
		}
		c, gerr := s.Apply.Get(ctx, p, id)
		if gerr != nil {
			return gerr
		}
		return s.renderApplyShow(w, r, http.StatusBadRequest, pd, c)
	}
}

func clockEventFrom(r *http.Request) (apply.ClockEvent, error) {
	f := r.PostForm.Get
	var fs apperr.Fields
	e := apply.ClockEvent{Kind: f("kind"), Party: f("party"), Ref: strings.TrimSpace(f("ref"))}
	on, err := workday.ParseDate(strings.TrimSpace(f("on")))
	if err != nil {
		fs.Add("on", "日期应为 YYYY-MM-DD 格式")
	}
	e.On = on
	if v := strings.TrimSpace(f("until")); v != "" {
		if e.Until, err = workday.ParseDate(v); err != nil {
			fs.Add("until", "补正期限应为 YYYY-MM-DD 格式")
		}
	}
	if v := strings.TrimSpace(f("days")); v != "" {
		if e.Days, err = strconv.Atoi(v); err != nil {
			fs.Add("days", "延期天数应为整数")
		}
	}
	if e.Kind == apply.EvConsultSent && e.Ref == "" {
		e.Ref = f("party") + "-" + on.String()
	}
	return e, fs.Err()
}

// applyProactive brings a case's information into proactive disclosure
// (第四十四条): a draft record in the case's org, for the editor to attach
// the document and send to review; the case names the draft. Creating a
// draft needs the editor's permission as well as the handler's.
func (s *Server) applyProactive(r *http.Request, p *org.Principal, id string) error {
	ctx := r.Context()
	c, err := s.Apply.Get(ctx, p, id)
	if err != nil {
		return err
	}
	if !apply.CanProactive(c) {
		return apperr.New(apperr.Conflict, "只有已予以公开（或部分公开）且尚未纳入主动公开的申请可以这样处理")
	}
	if ok, err := s.Orgs.Allowed(ctx, p, org.PermInfoEdit, c.OrgID); err != nil {
		return err
	} else if !ok {
		return apperr.New(apperr.Forbidden, "建立主动公开草稿需要本机关信息发布员的权限")
	}
	title := []rune(strings.Join(strings.Fields(c.Description), " "))
	if len(title) > 60 {
		title = append(title[:60], '…')
	}
	rec, err := s.Info.Create(ctx, p, clientIP(r), c.OrgID, info.Fields{
		Title: string(title), Genre: "其他", Attribute: info.Proactive, FormedOn: s.Apply.Today().String(),
		Summary: "多个申请人申请公开相同政府信息，根据《中华人民共和国政府信息公开条例》第四十四条纳入主动公开范围（依申请公开查询号 " +
			c.TrackingNo + "）。",
		Body: "<p>" + template.HTMLEscapeString(c.ReplyObtain) + "</p>",
	})
	if err != nil {
		return err
	}
	_, err = s.Apply.MarkProactive(ctx, p, clientIP(r), id, rec.ID)
	return err
}

// actionFields rename the service's field names to the case page's form
// fields, where several forms share one page.
var actionFields = map[string]map[string]string{
	"reply":  {"on": "reply_on"},
	"fee":    {"on": "fee_on", "items": "units", "pages": "units", "prior_in_month": "prior", "kind": "fee_method"},
	"remedy": {"kind": "remedy_kind", "note": "remedy_note"},
}

func renameFields(err error, names map[string]string) error {
	ae, ok := apperr.As(err)
	if !ok || len(ae.Fields) == 0 || names == nil {
		return err
	}
	var fs apperr.Fields
	for _, f := range ae.Fields {
		if n, ok := names[f.Field]; ok {
			f.Field = n
		}
		fs.Add(f.Field, f.Message)
	}
	return fs.Err()
}
