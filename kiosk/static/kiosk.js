/* The kiosk: shows the services by field (paged, never scrolled), says when the centre opens
 * while it is closed, takes a number, shows it with its QR code, and goes back to the start by
 * itself. It issues nothing while the server cannot be reached. It speaks to the citizen as
 * "ông/bà" (docs/wording.md). */
(function () {
  "use strict";
  var C = window.Core;
  var cfg = C.page("kiosk-config");
  var t = C.t, $ = C.$, el = C.el;
  var TOKEN_KEY = "kiosk-token:" + cfg.site;
  /* How long a press is sent again when its answer is lost or the server is busy, before the
     kiosk says it cannot reach the server: a citizen waits this long at most. */
  var PRESS_PATIENCE_MS = 10000;
  var api = "/api/v1/sites/" + encodeURIComponent(cfg.site);
  var priority = null;
  var busy = false;
  var resetTimer = null;
  var countdownTimer = null;
  var services = [];   // the site's services, as the API gave them
  var pages = [[]];    // the services of each page of the home screen
  var page = 0;        // the page shown
  var closed = false;  // the centre takes no numbers now (GET /opening)

  function minutes(seconds) { return Math.max(1, Math.round(seconds / 60)); }

  function token() { return C.deviceToken(TOKEN_KEY); }
  /* The kiosk's own requests carry its token (an empty one when it has none: the API refuses). */
  function withToken() { return { token: token() || "" }; }

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
    if (screen !== "services" || priority || page > 0) { resetTimer = setTimeout(startOver, cfg.idleSeconds * 1000); }
  }

  function startOver() {
    priority = null;
    page = 0;
    $("priority-banner").hidden = true;
    show("services");
    loadServices();
  }

  function banner(message) {
    C.say("banner", message);
    document.querySelectorAll("[data-service]").forEach(function (button) { button.disabled = !!message || closed; });
  }

  /* The home screen pages through the services rather than scrolling: the tiles are laid out
   * in the columns of #services, as many as fit on a page, and "Trang trước" / "Trang sau"
   * move between pages. Which tiles fit is measured in the page itself (names wrap, fields
   * add headings, the lookup buttons take their row), so it holds for any size of screen. */
  /* The server leaves the wait out (null) while no officer is at an open counter of the
     service: "no wait" would be a promise nobody keeps. */
  function waitText(service) {
    var wait = service.estimated_wait_s == null ? t("Chưa có cán bộ tiếp nhận")
      : service.estimated_wait_s === 0 ? t("Không phải chờ")
      : t("Chờ khoảng {minutes} phút", { minutes: minutes(service.estimated_wait_s) });
    return service.waiting ? t("Đang chờ: {n}", { n: service.waiting }) + " · " + wait : wait;
  }

  function tile(service) {
    var button = el("button", {
      type: "button", className: "kiosk-button", "data-service": service.code, disabled: closed || !$("banner").hidden
    });
    if (service.icon) {
      var icon = el("span", { className: "kiosk-icon", "data-icon": service.icon });
      /* Through the CSS object model, which the page's policy allows (a style attribute it would not). */
      var url = "url(\"" + cfg.icons + encodeURIComponent(service.icon) + ".svg\")";
      icon.style.webkitMaskImage = url;
      icon.style.maskImage = url;
      button.appendChild(icon);
      button.classList.add("kiosk-button-with-icon");
    }
    button.appendChild(el("span", { className: "kiosk-button-words" }, [
      el("span", { className: "kiosk-button-name", text: cfg.lang === "en" && service.name_en ? service.name_en : service.name }),
      el("span", {
        className: "kiosk-button-meta", "data-staffed": service.estimated_wait_s == null ? "no" : "yes", text: waitText(service)
      })
    ]));
    button.addEventListener("click", function () { take(service); });
    return button;
  }

  /* Append the service's tile under its field's heading (a new heading when the field changes). */
  function place(root, service) {
    var field = service.field || "";
    var section = root.lastElementChild;
    if (!section || section.dataset.field !== field) {
      section = el("section", { className: "kiosk-field", "data-field": field }, [el("h3", { text: field })]);
      root.appendChild(section);
    }
    section.appendChild(tile(service));
  }

  function overflows(root) {
    return root.scrollHeight > root.clientHeight + 1 || root.scrollWidth > root.clientWidth + 1;
  }

  /* Fill #services from `from` until a tile no longer fits; returns how many did. */
  function fill(from) {
    var root = $("services");
    root.textContent = "";
    for (var i = from; i < services.length; i++) {
      place(root, services[i]);
      if (overflows(root) && i > from) {
        var section = root.lastElementChild;
        section.removeChild(section.lastElementChild);
        if (section.children.length === 1) { root.removeChild(section); }
        return i - from;
      }
    }
    return services.length - from;
  }

  function paginate() {
    $("pager").hidden = true;
    if (fill(0) === services.length) { pages = [services]; return; }
    $("pager").hidden = false;  // it takes room: measure again with it shown
    pages = [];
    for (var from = 0; from < services.length;) {
      var count = fill(from);
      pages.push(services.slice(from, from + count));
      from += count;
    }
  }

  function drawPage() {
    page = Math.max(0, Math.min(page, pages.length - 1));
    var root = $("services");
    root.textContent = "";
    pages[page].forEach(function (service) { place(root, service); });
    $("page-of").textContent = t("Trang {page}/{pages}", { page: page + 1, pages: pages.length });
    $("page-prev").disabled = page === 0;
    $("page-next").disabled = page === pages.length - 1;
  }

  function renderServices(list) {
    services = list;
    if ($("screen-services").hidden) { return; }  // nothing to measure: startOver draws them again
    paginate();
    drawPage();
  }

  function turnPage(step) {
    page += step;
    drawPage();
    show("services");  // restarts the idle timer, which brings the first page back
  }

  /* "7:30 thứ Hai, 07/12" from the site's local time as the server wrote it (ISO, with offset). */
  function when(iso) {
    var day = iso.slice(0, 10).split("-");
    var weekday = new Date(Date.UTC(+day[0], day[1] - 1, +day[2])).getUTCDay();
    return {
      time: iso.slice(11, 16).replace(/^0/, ""),
      weekday: cfg.weekdays[(weekday + 6) % 7],
      date: day[2] + "/" + day[1],
      today: iso.slice(0, 10) === new Date().toLocaleDateString("en-CA", { timeZone: cfg.timezone })
    };
  }

  function showOpening(state) {
    closed = !state.open;
    $("closed-notice").hidden = !closed;
    if (!closed) { return; }
    var opens = state.opens_at ? when(state.opens_at) : null;
    $("closed-when").textContent = !opens ? ""
      : opens.today ? t("Trung tâm mở cửa lại lúc {time} hôm nay.", opens)
      : t("Trung tâm mở cửa lúc {time} {weekday}, {date}.", opens);
  }

  function loadServices() {
    return Promise.all([C.api("GET", api + "/services"), C.api("GET", api + "/opening")])
      .then(function (answers) {
        banner(token() ? null : t("Kiosk này chưa được cấp quyền lấy số. Vui lòng báo cán bộ."));
        showOpening(answers[1]);
        renderServices(answers[0]);
      })
      .catch(function () {
        banner(t("Không kết nối được máy chủ. Tạm thời không lấy được số, vui lòng chờ hoặc đến quầy hướng dẫn."));
      });
  }

  function comeBack(error) {
    var text = error.code === "closed" ? t("Trung tâm đang ngoài giờ làm việc.")
      : t("Hôm nay không còn đủ thời gian phục vụ dịch vụ này trước giờ đóng cửa.");
    if (error.come_back_at) {
      var back = when(error.come_back_at);
      text += " " + t("Vui lòng quay lại lúc {time}.", { time: back.time + " " + back.weekday + ", " + back.date });
    }
    return text;
  }

  function refuse(text) {
    $("refused-text").textContent = text;
    show("refused");
  }

  /* Send the press; when the answer is lost (no connection, the server restarting: 502/503)
     send it again with the same id, which gives back the same ticket rather than a second,
     until `giveUpAt`. A server with more presses than it can take says when it will have room
     (`retry_after_ms`, usually well under a second): the press goes again then, give or take a
     little so that the kiosks it turned away do not all come back at the same instant. */
  function sendPress(body, giveUpAt) {
    return C.api("POST", api + "/tickets", body, withToken()).catch(function (error) {
      var lost = !error.status || error.status === 502 || error.status === 503;
      var room = error.details && error.details.retry_after_ms;
      var wait = room ? room * (1 + 0.2 * Math.random()) : 2000;
      if (!lost || Date.now() + wait > giveUpAt) { throw error; }
      return new Promise(function (resolve) { setTimeout(resolve, wait); })
        .then(function () { return sendPress(body, giveUpAt); });
    });
  }

  function take(service) {
    if (busy) { return; }
    busy = true;
    document.body.dataset.sending = "yes";  // until the press is answered or given up
    var press = { service: service.code, priority: priority, channel: "kiosk", client_id: C.clientId() };
    sendPress(press, Date.now() + PRESS_PATIENCE_MS)
      .then(showTicket)
      .catch(function (error) {
        if (!(error instanceof C.ApiError) || !error.status) { offline(); return; }
        if (error.code === "closed" || error.code === "closing_soon") { return refuse(comeBack(error.details)); }
        if (error.status === 401 || error.status === 403) {
          return refuse(t("Kiosk này chưa được cấp quyền lấy số. Vui lòng báo cán bộ."));
        }
        if (error.code === "service_full") { return refuse(t("Dịch vụ này đã hết số trong ngày.")); }
        refuse(t("Không lấy được số. Vui lòng thử lại."));
      })
      .finally(function () { busy = false; delete document.body.dataset.sending; });
  }

  /* `note`: what the kiosk says besides the number (a booking checked in: on time or not), in
     the colour of its `tone` (the check-in's outcome: good news is not said in warning red). */
  function showTicket(ticket, note, tone) {
    $("result-booking").hidden = !note;
    $("result-booking").textContent = note || "";
    $("result-booking").dataset.tone = tone || "";
    $("result-label").textContent = t("Số thứ tự của ông/bà");
    $("result-number").textContent = ticket.number;
    $("result-service").textContent = cfg.lang === "en" && ticket.service_name_en ? ticket.service_name_en : ticket.service_name;
    /* The reason is the one chosen on this kiosk a moment ago: the ticket itself only says
       "priority", since a reason such as a disability is the citizen's own business. */
    $("result-priority").hidden = !ticket.priority;
    $("result-priority").textContent = !ticket.priority ? ""
      : priority ? t("Ưu tiên: {reason}", { reason: cfg.priorities[priority] }) : t("Ưu tiên");
    $("result-ahead").textContent = ticket.people_ahead ? t("Có {n} người đang chờ trước ông/bà", { n: ticket.people_ahead })
      : t("Ông/Bà là người tiếp theo");
    $("result-wait").textContent = !ticket.estimated_wait_s ? ""
      : t("Thời gian chờ dự kiến: khoảng {minutes} phút", { minutes: minutes(ticket.estimated_wait_s) });
    $("result-counters").textContent = ticket.counters && ticket.counters.length
      ? t("Quầy phục vụ: {counters}", { counters: ticket.counters.join(", ") })
      : t("Chưa có cán bộ tiếp nhận dịch vụ này; số sẽ được gọi khi cán bộ vào quầy.");
    $("result-qr").src = new URL(ticket.track_url).pathname + "/qr.svg";
    $("result-qr-caption").textContent = t("Quét mã QR để theo dõi số của ông/bà trên điện thoại");
    printTicket(ticket);
    document.dispatchEvent(new CustomEvent("kiosk-ticket", { detail: ticket }));  // notify.js
    showResult();
  }

  /* The ticket's screen, back to the start after cfg.resultSeconds (counted again when the
     citizen comes back to it from the phone entry). */
  function showResult() {
    show("result");
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
  function printTicket(ticket) {
    printJob("/api/v1/tickets/" + ticket.id + "/print", $("result-print"), "result");
  }

  /* Ask for a print job (POST to url), then say in `line` what the printer did, while `screen`
   * (or a screen opened from it, OPENED_FROM) stays shown: the ticket, and the look-up's
   * checklist of a procedure. */
  var OPENED_FROM = { notify: "result" };  // the phone entry (notify.js) comes back to the ticket
  function printJob(url, line, screen) {
    var report = function (state, text) { line.dataset.state = state; line.textContent = text; };
    var unanswered = function () { report("failed", t("Máy in chưa phản hồi. Vui lòng chụp mã QR trên màn hình.")); };
    report("printing", t("Đang in phiếu…"));
    C.api("POST", url, null, withToken())
      .then(function (job) {
        var deadline = Date.now() + cfg.printWaitSeconds * 1000;
        var poll = function () {
          if (current() !== screen && OPENED_FROM[current()] !== screen) { return; }
          C.api("GET", "/api/v1/print-jobs/" + job.id, null, withToken())
            .then(function (state) {
              if (state.status === "printed") {
                report("printed", t("Đã in phiếu, vui lòng nhận phiếu ở khe máy in."));
              } else if (state.status === "failed") {
                report("failed", t("Máy in gặp sự cố. Vui lòng chụp mã QR trên màn hình."));
              } else if (cfg.printerFaults[state.printer]) {
                /* The job waits on the server until the roll is in or the cover shut. */
                report("failed", cfg.printerFaults[state.printer] + " " +
                       t("Phiếu sẽ được in khi máy in sẵn sàng; ông/bà có thể chụp mã QR trên màn hình."));
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

  /* A refused scan or look-up in the kiosk's words, by the scan's reason or the error's code
   * (cfg.errors, kiosk/views.py REFUSALS): the server's English message is never shown. */
  function refusal(error) {
    return cfg.errors[error.reason] || cfg.errors[error.code] ||
      t("Không đọc được mã này. Vui lòng thử lại hoặc hỏi quầy hướng dẫn.");
  }

  function offline() {
    banner(t("Không kết nối được máy chủ. Tạm thời không lấy được số, vui lòng chờ hoặc đến quầy hướng dẫn."));
  }

  /* A look-up's answer; one the server refuses comes back as its error ({error: {...}}), to be
   * said in the kiosk's words (refusal); only a lost connection rejects. */
  function lookUp(method, url, body, options) {
    return C.api(method, url, body, options).catch(function (error) {
      if (!error.status) { throw error; }
      return { error: error.details };
    });
  }

  function localTime(iso) {
    return new Date(iso).toLocaleString(cfg.lang === "en" ? "en-GB" : "vi-VN", {
      day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
      timeZone: cfg.timezone
    });
  }

  /* A ticket scanned at the kiosk (keyboard-wedge scanner): say where it stands. */
  function showTicketStatus(key) {
    return lookUp("GET", "/api/v1/track/" + encodeURIComponent(key)).then(function (ticket) {
      if (ticket.error) { return refuse(refusal(ticket.error)); }
      var values = { number: ticket.number, counter: ticket.counter, n: ticket.people_ahead };
      var waiting = ticket.people_ahead === 1 ? "Phiếu số {number}: đang chờ, còn 1 người trước ông/bà."
        : "Phiếu số {number}: đang chờ, còn {n} người trước ông/bà.";
      var texts = {
        waiting: waiting,
        transferred: waiting,
        called: "Phiếu số {number}: mời ông/bà đến quầy số {counter}.",
        serving: "Phiếu số {number}: đang được phục vụ tại quầy số {counter}."
      };
      refuse(t(texts[ticket.status] || "Phiếu số {number} đã xong hoặc không còn hiệu lực. Vui lòng lấy số mới nếu cần.", values));
    });
  }

  /* A dossier receipt scanned (its barcode or its QR code): its status, and a number for the
   * result-return counter when the result is ready. */
  function showDossier(ref) {
    return lookUp("GET", "/api/v1/kiosk/dossiers/" + encodeURIComponent(ref), null, withToken()).then(function (dossier) {
      if (dossier.error) { return refuse(refusal(dossier.error)); }
      $("dossier-code").textContent = dossier.code;
      $("dossier-procedure").textContent = dossier.procedure_name;
      $("dossier-status").textContent = cfg.dossierStatus[dossier.status] || dossier.status;
      $("dossier-status").dataset.status = dossier.status;
      var due = dossier.apology_due_at || dossier.due_at;
      $("dossier-dates").textContent = dossier.returned_at
        ? t("Đã trả kết quả lúc {time}.", { time: localTime(dossier.returned_at) })
        : dossier.result_ready && dossier.delivery === "post"
          ? t("Kết quả sẽ được gửi đến ông/bà qua bưu điện.")
          : t("Hẹn trả kết quả: {time}.", { time: localTime(due) });
      $("dossier-take").hidden = !dossier.return_service;
      $("dossier-take").onclick = function () { take({ code: dossier.return_service }); };
      show("dossier");
    });
  }

  /* "7:30" of an instant, in the site's time. */
  function clockTime(iso) {
    return new Date(iso).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: cfg.timezone });
  }

  var BOOKING_NOTES = {
    on_time: "Ông/Bà đã đến đúng hẹn ({time}): số của ông/bà được gọi trước các số không đặt lịch.",
    early: "Ông/Bà đến trước giờ hẹn: từ {time}, số của ông/bà được gọi trước các số không đặt lịch.",
    late: "Ông/Bà đến muộn so với giờ hẹn {time}: số của ông/bà được gọi theo thứ tự như số thường."
  };

  /* A booking's QR code or a chip ID card scanned: check the booking in (the server finds an
   * ID card's bookings of today here) and print its ticket like a number taken at this kiosk.
   * Several bookings today: the citizen chooses one (service and time), and the card is sent
   * again with the choice. A second scan gives the same ticket. */
  function checkIn(text, booking) {
    return lookUp("POST", "/api/v1/kiosk/check-in", { text: text, booking: booking || null }, withToken())
      .then(function (answer) {
        if (answer.error && answer.error.code === "too_early") {
          return refuse(t("Chưa đến giờ nhận lịch hẹn. Vui lòng quay lại lúc {time}.", { time: clockTime(answer.error.come_back_at) }));
        }
        if (answer.error) { return refuse(refusal(answer.error)); }
        if (answer.choices) { return chooseBooking(text, answer.choices); }
        priority = null;
        $("priority-banner").hidden = true;
        showTicket(answer.ticket, t(BOOKING_NOTES[answer.outcome], { time: clockTime(answer.starts_at) }), answer.outcome);
      });
  }

  function chooseBooking(text, choices) {
    var list = $("booking-choices");
    list.textContent = "";
    choices.forEach(function (choice) {
      var name = cfg.lang === "en" && choice.service_name_en ? choice.service_name_en : choice.service_name;
      var button = el("button", { type: "button", className: "kiosk-button", "data-booking": choice.id,
                                  text: clockTime(choice.starts_at) + " · " + name });
      button.addEventListener("click", function () { checkIn(text, choice.id).catch(offline); });
      list.appendChild(button);
    });
    show("bookings");
  }

  function onScan(text) {
    lookUp("POST", "/api/v1/scans", { text: text })
      .then(function (scan) {
        if (scan.error) { return refuse(refusal(scan.error)); }
        if (scan.kind === "ticket") { return showTicketStatus(scan.value); }
        if (scan.kind === "booking" || scan.kind === "citizen_id") { return checkIn(text); }
        if (scan.kind === "dossier" || scan.kind === "dossier_link") { return showDossier(scan.value); }
        refuse(t("Kiosk này tra cứu được phiếu số thứ tự và giấy tiếp nhận hồ sơ."));
      })
      .catch(offline);
  }
  window.ScannerWedge.listen(onScan);

  function clock() {
    $("clock").textContent = new Date().toLocaleTimeString("vi-VN", {
      hour: "2-digit", minute: "2-digit", timeZone: cfg.timezone
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
  $("page-prev").addEventListener("click", function () { turnPage(-1); });
  $("page-next").addEventListener("click", function () { turnPage(1); });
  window.addEventListener("resize", function () { if (services.length) { renderServices(services); } });
  $("result-done").addEventListener("click", startOver);
  $("refused-done").addEventListener("click", startOver);
  $("dossier-done").addEventListener("click", startOver);
  $("bookings-back").addEventListener("click", startOver);
  document.addEventListener("pointerdown", function () {
    if (!$("screen-services").hidden && !priority && page === 0) { return; }
    if (!$("screen-result").hidden) { return; }
    show(current());  // a touch on any other screen restarts its idle timer
  });

  /* What other kiosk scripts (the look-ups) use: a screen of theirs is shown with show(), and
     the idle timer takes the kiosk back to the start from it too; a dossier code typed on the
     look-up's keypad goes to the same status screen as a scanned receipt (showDossier). */
  window.KIOSK = { cfg: cfg, t: t, token: token, api: api, show: show, startOver: startOver,
                   showDossier: showDossier, refuse: refuse, printJob: printJob,
                   showResult: showResult };

  clock();
  setInterval(clock, 10000);
  startOver();
  setInterval(function () { if (!$("screen-services").hidden) { loadServices(); } }, 10000);
})();
