/* Keeps the tracking page current: status changes arrive live; the place in the queue is
 * read again (debounced) whenever something happens in the ticket's queue. */
(function () {
  "use strict";
  var cfg = window.TRACK;
  var t = function (key, values) {
    var text = cfg.t[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  };
  var ticket = cfg.ticket;
  var refreshTimer = null;
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
      called: t("Mời bạn đến quầy số {counter}", { counter: ticket.counter }),
      serving: t("Đang được phục vụ tại quầy số {counter}", { counter: ticket.counter }),
      done: t("Đã hoàn thành. Cảm ơn bạn!"),
      no_show: t("Bạn đã bị bỏ qua vì vắng mặt. Vui lòng đến quầy để được gọi lại."),
      cancelled: t("Phiếu đã hủy")
    };
    status.textContent = texts[ticket.status] || ticket.status;
    var waiting = ticket.status === "waiting" || ticket.status === "transferred";
    var ahead = document.getElementById("ahead");
    var wait = document.getElementById("wait");
    ahead.hidden = wait.hidden = !waiting;
    if (waiting) {
      ahead.textContent = ticket.people_ahead ? t("Còn {n} người trước bạn", { n: ticket.people_ahead }) : t("Sắp đến lượt bạn");
      wait.hidden = ticket.estimated_wait_s == null;
      wait.textContent = t("Thời gian chờ dự kiến: khoảng {minutes} phút",
        { minutes: Math.max(1, Math.round((ticket.estimated_wait_s || 0) / 60)) });
    }
    renderRating();
  }

  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      fetch(cfg.api, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) { if (body) { ticket = body; render(); } })
        .catch(function () {});
    }, 300);
  }

  new window.LiveSite({
    site: cfg.site,
    onSnapshot: refresh,
    onEvent: function (name, delta) {
      if (!delta.ticket) { refresh(); return; }
      if (delta.ticket.id === ticket.id) {
        Object.assign(ticket, delta.ticket);
        render();
      }
      if (delta.ticket.service === ticket.service || delta.ticket.id === ticket.id) { refresh(); }
    },
    onStatus: function (connected) {
      var offline = document.getElementById("offline");
      offline.hidden = connected;
      offline.textContent = t("Mất kết nối, đang thử lại…");
      if (connected) { refresh(); }
    }
  });
  render();
})();
