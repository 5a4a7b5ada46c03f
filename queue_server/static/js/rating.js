/* The rating tablet beside a counter: waits with the centre's name; when its counter finishes a
 * ticket, asks the citizen how satisfied they are; thanks them; and goes back to waiting by
 * itself. If nobody answers, nothing is stored; a level chosen but not sent is sent when the
 * time is up (the citizen did answer). When its counter takes in a dossier whose fee is due,
 * it shows the transfer that pays it until the fee is confirmed; when it asks the citizen to
 * evaluate a dossier handed back, the QR code of the dossier's page. The device token comes once in
 * the address fragment and is kept in local storage, as on the kiosk. */
(function () {
  "use strict";
  var C = window.Core;
  var cfg = C.page("rating-config");
  var t = C.t, $ = C.$;
  var TOKEN_KEY = "rating-token:" + cfg.site + ":" + cfg.counterNumber;
  var ticket = null;
  var paying = null;  // the code of the dossier whose fee is on screen
  var timer = null;

  function token() { return C.deviceToken(TOKEN_KEY); }
  function banner(message) { C.say("banner", message); }

  function show(screen, seconds, then) {
    ["idle", "ask", "thanks", "pay", "paid", "evaluate"].forEach(function (name) {
      $("screen-" + name).hidden = name !== screen;
    });
    clearTimeout(timer);
    if (seconds) { timer = setTimeout(then, seconds * 1000); }
  }

  function idle() {
    ticket = null;
    paying = null;
    form.reset();
    show("idle");
  }

  /* A fee still due for the dossier just taken in at this counter: its transfer as a VietQR
   * code (made by the server) with the facts beside it, until the fee is confirmed or waived,
   * the counter finishes the ticket (the question comes), or the time is up. */
  function pay(request) {
    if (ticket) { return; }  // the citizen is answering the question
    paying = request.code;
    $("pay-qr").innerHTML = request.qr_svg;
    $("pay-amount").textContent = t("{amount} đồng", {
      amount: request.amount.toLocaleString(document.documentElement.lang === "en" ? "en-US" : "vi-VN")
    });
    $("pay-code").textContent = request.code;
    $("pay-bank").textContent = request.bank_name;
    $("pay-account").textContent = request.account_number;
    $("pay-name").textContent = request.account_name;
    $("pay-memo").textContent = request.memo;
    show("pay", cfg.showSeconds, idle);
  }

  /* The counter asks the citizen to evaluate the dossier it handed back: the QR code of the
   * dossier's page, where the phone shows the questions (evaluations/). */
  function evaluate(request) {
    if (ticket) { return; }
    paying = null;
    $("evaluate-qr").innerHTML = request.qr_svg;
    $("evaluate-code").textContent = t("Hồ sơ {code}", { code: request.code });
    show("evaluate", cfg.showSeconds, idle);
  }

  function paid(settled) {
    if (settled.code !== paying) { return; }
    paying = null;
    show("paid", cfg.thanksSeconds, idle);
  }

  function ask(finished) {
    ticket = finished;
    paying = null;
    form.reset();
    $("ask-number").textContent = t("Phiếu số {number}", { number: finished.number });
    show("ask", cfg.askSeconds, timeUp);
  }

  function timeUp() {
    if (form.level) { form.send().then(idle); } else { idle(); }
  }

  function done(outcome) {
    if (outcome === "rated" || outcome === "already_rated") {
      ticket = null;
      show("thanks", cfg.thanksSeconds, idle);
    } else if (outcome === "refused") {
      banner(t("Máy đánh giá này chưa được cấp quyền. Vui lòng báo cán bộ."));
      idle();
    } else if (outcome === "closed") {
      idle();
    }
  }

  var form = new window.RatingForm($("rate-form"), {
    url: "/api/v1/ratings",
    token: token,
    extra: function () { return { ticket_id: ticket.id }; },
    onActivity: function () { if (ticket) { show("ask", cfg.askSeconds, timeUp); } },
    onResult: done
  });

  function connect() {
    var live = new window.LiveSite({
      site: cfg.site,
      counter: cfg.counterId,
      token: token(),
      onSnapshot: function () { document.body.dataset.live = "on"; },
      onEvent: function (name, delta) {
        if (name === "ticket.finished" && delta.counter_id === cfg.counterId && delta.ticket.status === "done") {
          ask(delta.ticket);
        }
      },
      onStatus: C.connectionNotice("banner", {
        then: function (connected) { if (!connected) { document.body.dataset.live = "off"; } }
      })
    });
    live.socket.on("payment.requested", function (request) {
      if (request.counter_id === cfg.counterId) { pay(request); }
    });
    live.socket.on("payment.settled", function (settled) {
      if (settled.counter_id === cfg.counterId) { paid(settled); }
    });
    live.socket.on("evaluation.requested", function (request) {
      if (request.counter_id === cfg.counterId) { evaluate(request); }
    });
  }

  /* A token that is missing, revoked, of another kind or of another counter asks nothing. */
  function start() {
    if (!token()) {
      banner(t("Máy đánh giá này chưa được cấp quyền. Vui lòng báo cán bộ."));
      return;
    }
    C.api("GET", "/api/v1/devices/me", null, { token: token() })
      .then(function (device) {
        if (device.kind !== "rating" || device.counter_id !== cfg.counterId) {
          banner(t("Máy đánh giá này được cấp cho quầy khác. Vui lòng báo cán bộ."));
          return;
        }
        connect();
      }, function (error) {
        if (error.status) {  // refused
          banner(t("Máy đánh giá này chưa được cấp quyền. Vui lòng báo cán bộ."));
        } else {
          connect();  // the server cannot be reached yet: the live connection keeps trying
        }
      });
  }

  idle();
  start();
})();
