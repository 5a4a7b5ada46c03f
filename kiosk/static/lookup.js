/* The kiosk's look-ups (kiosk/templates/kiosk/_lookup_screens.html):
 * - "Tra cứu hồ sơ": a dossier code typed on the keypad goes to the status screen a scanned
 *   receipt shows (KIOSK.showDossier, kiosk.js); a receipt scanned here works as anywhere.
 * - "Tra cứu thủ tục": the catalogue searched as the citizen types (the server folds tone
 *   marks), results as tiles, a procedure's documents, time, fee and post, its QR code, and
 *   its checklist printed on the kiosk's printer.
 * Loaded with defer: it runs after kiosk.js, which defines window.KIOSK. */
(function () {
  "use strict";
  var KIOSK = window.KIOSK;
  var C = window.Core;
  var t = C.t, $ = C.$, el = C.el;
  var cfg = C.config("lookup-config");
  var searchTimer = null;
  var searchSent = 0;  // the latest search's number: an older answer arriving late is dropped
  var shown = null;  // the procedure on screen

  function open(screen) {
    if (screen === "lookup-dossier") { setValue($("lookup-code"), ""); }
    if (screen === "lookup-procedures") { setValue($("lookup-query"), ""); }
    KIOSK.show(screen);
  }

  /* The keyboards: a key adds its character to its field; delete and clear edit it. */
  function setValue(field, value) {
    field.value = value;
    field.dispatchEvent(new Event("input"));
  }

  document.querySelectorAll(".lookup-keyboard").forEach(function (keyboard) {
    var field = $(keyboard.dataset.target);
    keyboard.addEventListener("click", function (event) {
      var key = event.target.closest("button");
      if (!key || key.disabled) { return; }
      if (key.dataset.key !== undefined) {
        var char = field.dataset.uppercase ? key.dataset.key : key.dataset.key.toLowerCase();
        if (char === " " && (!field.value || field.value.slice(-1) === " ")) { return; }
        setValue(field, field.value + char);
      } else if (key.dataset.edit === "delete") {
        setValue(field, field.value.slice(0, -1));
      } else if (key.dataset.edit === "clear") {
        setValue(field, "");
      }
    });
  });

  /* Tra cứu hồ sơ */
  $("lookup-code").addEventListener("input", function () {
    $("lookup-code-go").disabled = !this.value;
  });
  $("lookup-code-go").addEventListener("click", function () {
    KIOSK.showDossier($("lookup-code").value).catch(function () {
      KIOSK.refuse(t("Không kết nối được máy chủ. Tạm thời không lấy được số, vui lòng chờ hoặc đến quầy hướng dẫn."));
    });
  });

  /* Tra cứu thủ tục */
  function status(text) { $("lookup-results-status").textContent = text; }

  $("lookup-query").addEventListener("input", function () {
    clearTimeout(searchTimer);
    var query = this.value.trim();
    if (!query) {
      searchSent += 1;
      $("lookup-results").textContent = "";
      delete $("lookup-results").dataset.query;
      status(t("Gõ vài chữ trong tên thủ tục hoặc lĩnh vực, không cần dấu."));
      return;
    }
    searchTimer = setTimeout(function () { search(query); }, cfg.delayMs);
  });

  function search(query) {
    var number = ++searchSent;
    var params = new URLSearchParams({ site: KIOSK.cfg.site, q: query, limit: cfg.results, lang: KIOSK.cfg.lang });
    C.api("GET", "/api/v1/procedures/search?" + params, null, { token: KIOSK.token() || "" })
      .then(function (found) {
        if (number !== searchSent) { return; }
        renderResults(found, query);
      })
      .catch(function () {
        if (number === searchSent) {
          status(t("Không kết nối được máy chủ. Tạm thời không lấy được số, vui lòng chờ hoặc đến quầy hướng dẫn."));
        }
      });
  }

  function renderResults(found, query) {
    var root = $("lookup-results");
    root.textContent = "";
    root.dataset.query = query;  // what the tiles answer (the field may be ahead of them)
    status(found.length ? t("Chạm vào một thủ tục để xem giấy tờ cần chuẩn bị.")
      : t("Không tìm thấy thủ tục nào. Vui lòng thử từ khác hoặc hỏi quầy hướng dẫn."));
    found.forEach(function (procedure) {
      var tile = el("button", { type: "button", className: "kiosk-button lookup-tile", "data-procedure": procedure.code }, [
        el("span", { className: "kiosk-button-name", text: procedure.name }),
        el("span", {
          className: "kiosk-button-meta",
          text: [procedure.field, procedure.processing_time_text, procedure.fee_text].filter(Boolean).join(" · ")
        })
      ]);
      tile.addEventListener("click", function () { showProcedure(procedure); });
      root.appendChild(tile);
    });
  }

  function showProcedure(procedure) {
    shown = procedure;
    $("procedure-code").textContent = procedure.code + (procedure.field ? " · " + procedure.field : "");
    $("procedure-name").textContent = procedure.name;
    $("procedure-time").textContent = procedure.processing_time_text;
    $("procedure-fee").textContent = procedure.fee_text;
    $("procedure-handled").textContent = procedure.department_name + ", " + procedure.site_name;
    $("procedure-postal").textContent = procedure.postal_text;
    $("procedure-postal").dataset.postal = procedure.postal_allowed ? "yes" : "no";
    var list = $("procedure-documents");
    list.textContent = "";
    list.classList.toggle("lookup-documents-many", procedure.documents.length > cfg.documentsInOneColumn);
    procedure.documents.forEach(function (document_) {
      list.appendChild(el("li", { text: document_.name + " (" + t("{n} bản", { n: document_.copies || 1 }) + ")" }));
    });
    $("procedure-qr").src = new URL(procedure.page_url).pathname + "/qr.svg";
    $("procedure-print-status").textContent = "";
    delete $("procedure-print-status").dataset.state;
    $("procedure-print").disabled = false;
    KIOSK.show("lookup-procedure");
  }

  $("procedure-print").addEventListener("click", function () {
    this.disabled = true;  // one checklist per press; another procedure enables it again
    var path = "/api/v1/procedures/" + encodeURIComponent(shown.site) + "/" +
      encodeURIComponent(shown.code) + "/print-checklist";
    KIOSK.printJob(path, $("procedure-print-status"), "lookup-procedure");
  });
  $("procedure-back").addEventListener("click", function () { KIOSK.show("lookup-procedures"); });

  document.querySelectorAll("[data-lookup-open]").forEach(function (button) {
    button.addEventListener("click", function () { open(button.dataset.lookupOpen); });
  });
  document.querySelectorAll("[data-lookup-back]").forEach(function (button) {
    button.addEventListener("click", KIOSK.startOver);
  });
  status(t("Gõ vài chữ trong tên thủ tục hoặc lĩnh vực, không cần dấu."));
})();
