/* Keeps the tracking page current over its own live connection, which follows this ticket
 * only: the server sends its whole state on connecting (again after reconnecting), each change
 * of the ticket, and its new place in the queue when that moves ("ticket.standing"). */
(function () {
  "use strict";
  var C = window.Core;
  var cfg = C.page("track-config");
  var t = C.t, $ = C.$;
  var ticket = cfg.ticket;
  var rating = cfg.rating;  // "open" (once the ticket is done), "rated" or "closed"
  new window.TrackNotify(cfg.notify);
  new window.RatingForm($("rate-form"), {
    url: cfg.ratingUrl,
    onResult: function (outcome) {
      if (outcome === "rated" || outcome === "already_rated") { rating = "rated"; }
      if (outcome === "closed") { rating = "closed"; }
      render();
    }
  });

  /* Once the ticket is done: the three choices until it is rated, then a thank-you. */
  function renderRating() {
    var done = ticket.status === "done";
    $("rating").hidden = !done || rating === "closed";
    $("rate-form").hidden = rating !== "open";
    $("rating-thanks").hidden = rating !== "rated";
  }

  function render() {
    var status = $("status");
    status.dataset.status = ticket.status;
    var texts = {
      waiting: t("Đang chờ"),
      transferred: t("Đã chuyển sang dịch vụ khác, vẫn giữ chỗ"),
      called: t("Mời ông/bà đến quầy số {counter}", { counter: ticket.counter }),
      serving: t("Đang được phục vụ tại quầy số {counter}", { counter: ticket.counter }),
      done: t("Đã hoàn thành. Cảm ơn ông/bà!"),
      no_show: t("Số của ông/bà đã qua lượt vì vắng mặt khi được gọi. Mời ông/bà đến quầy để được gọi lại."),
      cancelled: t("Phiếu đã hủy")
    };
    status.textContent = texts[ticket.status] || ticket.status;
    var waiting = ticket.status === "waiting" || ticket.status === "transferred";
    var ahead = $("ahead");
    var wait = $("wait");
    ahead.hidden = wait.hidden = !waiting;
    if (waiting) {
      ahead.textContent = ticket.people_ahead === 1 ? t("Còn 1 người trước ông/bà")
        : ticket.people_ahead ? t("Còn {n} người trước ông/bà", { n: ticket.people_ahead }) : t("Ông/Bà là người tiếp theo");
      /* No wait while no officer is at an open counter of the service (queueing/estimates.py). */
      wait.textContent = ticket.estimated_wait_s == null ? t("Chưa có cán bộ tiếp nhận")
        : t("Thời gian chờ dự kiến: khoảng {minutes} phút",
          { minutes: Math.max(1, Math.round(ticket.estimated_wait_s / 60)) });
    }
    renderRating();
    // Nothing more will happen to a finished or cancelled ticket: no notifications to ask for.
    if (ticket.status === "done" || ticket.status === "cancelled") { $("notify").hidden = true; }
  }

  var CHANGES = [
    "ticket.called", "ticket.recalled", "ticket.started", "ticket.skipped",
    "ticket.reactivated", "ticket.transferred", "ticket.finished"
  ];
  var STANDING = ["position", "people_ahead", "estimated_wait_s", "counters"];

  var socket = C.connect({ ticket: cfg.key }, C.connectionNotice("offline"));
  socket.on("ticket.state", function (state) {
    if (state.id === ticket.id) { ticket = state; render(); }
  });
  socket.on("ticket.standing", function (standing) {
    if (standing.id !== ticket.id) { return; }
    STANDING.forEach(function (name) { ticket[name] = standing[name]; });
    render();
  });
  CHANGES.forEach(function (name) {
    socket.on(name, function (delta) {
      if (delta.ticket && delta.ticket.id === ticket.id) { Object.assign(ticket, delta.ticket); render(); }
    });
  });
  render();
})();
