/* The kiosk: shows the services by field, takes a number, shows it with its QR code, and
 * goes back to the start by itself. It issues nothing while the server cannot be reached. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("kiosk-config").textContent);
  var TOKEN_KEY = "kiosk-token:" + cfg.site;
  var api = "/api/v1/sites/" + encodeURIComponent(cfg.site);
  var priority = null;
  var busy = false;
  var resetTimer = null;
  var countdownTimer = null;

  function t(key, values) {
    var text = cfg.t[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }
  function $(id) { return document.getElementById(id); }
  function minutes(seconds) { return Math.max(1, Math.round(seconds / 60)); }

  function token() {
    var match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (match) {
      localStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
    return localStorage.getItem(TOKEN_KEY);
  }

  /* Screens are the page's <main id="screen-NAME"> elements; one is shown at a time. */
  function screens() { return Array.prototype.slice.call(document.querySelectorAll("main[id^='screen-']")); }
  function current() {
    var shown = screens().filter(function (main) { return !main.hidden; })[0];
    return shown ? shown.id.slice("screen-".length) : "services";
  }

  function show(screen) {
    screens().forEach(function (main) { main.hidden = main.id !== "screen-" + screen; });
    clearTimeout(resetTimer);
    clearInterval(countdownTimer);
    if (screen !== "services" || priority) { resetTimer = setTimeout(startOver, cfg.idleSeconds * 1000); }
  }

  function startOver() {
    priority = null;
    $("priority-banner").hidden = true;
    show("services");
    loadServices();
  }

  function banner(message) {
    $("banner").hidden = !message;
    $("banner").textContent = message || "";
    document.querySelectorAll("[data-service]").forEach(function (button) { button.disabled = !!message; });
  }

  function renderServices(services) {
    var byField = {};
    var order = [];
    services.forEach(function (service) {
      var field = service.field || "";
      if (!byField[field]) { byField[field] = []; order.push(field); }
      byField[field].push(service);
    });
    var root = $("services");
    root.textContent = "";
    order.forEach(function (field) {
      var section = document.createElement("section");
      section.className = "kiosk-field";
      var heading = document.createElement("h3");
      heading.textContent = field;
      section.appendChild(heading);
      var grid = document.createElement("div");
      grid.className = "kiosk-grid";
      byField[field].forEach(function (service) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "kiosk-button";
        button.dataset.service = service.code;
        var name = document.createElement("span");
        name.className = "kiosk-button-name";
        name.textContent = cfg.lang === "en" && service.name_en ? service.name_en : service.name;
        var meta = document.createElement("span");
        meta.className = "kiosk-button-meta";
        var wait = service.estimated_wait_s == null ? t("Chưa có quầy mở")
          : service.estimated_wait_s === 0 ? t("Không phải chờ")
          : t("Chờ khoảng {minutes} phút", { minutes: minutes(service.estimated_wait_s) });
        meta.textContent = t("Đang chờ: {n}", { n: service.waiting }) + " · " + wait;
        button.appendChild(name);
        button.appendChild(meta);
        button.addEventListener("click", function () { take(service); });
        grid.appendChild(button);
      });
      section.appendChild(grid);
      root.appendChild(section);
    });
  }

  function loadServices() {
    return fetch(api + "/services", { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (services) {
        renderServices(services);
        banner(token() ? null : t("Kiosk này chưa được cấp quyền lấy số. Vui lòng báo cán bộ."));
      })
      .catch(function () {
        banner(t("Không kết nối được máy chủ. Tạm thời không lấy được số, vui lòng chờ hoặc đến quầy hướng dẫn."));
      });
  }

  function comeBack(error) {
    var text = error.code === "closed" ? t("Trung tâm đang ngoài giờ làm việc.")
      : t("Hôm nay không còn đủ thời gian phục vụ dịch vụ này trước giờ đóng cửa.");
    if (error.come_back_at) {
      var when = new Date(error.come_back_at);
      var formatted = when.toLocaleString(cfg.lang === "en" ? "en-GB" : "vi-VN", {
        weekday: "long", day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit",
        timeZone: "Asia/Ho_Chi_Minh"
      });
      text += " " + t("Vui lòng quay lại lúc {time}.", { time: formatted });
    }
    return text;
  }

  function refuse(text) {
    $("refused-text").textContent = text;
    show("refused");
  }

  /* One id per press of a button (getRandomValues works without HTTPS, randomUUID does not). */
  function pressId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* Send the press; when the answer is lost (no connection, the server restarting: 502/503)
     send it again with the same id, which gives back the same ticket rather than a second. */
  function sendPress(body, attemptsLeft) {
    return fetch(api + "/tickets", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json",
                 Authorization: "Bearer " + (token() || "") },
      body: JSON.stringify(body)
    }).then(function (response) {
      if ((response.status === 502 || response.status === 503) && attemptsLeft > 0) { throw new Error("retry"); }
      return response.json().then(function (answer) { return { status: response.status, body: answer }; });
    }).catch(function (error) {
      if (attemptsLeft <= 0) { throw error; }
      return new Promise(function (resolve) { setTimeout(resolve, 2000); })
        .then(function () { return sendPress(body, attemptsLeft - 1); });
    });
  }

  function take(service) {
    if (busy) { return; }
    busy = true;
    document.body.dataset.sending = "yes";  // until the press is answered or given up
    sendPress({ service: service.code, priority: priority, channel: "kiosk", client_id: pressId() }, 4)
      .then(function (result) {
        if (result.status === 201 || result.status === 200) { return showTicket(result.body); }
        var error = (result.body && result.body.error) || {};
        if (error.code === "closed" || error.code === "closing_soon") { return refuse(comeBack(error)); }
        if (result.status === 401 || result.status === 403) {
          return refuse(t("Kiosk này chưa được cấp quyền lấy số. Vui lòng báo cán bộ."));
        }
        if (error.code === "service_full") { return refuse(t("Dịch vụ này đã hết số trong ngày.")); }
        refuse(t("Không lấy được số. Vui lòng thử lại."));
      })
      .catch(function () {
        banner(t("Không kết nối được máy chủ. Tạm thời không lấy được số, vui lòng chờ hoặc đến quầy hướng dẫn."));
      })
      .finally(function () { busy = false; delete document.body.dataset.sending; });
  }

  function showTicket(ticket) {
    $("result-label").textContent = t("Số thứ tự của bạn");
    $("result-number").textContent = ticket.number;
    $("result-service").textContent = cfg.lang === "en" && ticket.service_name_en ? ticket.service_name_en : ticket.service_name;
    $("result-ahead").textContent = ticket.people_ahead ? t("Có {n} người đang chờ trước bạn", { n: ticket.people_ahead })
      : t("Bạn là người tiếp theo");
    $("result-wait").textContent = !ticket.estimated_wait_s ? ""
      : t("Thời gian chờ dự kiến: khoảng {minutes} phút", { minutes: minutes(ticket.estimated_wait_s) });
    $("result-counters").textContent = ticket.counters && ticket.counters.length
      ? t("Quầy phục vụ: {counters}", { counters: ticket.counters.join(", ") })
      : t("Chưa có quầy nào đang mở cho dịch vụ này");
    $("result-qr").src = new URL(ticket.track_url).pathname + "/qr.svg";
    $("result-qr-caption").textContent = t("Quét mã QR để theo dõi số của bạn trên điện thoại");
    show("result");
    printTicket(ticket);
    var left = cfg.resultSeconds;
    var tick = function () {
      $("result-countdown").textContent = t("Màn hình sẽ trở về sau {n} giây", { n: left });
      if (left-- <= 0) { startOver(); }
    };
    tick();
    countdownTimer = setInterval(tick, 1000);
  }

  /* Ask the server to print the ticket on this kiosk's printer and say what happened. The
   * ticket exists whatever the printer does: the QR code on screen is always there. */
  var PRINTER_FAULTS = {
    paper_out: "Máy in đang hết giấy.",
    cover_open: "Máy in đang mở nắp.",
    offline: "Máy in đang mất kết nối."
  };

  function printTicket(ticket) {
    printJob("/api/v1/tickets/" + ticket.id + "/print", $("result-print"), "result");
  }

  /* Ask for a print job (POST to url), then say in `line` what the printer did, while `screen`
   * stays shown: the ticket, and the look-up's checklist of a procedure. */
  function printJob(url, line, screen) {
    var headers = { Accept: "application/json", Authorization: "Bearer " + (token() || "") };
    var report = function (state, text) { line.dataset.state = state; line.textContent = text; };
    var unanswered = function () { report("failed", t("Máy in chưa phản hồi. Vui lòng chụp mã QR trên màn hình.")); };
    report("printing", t("Đang in phiếu…"));
    fetch(url, { method: "POST", headers: headers })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (job) {
        var deadline = Date.now() + cfg.printWaitSeconds * 1000;
        var poll = function () {
          if ($("screen-" + screen).hidden) { return; }
          fetch("/api/v1/print-jobs/" + job.id, { headers: headers })
            .then(function (response) { return response.json(); })
            .then(function (state) {
              if (state.status === "printed") {
                report("printed", t("Đã in phiếu, vui lòng nhận phiếu ở khe máy in."));
              } else if (state.status === "failed") {
                report("failed", t("Máy in gặp sự cố. Vui lòng chụp mã QR trên màn hình."));
              } else if (PRINTER_FAULTS[state.printer]) {
                /* The job waits on the server until the roll is in or the cover shut. */
                report("failed", t(PRINTER_FAULTS[state.printer]) + " " +
                       t("Phiếu sẽ được in khi máy in sẵn sàng; bạn có thể chụp mã QR trên màn hình."));
              } else if (Date.now() > deadline) {
                unanswered();
              } else {
                setTimeout(poll, 1000);
              }
            })
            .catch(unanswered);
        };
        setTimeout(poll, 500);
      })
      .catch(unanswered);
  }

  /* A refused scan or look-up in the kiosk's words, by the error's code (or the scan's
   * reason): the server's message is English, for its logs, and never shown here. */
  var REFUSALS = {
    empty: "Không đọc được mã này. Vui lòng quét lại.",
    unknown_code: "Không đọc được mã này. Kiosk này tra cứu được phiếu số thứ tự và giấy tiếp nhận hồ sơ.",
    bad_id_card: "Không đọc được mã này. Kiosk này tra cứu được phiếu số thứ tự và giấy tiếp nhận hồ sơ.",
    bad_date: "Mã hồ sơ này không đúng. Vui lòng kiểm tra lại hoặc hỏi quầy hướng dẫn.",
    unknown_ticket: "Không tìm thấy phiếu này. Vui lòng lấy số mới nếu cần.",
    unknown_dossier: "Không tìm thấy hồ sơ này tại trung tâm. Vui lòng hỏi quầy hướng dẫn.",
    unauthorized: "Kiosk này chưa được cấp quyền lấy số. Vui lòng báo cán bộ."
  };

  function refusal(error) {
    return t(REFUSALS[error.reason] || REFUSALS[error.code] ||
             "Không đọc được mã này. Vui lòng thử lại hoặc hỏi quầy hướng dẫn.");
  }

  function offline() {
    banner(t("Không kết nối được máy chủ. Tạm thời không lấy được số, vui lòng chờ hoặc đến quầy hướng dẫn."));
  }

  function getJson(url, withToken) {
    var headers = { Accept: "application/json" };
    if (withToken) { headers.Authorization = "Bearer " + (token() || ""); }
    return fetch(url, { headers: headers }).then(function (response) { return response.json(); });
  }

  function localTime(iso) {
    return new Date(iso).toLocaleString(cfg.lang === "en" ? "en-GB" : "vi-VN", {
      day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
      timeZone: "Asia/Ho_Chi_Minh"
    });
  }

  /* A ticket scanned at the kiosk (keyboard-wedge scanner): say where it stands. */
  function showTicketStatus(key) {
    return getJson("/api/v1/track/" + encodeURIComponent(key)).then(function (ticket) {
      if (ticket.error) { return refuse(refusal(ticket.error)); }
      var values = { number: ticket.number, counter: ticket.counter, n: ticket.people_ahead };
      var waiting = ticket.people_ahead === 1 ? "Phiếu số {number}: đang chờ, còn 1 người trước bạn."
        : "Phiếu số {number}: đang chờ, còn {n} người trước bạn.";
      var texts = {
        waiting: waiting,
        transferred: waiting,
        called: "Phiếu số {number}: mời bạn đến quầy số {counter}.",
        serving: "Phiếu số {number}: đang được phục vụ tại quầy số {counter}."
      };
      refuse(t(texts[ticket.status] || "Phiếu số {number} đã xong hoặc không còn hiệu lực. Vui lòng lấy số mới nếu cần.", values));
    });
  }

  /* A dossier receipt scanned (its barcode or its QR code): its status, and a number for the
   * result-return counter when the result is ready. */
  function showDossier(ref) {
    return getJson("/api/v1/kiosk/dossiers/" + encodeURIComponent(ref), true).then(function (dossier) {
      if (dossier.error) { return refuse(refusal(dossier.error)); }
      $("dossier-code").textContent = dossier.code;
      $("dossier-procedure").textContent = dossier.procedure_name;
      $("dossier-status").textContent = cfg.dossierStatus[dossier.status] || dossier.status;
      $("dossier-status").dataset.status = dossier.status;
      var due = dossier.apology_due_at || dossier.due_at;
      $("dossier-dates").textContent = dossier.returned_at
        ? t("Đã trả kết quả lúc {time}.", { time: localTime(dossier.returned_at) })
        : dossier.result_ready && dossier.delivery === "post"
          ? t("Kết quả sẽ được gửi đến bạn qua bưu điện.")
          : t("Hẹn trả kết quả: {time}.", { time: localTime(due) });
      $("dossier-take").hidden = !dossier.return_service;
      $("dossier-take").onclick = function () { take({ code: dossier.return_service }); };
      show("dossier");
    });
  }

  function onScan(text) {
    fetch("/api/v1/scans", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ text: text })
    })
      .then(function (response) { return response.json(); })
      .then(function (scan) {
        if (scan.error) { return refuse(refusal(scan.error)); }
        if (scan.kind === "ticket") { return showTicketStatus(scan.value); }
        if (scan.kind === "dossier" || scan.kind === "dossier_link") { return showDossier(scan.value); }
        refuse(t("Kiosk này tra cứu được phiếu số thứ tự và giấy tiếp nhận hồ sơ."));
      })
      .catch(offline);
  }
  window.ScannerWedge.listen(onScan);

  function clock() {
    $("clock").textContent = new Date().toLocaleTimeString("vi-VN", {
      hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh"
    });
  }

  $("priority-open").addEventListener("click", function () { show("priority"); });
  $("priority-back").addEventListener("click", startOver);
  $("priority-cancel").addEventListener("click", startOver);
  document.querySelectorAll("[data-priority]").forEach(function (button) {
    button.addEventListener("click", function () {
      priority = button.dataset.priority;
      $("priority-text").textContent = t("Đang lấy số ưu tiên: {reason}", { reason: cfg.priorities[priority] });
      $("priority-banner").hidden = false;
      show("services");
    });
  });
  $("result-done").addEventListener("click", startOver);
  $("refused-done").addEventListener("click", startOver);
  $("dossier-done").addEventListener("click", startOver);
  document.addEventListener("pointerdown", function () {
    if (!$("screen-services").hidden && !priority) { return; }
    if (!$("screen-result").hidden) { return; }
    show(current());  // a touch on any other screen restarts its idle timer
  });

  /* What other kiosk scripts (the look-ups) use: a screen of theirs is shown with show(), and
     the idle timer takes the kiosk back to the start from it too; a dossier code typed on the
     look-up's keypad goes to the same status screen as a scanned receipt (showDossier). */
  window.KIOSK = { cfg: cfg, t: t, token: token, api: api, show: show, startOver: startOver,
                   showDossier: showDossier, refuse: refuse, printJob: printJob };

  clock();
  setInterval(clock, 10000);
  startOver();
  setInterval(function () { if (!$("screen-services").hidden) { loadServices(); } }, 10000);
})();
