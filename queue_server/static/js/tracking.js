/* Keeps the tracking page current over its own live connection, which follows this ticket
 * only: the server sends its whole state on connecting (again after reconnecting), each change
 * of the ticket, and its new place in the queue when that moves ("ticket.standing"). */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("track-config").textContent);
  var t = function (key, values) {
    var text = cfg.t[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  };
  var ticket = cfg.ticket;
  var rating = cfg.rating;  // "open" (once the ticket is done), "rated" or "closed"
  new window.RatingForm(document.getElementById("rate-form"), {
    url: cfg.ratingUrl,
    t: t,
    onResult: function (outcome) {
      if (outcome === "rated" || outcome === "already_rated") { rating = "rated"; }
      if (outcome === "closed") { rating = "closed"; }
      render();
    }
  });

  /* Once the ticket is done: the three choices until it is rated, then a thank-you. */
  function renderRating() {
    var done = ticket.status === "done";
    document.getElementById("rating").hidden = !done || rating === "closed";
    document.getElementById("rate-form").hidden = rating !== "open";
    document.getElementById("rating-thanks").hidden = rating !== "rated";
  }

  function render() {
    var status = document.getElementById("status");
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
    var ahead = document.getElementById("ahead");
    var wait = document.getElementById("wait");
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
  }

  var CHANGES = [
    "ticket.called", "ticket.recalled", "ticket.started", "ticket.skipped",
    "ticket.reactivated", "ticket.transferred", "ticket.finished"
  ];
  var STANDING = ["position", "people_ahead", "estimated_wait_s", "counters"];

  function status(connected) {
    var offline = document.getElementById("offline");
    offline.hidden = connected;
    offline.textContent = t("Mất kết nối, đang thử lại…");
  }

  var socket = io({ transports: ["websocket"], auth: { ticket: cfg.key }, reconnectionDelayMax: 5000 });
  socket.on("connect", function () { status(true); });
  socket.on("disconnect", function () { status(false); });
  socket.on("connect_error", function () { status(false); });
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
