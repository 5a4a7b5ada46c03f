/* The citizen's booking pages (queue_server/booking/views.py).
 *
 * /book/<site>: one step at a time on a phone: a service (grouped by field, as at the kiosk),
 * then either today's number ("Lấy số ngay hôm nay", where the centre allows it and is open) or
 * a day, a free slot (full ones shown disabled), and name, phone, optional CCCD and consent.
 * A booking made goes to its confirmation page /b/<token>; a number taken, to its tracking page.
 *
 * /b/<token>: the confirmation; "Hủy lịch hẹn" asks once more, then cancels through the API. */
(function () {
  "use strict";
  var C = window.Core;
  var $ = C.$, el = C.el, fill = C.fill, t = C.t;

  function enc(value) { return encodeURIComponent(value); }

  function bookPage() {
    var cfg = C.page("book-config");
    var base = "/api/v1/book/" + enc(cfg.site);
    var chosen = { service: null, day: null, slot: null };
    var steps = { service: $("step-service"), day: $("step-day"), slot: $("step-slot"), form: $("step-form") };

    function show(step) {
      Object.keys(steps).forEach(function (name) { steps[name].hidden = name !== step; });
      C.say("message", null);
      window.scrollTo(0, 0);
    }

    function fail(error) { C.say("message", error.message); }

    function choiceButton(text, onClick, attrs) {
      var button = el("button", Object.assign({ type: "button", className: "book-choice", text: text }, attrs || {}));
      button.addEventListener("click", onClick);
      return button;
    }

    // Services under their field's heading, in the kiosk's order.
    var groups = [];
    cfg.services.forEach(function (service) {
      var group = groups[groups.length - 1];
      if (!group || group.field !== service.field) {
        group = { field: service.field, services: [] };
        groups.push(group);
      }
      group.services.push(service);
    });
    fill($("services"), groups.map(function (group) {
      return el("section", { className: "book-field" }, [
        group.field ? el("h3", { text: group.field }) : null,
        el("div", { className: "book-choices" }, group.services.map(function (service) {
          return choiceButton(service.name, function () { chooseService(service); }, { "data-service": service.code });
        }))
      ]);
    }));

    function chooseService(service) {
      chosen.service = service;
      $("chosen-service").textContent = service.name;
      $("remote-form").hidden = !cfg.remote;
      $("booking-days").hidden = !cfg.booking;
      fill($("days"), cfg.days.map(function (day) {
        return choiceButton(day.label, function () { chooseDay(day); }, { "data-day": day.day });
      }));
      show("day");
    }

    function chooseDay(day) {
      chosen.day = day;
      $("chosen-day").textContent = chosen.service.name + " · " + day.label;
      fill($("slots"), []);
      show("slot");
      C.api("GET", base + "/slots?service=" + enc(chosen.service.code) + "&day=" + enc(day.day)).then(function (slots) {
        if (!slots.length) {
          fill($("slots"), [el("p", { className: "book-hint", text: t("Ngày này không còn khung giờ trống. Vui lòng chọn ngày khác.") })]);
          return;
        }
        fill($("slots"), slots.map(function (slot) {
          var full = slot.free <= 0;
          return choiceButton(slot.time, function () { chooseSlot(slot); }, {
            disabled: full,
            "data-slot": slot.starts_at,
            "aria-label": slot.time + " – " + (full ? t("Đã kín") : t("Còn {n} chỗ", { n: slot.free })),
            title: full ? t("Đã kín") : t("Còn {n} chỗ", { n: slot.free })
          });
        }));
      }, fail);
    }

    function chooseSlot(slot) {
      chosen.slot = slot;
      $("chosen-slot").textContent = chosen.service.name + " · " + chosen.day.label + " · " + slot.time;
      show("form");
      $("name").focus();
    }

    document.querySelectorAll("[data-back]").forEach(function (button) {
      button.addEventListener("click", function () {
        var step = button.dataset.back;
        if (step === "day") { chooseService(chosen.service); }
        else if (step === "slot") { chooseDay(chosen.day); }
        else { show(step); }
      });
    });

    function busy(form, text) {
      var button = form.querySelector("button[type=submit]");
      var label = button.textContent;
      button.disabled = true;
      button.textContent = text;
      return function () { button.disabled = false; button.textContent = label; };
    }

    $("step-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var done = busy($("step-form"), t("Đang đặt lịch…"));
      C.api("POST", base, {
        service: chosen.service.code,
        starts_at: chosen.slot.starts_at,
        name: $("name").value,
        phone: $("phone").value,
        id_number: $("id_number").value || null,
        consent: $("consent").checked
      }).then(function (booking) {
        location.assign("/b/" + enc(booking.token));
      }, function (error) { done(); fail(error); });
    });

    $("remote-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var done = busy($("remote-form"), t("Đang lấy số…"));
      C.api("POST", base + "/remote-ticket", { service: chosen.service.code, phone: $("remote-phone").value })
        .then(function (issued) {
          location.assign(issued.track_url);
        }, function (error) { done(); fail(error); });
    });
  }

  function confirmationPage() {
    var cfg = C.page("booking-config");
    var dialog = $("cancel-dialog");
    if (!dialog) { return; }
    $("cancel").addEventListener("click", function () { dialog.showModal(); });
    dialog.addEventListener("close", function () {
      if (dialog.returnValue !== "cancel") { return; }
      C.api("POST", "/api/v1/b/" + enc(cfg.token) + "/cancel").then(function () {
        location.reload();
      }, function (error) { C.say("message", error.message); });
    });
  }

  if ($("book-config")) { bookPage(); }
  if ($("booking-config")) { confirmationPage(); }
})();
