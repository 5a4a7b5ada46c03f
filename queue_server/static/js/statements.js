/* The bank statements' page (payments/views.py): upload a statement, see each line's outcome
 * before anything changes, confirm it; the past imports and their lines by outcome. Every
 * answer comes from /api/v1/sites/<site>/statements. */
(function () {
  "use strict";
  var S = window.Staff;
  var $ = S.$, el = S.el, t = S.t;
  var base = "/api/v1/sites/" + encodeURIComponent(S.cfg.site) + "/statements";
  var COLUMNS = ["date", "credit", "description", "reference", "debit", "payer"];
  var STORED = ["matched", "paid_twice", "amount_differs", "unknown"];
  var chosen = null;

  function form() {
    var data = new FormData();
    data.append("file", chosen);
    COLUMNS.forEach(function (key) {
      var value = $("column-" + key).value.trim();
      if (value) { data.append(key, value); }
    });
    return data;
  }

  function outcomeCell(line) {
    var text = S.label("outcome", line.outcome);
    if (line.error) { text += ": " + S.label("error", line.error); }
    return el("td", {}, [S.badge(text, "outcome-" + line.outcome)]);
  }

  function dossierCell(line) {
    if (!line.dossier) { return el("td", { text: "—" }); }
    var link = el("a", { href: S.dossierUrl(line.dossier), text: line.dossier });
    var due = line.outcome === "amount_differs" ? el("small", { text: t("Phải nộp {amount}", { amount: S.money(line.amount_due) }) }) : null;
    return el("td", {}, [link, due]);
  }

  function row(line) {
    return el("tr", {}, [
      el("td", { className: "num", text: String(line.row) }),
      el("td", { text: S.when(line.booked_at) }),
      el("td", { text: line.reference || "—" }),
      el("td", { className: "num", text: S.money(line.amount) }),
      el("td", { text: line.description }),
      el("td", { text: line.payer || "—" }),
      outcomeCell(line),
      dossierCell(line)
    ]);
  }

  function counts(node, answer, outcomes) {
    S.fill(node, outcomes.map(function (outcome) {
      var amount = (answer.amounts || {})[outcome];
      return el("li", {}, [
        el("strong", { text: String(answer.counts[outcome] || 0) }), " " + S.label("outcome", outcome) +
          (amount ? " · " + S.money(amount) : "")
      ]);
    }));
  }

  function preview(answer) {
    $("preview").hidden = false;
    var summary = answer.file_name + ". " + t("{n} dòng ghi nợ, {zero} dòng số tiền 0 không xét.", { n: answer.counts.debit, zero: answer.counts.zero });
    if (answer.account_number) { summary += " " + t("Tệp ghi tài khoản {account}.", { account: answer.account_number }); }
    $("preview-summary").textContent = summary;
    counts($("preview-counts"), answer, S.cfg.outcomes);
    S.fill($("preview-lines"), answer.lines.length ? answer.lines.map(row) : [el("tr", {}, [el("td", { colSpan: 8, text: t("Không có dòng nào.") })])]);
    var opts = $("headers");
    S.fill(opts, answer.headers.map(function (header) { return el("option", { value: header }); }));
    $("confirm").disabled = !answer.counts.matched && !STORED.some(function (o) { return answer.counts[o]; });
    $("confirm").focus();
  }

  function loadImports() {
    return S.call("GET", base).then(function (answer) {
      var body = $("imports");
      if (!answer.imports.length) {
        S.fill(body, [el("tr", {}, [el("td", { colSpan: 9, text: t("Chưa có lần nhập nào.") })])]);
        return;
      }
      S.fill(body, answer.imports.map(function (item) {
        var open = el("button", { type: "button", className: "secondary", text: t("Xem") });
        open.addEventListener("click", function () { showImport(item.id, ""); });
        return el("tr", {}, [
          el("td", { text: S.when(item.imported_at) }),
          el("td", { text: item.file_name }),
          el("td", { text: item.imported_by }),
          el("td", { className: "num", text: String(item.counts.matched || 0) }),
          el("td", { className: "num", text: String(item.counts.paid_twice || 0) }),
          el("td", { className: "num", text: String(item.counts.amount_differs || 0) }),
          el("td", { className: "num", text: String(item.counts.unknown || 0) }),
          el("td", { className: "num", text: S.money(item.applied) }),
          el("td", {}, [open])
        ]);
      }));
    });
  }

  function showImport(id, outcome) {
    var url = "/api/v1/statements/" + id + (outcome ? "?outcome=" + encodeURIComponent(outcome) : "");
    S.call("GET", url).then(function (answer) {
      $("detail").hidden = false;
      $("detail").dataset.id = id;
      counts($("detail-counts"), { counts: answer.statement.counts, amounts: answer.statement.amounts }, STORED);
      $("detail-outcome").value = outcome;
      S.fill($("detail-lines"), answer.lines.length ? answer.lines.map(row) : [el("tr", {}, [el("td", { colSpan: 8, text: t("Không có dòng nào.") })])]);
    }).catch(S.fail);
  }

  S.fill($("detail-outcome"), [el("option", { value: "", text: "—" })].concat(STORED.map(function (outcome) {
    return el("option", { value: outcome, text: S.label("outcome", outcome) });
  })));
  $("detail-outcome").addEventListener("change", function () { showImport($("detail").dataset.id, this.value); });

  $("upload").addEventListener("submit", function (event) {
    event.preventDefault();
    chosen = $("statement-file").files[0] || null;
    if (!chosen) { S.say(t("Chọn tệp sao kê.")); return; }
    S.say("");
    S.notice(t("Đang đọc sao kê…"));
    S.upload(base + "/preview", form()).then(function (answer) { S.notice(""); preview(answer); }).catch(function (error) {
      S.notice("");
      $("preview").hidden = true;
      S.fail(error);
    });
  });

  $("confirm").addEventListener("click", function () {
    $("confirm").disabled = true;
    S.upload(base, form()).then(function (imported) {
      $("preview").hidden = true;
      S.notice(t("Đã nhập sao kê: {n} hồ sơ được xác nhận đã nộp phí.", { n: imported.counts.matched || 0 }));
      return loadImports().then(function () { showImport(imported.id, ""); });
    }).catch(function (error) { $("confirm").disabled = false; S.fail(error); });
  });

  $("cancel").addEventListener("click", function () { $("preview").hidden = true; chosen = null; });

  loadImports().catch(S.fail).then(function () { $("main").setAttribute("aria-busy", "false"); });
})();
