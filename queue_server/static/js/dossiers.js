/* The dossier pages of the console: the centre's list, the intake form and one dossier's page.
 * Everything is read and changed through the JSON API; the view only says which page this is,
 * for which site, and (on a dossier's page) which actions each state allows. */
(function () {
  "use strict";
  var S = window.Staff;
  var cfg = S.cfg;
  var t = S.t;
  var $ = S.$;
  var el = S.el;
  var enc = encodeURIComponent;

  function statusBadge(status) { return S.badge(S.label("status", status), "status status-" + status); }
  function flagBadges(flags) {
    return (flags || []).map(function (flag) { return S.badge(S.label("flag", flag), "flag badge-" + flag); });
  }
  function fill(node, children) {
    node.textContent = "";
    children.forEach(function (child) { node.appendChild(child); });
  }

  /* Live dossier events of the site's staff room (no personal data in them).

     `resync` reads the page's data again on every snapshot: one comes once the socket has joined
     the room and after each reconnect, so a change made while it was not listening is not lost. */
  function listen(handlers, resync) {
    var live = new window.LiveSite({
      site: cfg.site,
      onSnapshot: resync,
      onEvent: function () {},
      onStatus: window.Core.connectionNotice("message")
    });
    Object.keys(handlers).forEach(function (name) { live.socket.on(name, handlers[name]); });
    return live;
  }

  // -- the list --------------------------------------------------------------------------------

  function listPage() {
    var LIMIT = 100;
    var FILTERS = ["status", "channel", "received_from", "received_to", "q", "flag", "scope"];
    var shown = 0;
    var refreshTimer = null;
    var params = new URLSearchParams(location.search);
    var query = new URLSearchParams({ site: cfg.site });
    FILTERS.forEach(function (name) { if (params.get(name)) { query.set(name, params.get(name)); } });

    function row(d) {
      var due = [S.when(d.due_at)];
      if (d.apology_due_at) { due.push(el("br"), el("small", { text: S.label("action", "apologise") + ": " + S.when(d.apology_due_at) })); }
      return el("tr", { "data-code": d.code, "data-status": d.status }, [
        el("td", {}, [el("a", { href: S.dossierUrl(d.code), text: d.code })]),
        el("td", { title: d.procedure, text: d.procedure_name }),
        el("td", { text: d.applicant_name }),
        el("td", { text: S.when(d.received_at) }),
        el("td", {}, due),
        el("td", {}, [statusBadge(d.status)]),
        el("td", {}, flagBadges(d.flags))
      ]);
    }

    function load(offset, limit) {
      query.set("offset", offset);
      query.set("limit", limit);
      return S.call("GET", "/api/v1/dossiers?" + query.toString()).then(function (rows) {
        var body = $("rows");
        if (offset === 0) { body.textContent = ""; }
        rows.forEach(function (d) { body.appendChild(row(d)); });
        shown = offset + rows.length;
        $("more").hidden = rows.length < limit;
        $("empty").hidden = shown > 0;
        $("empty").textContent = t("Không có hồ sơ nào.");
      }).catch(function (error) { S.fail(error); });
    }

    function counts() {
      if (!cfg.supervisor) { return; }
      Object.keys(cfg.labels.flag).forEach(function (flag) {
        S.call("GET", "/api/v1/dossiers?" + new URLSearchParams({ site: cfg.site, flag: flag, limit: 500 }).toString())
          .then(function (rows) { $("count-" + flag).textContent = rows.length >= 500 ? "500+" : String(rows.length); })
          .catch(function () {});
      });
    }

    function refreshSoon() {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(function () { load(0, Math.max(LIMIT, shown)); counts(); }, 400);
    }

    function dueSoon(event) {
      var late = (event.flags || []).indexOf("overdue") >= 0;
      var text = late ? "Hồ sơ {code} đã quá hạn trả ({due})." : "Hồ sơ {code} sắp đến hạn trả ({due}).";
      $("due-text").textContent = t(text, { code: event.code, due: S.when(event.due_at) });
      $("due-link").href = S.dossierUrl(event.code);
      $("due-banner").hidden = false;
      refreshSoon();
    }

    $("more").addEventListener("click", function () { load(shown, LIMIT); });

    // The tracking book's volumes; a supervisor opens a new one when the last is full.
    var books = "/api/v1/sites/" + enc(cfg.site) + "/tracking-books";
    function volumes() {
      S.call("GET", books).then(function (list) {
        $("book-volumes").textContent = list.length ? t("Các quyển: {books}", {
          books: list.map(function (b) { return b.volume + "/" + b.year + " (" + b.first_entry + ")"; }).join(", ") }) : "";
      }).catch(function () {});
    }
    if ($("open-book")) {
      $("open-book").addEventListener("click", function () {
        if (!window.confirm(t("Mở quyển sổ mới khi quyển đang dùng đã hết trang? Số thứ tự tiếp tục theo năm."))) { return; }
        S.call("POST", books).then(function (book) {
          S.notice(t("Đã mở quyển số {volume} năm {year}, bắt đầu từ số {entry}.",
            { volume: book.volume, year: book.year, entry: book.first_entry }));
          volumes();
        }).catch(function (error) { S.fail(error); });
      });
    }
    volumes();
    $("due-close").addEventListener("click", function () { $("due-banner").hidden = true; });
    load(0, LIMIT);
    counts();
    window.DOSSIERS = { live: listen({ "dossier.due_soon": dueSoon, "dossier.changed": refreshSoon }, refreshSoon), dueSoon: dueSoon };
  }

  // -- intake ----------------------------------------------------------------------------------

  // Where the API's objections land in the form: [code, start of its message, field, words].
  var OBJECTIONS = [
    ["missing_field", "items", "items"],
    ["missing_field", "reason", "reason"],
    ["invalid_applicant", "id_number", "applicant.id_number"],
    ["invalid_applicant", "phone", "applicant.phone"],
    ["invalid_applicant", "email", "applicant.email"],
    ["missing_field", "applicant.name", "applicant.name"],
    ["missing_field", "A result sent by post", "delivery_address"],
    ["invalid_fee", "", "fee"],
    ["invalid_sets", "", "sets"],
    ["invalid_documents", "", "documents"],
    ["unknown_procedure", "", "procedure"],
    ["not_postal", "", "procedure"]
  ];
  var FIELD_WORDS = {
    items: "Liệt kê các giấy tờ cần bổ sung, mỗi dòng một giấy tờ.",
    reason: "Nhập lý do.",
    "applicant.name": "Nhập họ tên người nộp hồ sơ.",
    "applicant.id_number": "Số CCCD có 12 chữ số (CMND: 9 chữ số).",
    "applicant.phone": "Số điện thoại có từ 8 đến 15 chữ số.",
    "applicant.email": "Địa chỉ thư điện tử không hợp lệ.",
    "delivery_address": "Nhận kết quả qua bưu điện cần địa chỉ nhận.",
    fee: "Lệ phí là số đồng, từ 0 trở lên.",
    sets: "Số bộ hồ sơ từ 1 đến 50.",
    documents: "Số bản của mỗi giấy tờ từ 0 đến 100."
  };

  /* The API's schema errors ({"json": {"applicant": {"name": [...]}}}) as [path, messages]. */
  function flatten(tree, prefix, out) {
    Object.keys(tree || {}).forEach(function (key) {
      var value = tree[key];
      var path = prefix ? prefix + "." + key : key;
      if (Array.isArray(value)) { out.push([path, value]); } else { flatten(value, path, out); }
    });
    return out;
  }

  /* [field, words] for each objection in the error; field null when it belongs to none. */
  function objections(error) {
    if (error.fields) {
      var body = error.fields.json || error.fields;
      return flatten(body, "", []).map(function (pair) {
        var field = pair[0].indexOf("documents") === 0 ? "documents" : pair[0];
        if (field === "procedure") { return [field, S.explain({ code: "unknown_procedure" })]; }
        var missing = pair[1].join(" ").indexOf("Missing data") >= 0;
        return [field, FIELD_WORDS[field] ? t(FIELD_WORDS[field]) : t(missing ? "Bắt buộc." : "Giá trị không hợp lệ.")];
      });
    }
    if (error.field) {  // the server names the field it objects to
      return [[error.field, FIELD_WORDS[error.field] ? t(FIELD_WORDS[error.field]) : S.explain(error)]];
    }
    var match = OBJECTIONS.filter(function (o) { return o[0] === error.code && error.serverMessage.indexOf(o[1]) === 0; })[0]
      || OBJECTIONS.filter(function (o) { return o[0] === error.code && error.serverMessage.indexOf(o[1]) >= 0; })[0];
    if (match) {
      return [[match[2], FIELD_WORDS[match[2]] ? t(FIELD_WORDS[match[2]]) : S.explain(error)]];
    }
    return [[null, S.explain(error)]];
  }

  function intakePage() {
    var form = $("intake");
    var procedures = {};
    var clientId = S.clientId();

    function fieldInput(name) { return form.querySelector('[name="' + name + '"], [data-field="' + name + '"]'); }
    function value(name) { var input = fieldInput(name); return input && input.value.trim() ? input.value.trim() : null; }
    function number(name) { var v = value(name); return v === null ? undefined : Number(v); }

    // The province's whole catalogue (intake regardless of administrative boundary): this
    // centre's own procedures first, then those another centre handles, under its name.
    S.call("GET", "/api/v1/procedures?site=" + enc(cfg.site)).then(function (list) {
      var select = $("procedure");
      var groups = {};
      select.appendChild(el("option", { value: "", text: t("Chọn thủ tục") }));
      list.forEach(function (p) {
        var key = p.site + "|" + p.code;
        procedures[key] = p;
        if (!groups[p.site]) {
          groups[p.site] = el("optgroup", { label: p.site === cfg.site ? t("Thủ tục do trung tâm giải quyết") : p.site_name });
          select.appendChild(groups[p.site]);
        }
        groups[p.site].appendChild(el("option", { value: key, text: p.code + " · " + p.name }));
      });
    }).catch(function (error) { S.fail(error); });

    function processingTime(p) {
      return p.processing_amount.toLocaleString("vi-VN") + " " + S.label("unit", p.processing_unit);
    }

    function showProcedure() {
      var p = procedures[$("procedure").value];
      var body = $("documents");
      body.textContent = "";
      var info = [];
      if (p) {
        info.push(p.department_name, t("Thời hạn giải quyết: {time}", { time: processingTime(p) }), S.money(p.fee));
        if (p.site !== cfg.site) { info.push(t("Nơi giải quyết: {site}", { site: p.site_name })); }
        if (p.cutoff) { info.push(t("Nhận sau {hour}: thời gian tính từ ngày làm việc tiếp theo", { hour: p.cutoff })); }
      }
      $("procedure-info").textContent = info.join(" · ");
      $("return-to-box").hidden = !p || p.site === cfg.site || delivery() !== "counter";
      if (!p) { return; }
      $("fee").value = p.fee;
      if (!p.documents.length) {
        body.appendChild(el("tr", {}, [el("td", { colspan: "5", text: t("Thủ tục này không có danh mục giấy tờ.") })]));
      }
      p.documents.forEach(function (doc, i) {
        function count(kind, initial) {
          return el("td", {}, [el("input", {
            type: "number", min: "0", max: "100", value: String(initial), "data-count": kind, className: "staff-count",
            "aria-label": cfg.labels.document_count[kind] + ": " + doc.name
          })]);
        }
        body.appendChild(el("tr", { "data-document": doc.name }, [
          el("td", {}, [el("input", { type: "checkbox", id: "doc-" + i, "data-document-check": "" })]),
          el("td", {}, [el("label", { "for": "doc-" + i, text: doc.name })]),
          count("originals", doc.copies || 1),
          count("certified_copies", 0),
          count("copies", 0)
        ]));
      });
    }

    function documents() {
      return Array.prototype.filter.call($("documents").querySelectorAll("tr[data-document]"), function (tr) {
        return tr.querySelector("[data-document-check]").checked;
      }).map(function (tr) {
        var doc = { name: tr.dataset.document };
        tr.querySelectorAll("[data-count]").forEach(function (input) { doc[input.dataset.count] = Number(input.value || 0); });
        return doc;
      });
    }

    function delivery() { return form.querySelector('[name="delivery"]:checked').value; }
    function decision() { return form.querySelector('[name="decision"]:checked').value; }

    // What the officer decided: the fields of a turned-away dossier, and the button's words.
    function showDecision() {
      var chosen = decision();
      $("turn-away-box").hidden = chosen === "accept";
      $("items-box").hidden = chosen !== "incomplete";
      $("rules-box").hidden = chosen !== "refuse";
      $("result-section").hidden = chosen !== "accept";
      $("submit").textContent = $("submit").dataset[chosen];
    }

    function readCard(text) {
      S.call("POST", "/api/v1/scans", { text: text }).then(function (scan) {
        if (scan.kind !== "citizen_id" || !scan.fields.id_number) {
          $("scan-result").textContent = t("Mã vừa quét không phải mã QR trên CCCD.");
          return;
        }
        var f = scan.fields;
        $("a-name").value = f.full_name || "";
        $("a-id").value = f.id_number || "";
        $("a-address").value = f.address || "";
        var born = (f.date_of_birth || "").split("-").reverse().join("/");
        $("scan-result").textContent = t("Đã đọc CCCD của {name}, sinh ngày {born}.", { name: f.full_name, born: born });
        $("scan").value = "";
        $("a-phone").focus();
      }).catch(function (error) { $("scan-result").textContent = S.explain(error); });
    }

    function clearObjections() {
      $("errors").hidden = true;
      form.querySelectorAll("[data-error-for]").forEach(function (p) { p.hidden = true; p.textContent = ""; });
      form.querySelectorAll("[aria-invalid]").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    }

    function showObjections(error) {
      var list = objections(error);
      var first = null;
      var summary = el("ul");
      list.forEach(function (pair) {
        var place = pair[0] && form.querySelector('[data-error-for="' + pair[0] + '"]');
        summary.appendChild(el("li", { text: pair[1] }));
        if (!place) { return; }
        place.id = place.id || "error-" + pair[0].replace(/\W/g, "-");
        place.textContent = pair[1];
        place.hidden = false;
        var input = fieldInput(pair[0]);
        if (input) {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", place.id);
          first = first || input;
        }
      });
      fill($("errors"), [summary]);
      $("errors").hidden = false;
      (first || $("errors")).focus();
    }

    $("scan").addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      if ($("scan").value.trim()) { readCard($("scan").value); }
    });
    $("procedure").addEventListener("change", showProcedure);
    form.querySelectorAll('[name="decision"]').forEach(function (radio) { radio.addEventListener("change", showDecision); });
    showDecision();
    form.querySelectorAll('[name="delivery"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        var byPost = delivery() === "post";
        $("delivery-address-box").hidden = !byPost;
        if (byPost && !$("delivery-address").value) { $("delivery-address").value = $("a-address").value; }
        showProcedure();
      });
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearObjections();
      var byPost = delivery() === "post";
      var chosen = procedures[$("procedure").value];
      var body = {
        site: chosen ? chosen.site : cfg.site,
        intake_site: cfg.site,
        channel: "counter",
        client_id: clientId,
        procedure: chosen ? chosen.code : undefined,
        decision: decision(),
        applicant: {
          name: value("applicant.name") || "",
          id_number: value("applicant.id_number"),
          phone: value("applicant.phone"),
          email: value("applicant.email"),
          address: value("applicant.address")
        },
        documents: documents(),
        sets: number("sets"),
        delivery: byPost ? "post" : "counter",
        delivery_address: byPost ? value("delivery_address") : null,
        fee: number("fee"),
        fee_payment: value("fee_payment"),
        note: value("note"),
        contact_consent: $("contact-consent").checked
      };
      if (chosen && chosen.site !== cfg.site && !byPost) {
        body.return_to = form.querySelector('[name="return_to"]:checked').value;
      }
      if (body.decision !== "accept") {
        body.reason = value("reason") || "";
        if (body.decision === "incomplete") {
          body.items = (value("items") || "").split("\n").map(function (line) { return line.trim(); }).filter(Boolean);
        } else {
          body.rules_reference = value("rules_reference") || undefined;
        }
      }
      if (cfg.ticket) { body.ticket_id = cfg.ticket.id; }
      $("submit").disabled = true;
      S.call("POST", "/api/v1/dossiers", body).then(function (dossier) {
        location.assign(S.dossierUrl(dossier.code) + "?created=1");
      }).catch(function (error) {
        $("submit").disabled = false;
        showObjections(error);
      });
    });
  }

  // -- one dossier -----------------------------------------------------------------------------

  var DIALOG_WORDS = [
    // [code, part of the API's message, words]
    ["missing_field", "items", "Liệt kê các giấy tờ cần bổ sung, mỗi dòng một giấy tờ."],
    ["missing_field", "reason", "Nhập lý do."],
    ["missing_field", "recipient_name", "Nhập tên người nhận kết quả."],
    ["missing_field", "authorisation", "Người nhận thay phải có giấy ủy quyền: ghi rõ giấy ủy quyền."],
    ["invalid_new_due_at", "", null],
    ["validation_failed", "", "Chọn ngày hẹn trả mới."]
  ];

  function dialogWords(error) {
    var match = DIALOG_WORDS.filter(function (w) { return w[0] === error.code && error.serverMessage.indexOf(w[1]) >= 0; })[0];
    if (match && match[0] === "validation_failed" && !(error.fields && JSON.stringify(error.fields).indexOf("new_due_at") >= 0)) {
      match = null;
    }
    return match && match[2] ? t(match[2]) : S.explain(error);
  }

  function detailPage() {
    var dossier = null;
    var base = "/api/v1/dossiers/" + enc(cfg.code);

    function facts(pairs) {
      Object.keys(pairs).forEach(function (id) { $(id).textContent = pairs[id] || "—"; });
    }

    function eventNote(e) {
      var data = e.data || {};
      var parts = [];
      if (data.items) { parts.push(t("Cần bổ sung: {items}", { items: data.items.join("; ") })); }
      if (e.action.indexOf("fee_") === 0 && data.amount !== undefined) {
        parts.push(t("Số tiền: {amount}", { amount: S.money(data.amount) }) +
          (data.previous_amount ? " (" + t("trước đó {amount}", { amount: S.money(data.previous_amount) }) + ")" : ""));
      }
      if (data.method) { parts.push(S.label("payment", data.method)); }
      if (data.receipt_number) { parts.push(t("Biên lai số {number}", { number: data.receipt_number })); }
      if (data.reason) { parts.push(t("Lý do: {reason}", { reason: data.reason })); }
      if (data.rules_reference) { parts.push(t("Căn cứ: {rules}", { rules: data.rules_reference })); }
      if (data.number) { parts.push(t("Số: {number}", { number: data.number })); }
      if (data.requested_via) { parts.push(t("Dừng theo yêu cầu ({via})", { via: S.label("request_channel", data.requested_via) })); }
      if (data.new_due_at) { parts.push(t("Hẹn trả mới: {date}", { date: S.when(data.new_due_at) })); }
      if (data.previous_due_at && data.due_at) {
        parts.push(t("Thời gian giải quyết tính lại từ đầu: hẹn trả {date}", { date: S.when(data.due_at) }));
      }
      if (data.moved_due_at) {
        parts.push(t("Thời gian chờ nộp phí không tính: hẹn trả {date}", { date: S.when(data.moved_due_at) }));
      }
      if (data.notified_by && data.notified_by.length) {
        parts.push(t("Đã báo công dân qua: {ways}", {
          ways: data.notified_by.map(function (way) { return S.label("notice_channel", way); }).join(", ") }));
      }
      if (data.late_notice) { parts.push(t("Gửi sau thời hạn phải gửi")); }
      if (data.in_time === false) { parts.push(t("Chuyển sau thời hạn chuyển hồ sơ")); }
      if (data.fee_status) { parts.push(t("Phí, lệ phí: {fee}", { fee: S.label("fee_status", data.fee_status) })); }
      if (data.recipient_name) { parts.push(t("Người nhận: {name}", { name: data.recipient_name })); }
      if (data.proxy) { parts.push(t("Nhận thay, giấy ủy quyền: {authorisation}", { authorisation: data.authorisation || "" })); }
      if (data.outcome) { parts.push(t("Kết quả: {outcome}", { outcome: S.label("outcome", data.outcome) })); }
      if (data.contact_consent !== undefined) {
        parts.push(t(data.contact_consent ? "Đồng ý ({via})" : "Rút lại sự đồng ý ({via})", { via: S.label("consent_via", data.via) }));
      }
      if (data.flags) { parts.push(data.flags.map(function (f) { return S.label("flag", f); }).join(", ")); }
      if (e.note) { parts.push(e.note); }
      return parts.join(" · ");
    }

    /* Once the result exists: the QR code of the dossier's page, where the citizen evaluates it
       (evaluations/), or the evaluation once given. */
    function showEvaluation(d) {
      var card = $("evaluation-card");
      var key = d.tracking_url.split("/").pop();
      var decided = ["early", "on_time", "late"].indexOf(d.outcome) >= 0;
      card.hidden = !decided || ["result_ready", "returned"].indexOf(d.status) < 0;
      if (card.hidden) { return; }
      S.call("GET", "/api/v1/track/d/" + enc(key) + "/evaluation").then(function (state) {
        var given = state.evaluation;
        $("evaluation-ask").hidden = state.state !== "open";
        if (state.state === "open") { $("evaluation-qr").src = "/d/" + enc(key) + "/qr.svg"; }
        $("evaluation-result").textContent = given
          ? t("Công dân đã đánh giá: {score}/{max} điểm, {verdict}.", { score: given.score, max: given.max_score, verdict: given.verdict_label })
          : state.state === "closed" ? t("Đã hết thời hạn đánh giá.") : "";
      }, function () { card.hidden = true; });
    }

    function render(d) {
      dossier = d;
      showEvaluation(d);
      var status = $("d-status");
      status.className = "badge status status-" + d.status;
      status.textContent = S.label("status", d.status);
      fill($("d-flags"), flagBadges(d.flags));
      $("d-procedure").textContent = d.procedure_name + " (" + d.procedure + ") · " + d.department;
      // Where it was received, who handles it, where the result is collected, when they differ.
      var elsewhere = d.registered && (d.receiving_site !== d.site || (d.return_site && d.return_site !== d.site));
      $("d-route").hidden = !elsewhere;
      $("d-route").textContent = elsewhere ? t("Tiếp nhận: {received} · Giải quyết: {handled} · Trả kết quả: {returned}", {
        received: d.receiving_site_name, handled: d.site_name,
        returned: d.return_site_name || S.label("delivery", d.delivery) }) : "";
      var a = d.applicant;
      facts({
        "d-name": a.name, "d-id": a.id_number, "d-phone": a.phone, "d-email": a.email, "d-address": a.address,
        "d-received": S.when(d.received_at), "d-due": d.due_at && S.when(d.due_at),
        "d-counted": d.counted_from && d.counted_from !== d.received_at && S.when(d.counted_from),
        "d-transfer-due": d.transfer_due_at && S.when(d.transfer_due_at),
        "d-book": d.book && t("Quyển số {volume}/{year}, số thứ tự {entry}",
          { volume: d.book.volume, year: d.book.year, entry: d.book.entry_label }),

        "d-apology": d.apology_due_at && S.when(d.apology_due_at),
        "d-finished": d.finished_at && S.when(d.finished_at) + (d.outcome ? " · " + S.label("outcome", d.outcome) : ""),
        "d-returned": d.returned_at && S.when(d.returned_at) + " · " + S.label("delivery", d.return_method),
        "d-channel": S.label("channel", d.channel) + (d.intake_site !== d.site ? " · " + d.intake_site : ""),
        "d-received-by": d.received_by, "d-sets": String(d.sets),
        "d-delivery": S.label("delivery", d.delivery) + (d.delivery_address ? ": " + d.delivery_address : ""),
        "d-fee": S.money(d.fee) + " · " + S.label("payment", d.fee_payment) + " · " + S.label("fee_status", d.fee_status),
        "d-fee-paid": d.fee_paid_at && [S.when(d.fee_paid_at), d.fee_confirmed_by,
          d.fee_receipt_number && t("Biên lai số {number}", { number: d.fee_receipt_number })].filter(Boolean).join(" · ")
      });
      fill($("d-documents"), d.documents.map(function (doc) {
        return el("tr", {}, [el("td", { text: doc.name }), el("td", { text: String(doc.originals || 0) }),
          el("td", { text: String(doc.certified_copies || 0) }), el("td", { text: String(doc.copies || 0) })]);
      }));
      fill($("d-events"), d.events.map(function (e) {
        var from = e.data && e.data.from_status;
        // At intake the applicant hands the dossier over (as on the control sheet, Mẫu 05).
        var giver = e.from_party || (e.action === "receive" ? a.name : null);
        return el("tr", { "data-action": e.action }, [
          el("td", { text: S.when(e.at) }),
          el("td", { text: S.label("action", e.action) }),
          el("td", { text: e.actor || "—" }),
          el("td", { text: giver || e.to_party ? (giver || "—") + " → " + (e.to_party || "—") : "" }),
          el("td", { text: (from && from !== e.status ? S.label("status", from) + " → " : "") + S.label("status", e.status) }),
          el("td", { text: eventNote(e) })
        ]);
      }));
      var consent = d.contact_consent;
      var via = consent.via ? S.label("consent_via", consent.via) : "";
      $("d-consent").textContent = consent.given ? t("Có, từ {date} ({via})", { date: S.when(consent.at), via: via })
        : consent.at ? t("Đã rút lại {date} ({via})", { date: S.when(consent.at), via: via }) : t("Không");
      if ($("consent-form")) {
        $("consent-form").hidden = Boolean(d.personal_data_purged_at);
        $("consent-change").textContent = consent.given ? t("Ghi nhận công dân rút lại sự đồng ý") : t("Ghi nhận công dân đồng ý được liên hệ");
      }
      $("d-purged").hidden = !d.personal_data_purged_at;
      $("d-purged").textContent = d.personal_data_purged_at ?
        t("Dữ liệu cá nhân của hồ sơ đã được xóa khi hết thời hạn lưu trữ ({date}).", { date: S.when(d.personal_data_purged_at) }) : "";
      fill($("d-attachments"), d.attachments.length ? d.attachments.map(function (file) {
        if (file.purged_at) {
          return el("li", { text: t("Đã xóa khi hết thời hạn lưu trữ") + " · " + S.when(file.purged_at) });
        }
        return el("li", {}, [
          el("a", { href: base + "/attachments/" + file.id, download: file.filename, text: file.filename }),
          " · " + S.size(file.size) + " · " + S.when(file.created_at)
        ]);
      }) : [el("li", { text: t("Chưa có bản quét nào.") })]);
      fill($("actions"), Object.keys(cfg.transitions).filter(function (action) {
        return cfg.transitions[action].indexOf(d.status) >= 0;
      }).map(function (action) {
        return el("button", { type: "button", className: "staff-button", "data-action": action, text: S.label("action", action),
          onclick: function () { openAction(action); } });
      }));
      // The fee's moves this member of staff may take from its status (dossiers/fees.py).
      fill($("fee-actions"), (cfg.fee_moves || []).filter(function (pair) {
        return pair[1].indexOf(d.fee_status) >= 0;
      }).map(function (pair) {
        var move = pair[0];
        return el("button", { type: "button", className: "staff-button", "data-fee-move": move,
          text: S.label("action", "fee_" + move), onclick: function () { openAction("fee_" + move); } });
      }));
      // The forms of the set the dossier was received under, each named by number and title.
      fill($("forms"), d.forms.length ? d.forms.map(function (form) {
        return el("a", { href: base + "/forms/" + form.kind + ".pdf", target: "_blank", rel: "noopener", "data-form": form.kind,
          className: form.kind === "receipt" ? "staff-button primary" : "staff-button", text: form.label,
          title: form.form_set_name });
      }) : [el("span", { className: "staff-hint", text: t("Không có biểu mẫu nào.") })]);
      $("receipt-print").hidden = !d.registered;
    }

    // What a read was, in words: the label of the longest known start, then the rest (a form's
    // number, a scan's id, the book's period).
    function readWhat(what) {
      var key = Object.keys(cfg.labels.read).filter(function (k) { return (what || "").indexOf(k) === 0; })
        .sort(function (a, b) { return b.length - a.length; })[0];
      return key ? cfg.labels.read[key] + what.slice(key.length) : what || "";
    }

    // Who read the applicant's data (supervisors only: the view says whether to ask).
    function showReads() {
      if (!cfg.reads) { return; }
      S.call("GET", base + "/personal-data-reads").then(function (rows) {
        fill($("d-reads"), rows.length ? rows.map(function (r) {
          return el("tr", {}, [el("td", { text: S.when(r.at) }), el("td", { text: r.actor || "—" }),
            el("td", { text: r.address || "—", title: r.user_agent || "" }), el("td", { text: readWhat(r.what) })]);
        }) : [el("tr", {}, [el("td", { colSpan: 4, text: t("Chưa có lượt xem nào.") })])]);
      }).catch(function () {});
    }

    // The messages sent to the applicant: when, what, on which channel, to whom (masked), with
    // their outcome.
    function showNotifications() {
      S.call("GET", base + "/notifications").then(function (rows) {
        var label = cfg.labels;
        fill($("d-notifications"), rows.length ? rows.map(function (n) {
          return el("tr", { "data-status": n.status }, [
            el("td", { text: S.when(n.sent_at || n.failed_at || n.created_at) }),
            el("td", { text: label.notify_event[n.event] || n.event }),
            el("td", { text: label.notify_channel[n.channel] || n.channel }),
            el("td", { text: n.recipient || "—" }),
            el("td", { text: label.notify_status[n.status] || n.status }),
            el("td", { text: String(n.attempts) }),
            el("td", { text: n.error_text || "" })
          ]);
        }) : [el("tr", {}, [el("td", { colSpan: 7, text: t("Chưa có thông báo nào.") })])]);
      }).catch(function () {});
    }

    function load() {
      return S.call("GET", base).then(function (d) { render(d); showReads(); showNotifications(); })
        .catch(function (error) { S.fail(error); });
    }

    if ($("consent-form")) {
      $("consent-form").addEventListener("submit", function (event) {
        event.preventDefault();
        var body = { contact_consent: !dossier.contact_consent.given, via: $("consent-via").value };
        S.call("PUT", base + "/contact-consent", body).then(function (updated) {
          render(updated);
          S.notice(t("Đã ghi nhận."));
        }).catch(function (error) { S.fail(error); });
      });
    }

    function openAction(action) {
      var dialog = $("dialog-" + action);
      var form = dialog.querySelector("form");
      form.reset();
      var error = form.querySelector("[data-dialog-error]");
      error.hidden = true;
      if (action === "return") { form.elements.recipient_name.value = dossier.applicant.name || ""; }
      if (action === "stop") { form.elements.requested_at.value = new Date().toLocaleDateString("sv-SE"); }
      dialog.showModal();
    }

    function formBody(form) {
      var body = {};
      Array.prototype.forEach.call(form.elements, function (input) {
        if (!input.name) { return; }
        if (input.type === "checkbox" && input.dataset.list !== undefined) {
          body[input.name] = body[input.name] || [];
          if (input.checked) { body[input.name].push(input.value); }
          return;
        }
        if (input.type === "checkbox") { body[input.name] = input.checked; return; }
        var v = input.value.trim();
        if (!v) { return; }
        if (input.name === "items") {
          body.items = v.split("\n").map(function (line) { return line.trim(); }).filter(Boolean);
        } else if (input.type === "datetime-local") {
          body[input.name] = S.zonedIso(v);

        } else {
          body[input.name] = v;
        }
      });
      return body;
    }

    // A step of the dossier's lifecycle (data-action) or a move of its fee (data-fee-move).
    document.querySelectorAll("dialog form[data-action], dialog form[data-fee-move]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var dialog = form.closest("dialog");
        if (event.submitter && event.submitter.value === "cancel") { dialog.close(); return; }
        var url = form.dataset.action ? "/actions/" + form.dataset.action : "/fee/" + form.dataset.feeMove;
        var error = form.querySelector("[data-dialog-error]");
        var body = formBody(form);
        if (body.amount) { body.amount = Number(body.amount); }
        S.call("POST", base + url, body).then(function (updated) {
          dialog.close();
          S.say(null);
          render(updated);
        }).catch(function (problem) {
          error.textContent = dialogWords(problem);
          error.hidden = false;
        });
      });
    });

    $("upload").addEventListener("submit", function (event) {
      event.preventDefault();
      var input = $("upload-file");
      if (!input.files.length) { S.say(S.explain({ code: "missing_file" })); return; }
      var data = new FormData();
      data.append("file", input.files[0]);
      data.append("client_id", S.clientId());
      S.upload(base + "/attachments", data).then(function (file) {
        input.value = "";
        input.dispatchEvent(new Event("change"));
        S.notice(t("Đã tải lên {name}.", { name: file.filename }));
        return load();
      }).catch(function (error) { S.fail(error); });
    });

    $("evaluation-tablet").addEventListener("submit", function (event) {
      event.preventDefault();
      var counter = parseInt($("evaluation-counter").value, 10);
      S.call("POST", base + "/evaluation/ask", { counter: counter }).then(function () {
        S.notice(t("Máy đánh giá của quầy {counter} đang hiện mã để công dân đánh giá.", { counter: counter }));
      }).catch(function (error) { S.fail(error); });
    });

    $("receipt-print").addEventListener("submit", function (event) {
      event.preventDefault();
      var counter = parseInt($("receipt-counter").value, 10);
      S.call("POST", base + "/print-receipt", { counter: counter }).then(function () {
        S.notice(t("Đã gửi biên nhận tới máy in quầy {counter}.", { counter: counter }));
      }).catch(function (error) {
        S.say(error.code === "unknown_device" ? t("Quầy {counter} không có máy in đã đăng ký.", { counter: counter })
          : S.explain(error));
      });
    });

    load().then(function () {
      if (!cfg.created || !dossier) { return; }
      var done = { incomplete: "Đã lập phiếu hướng dẫn hoàn thiện hồ sơ {code} (Mẫu 02).",
        refused: "Đã lập phiếu từ chối tiếp nhận hồ sơ {code} (Mẫu 03)." };
      S.notice(t(dossier.registered ? "Đã tiếp nhận hồ sơ {code}." : done[dossier.status], { code: cfg.code }));
    });
    if (Object.keys(cfg.transitions).length) {
      listen({ "dossier.changed": function (event) { if (event.code === cfg.code) { load(); } } }, load);
    }
  }

  ({ list: listPage, intake: intakePage, dossier: detailPage })[cfg.page]();
})();
