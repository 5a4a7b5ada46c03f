/* The day's bookings (console/bookings.py): "Tiếp nhận" checks a citizen in at the counter, by
 * the same rule as the kiosk's scan (POST /api/v1/bookings/<id>/check-in), and the row shows
 * the ticket's number. */
(function () {
  "use strict";
  var S = window.Staff;
  var t = S.t;
  function count(status, step) {
    var shown = document.querySelector("[data-count='" + status + "'] b");
    shown.textContent = String(Number(shown.textContent) + step);
  }

  document.querySelectorAll("[data-check-in]").forEach(function (button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      S.call("POST", "/api/v1/bookings/" + encodeURIComponent(button.dataset.checkIn) + "/check-in")
        .then(function (answer) {
          var row = button.closest("tr");
          var late = answer.outcome === "late";
          row.dataset.status = late ? "no_show" : "checked_in";
          row.querySelector("[data-cell='status']").textContent = late ? t("Không đến") : t("Đã đến");
          row.querySelector("[data-cell='ticket']").textContent = answer.ticket.number;
          button.remove();
          count("booked", -1);
          count(answer.outcome === "late" ? "no_show" : "checked_in", 1);
          S.notice(t("Đã tiếp nhận lịch hẹn: số {number}.", { number: answer.ticket.number }));
        })
        .catch(function (error) { button.disabled = false; S.fail(error); });
    });
  });
})();
