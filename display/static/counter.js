/* The small screen above one counter: its number, the number it serves (flashing when called),
 * the service, whether it is a priority ticket, and the officer at the counter (the name on his
 * badge, his photo once there is one). Paused, it says so with the officer's reason; closed,
 * that it is closed. */
(function () {
  "use strict";
  var screen = window.DisplayScreen;
  var C = window.Core;
  var cfg = C.page("counter-config");
  var t = C.t, $ = C.$;

  function showOfficer(officer) {
    var photo = $("officer-photo");
    $("officer").hidden = !officer;
    $("officer-name").textContent = officer ? officer.name : "";
    if (officer && officer.photo_url) {
      photo.src = officer.photo_url;
      photo.alt = t("Ảnh cán bộ {name}", { name: officer.name });
      photo.hidden = false;
    } else {
      photo.hidden = true;
      photo.removeAttribute("src");
    }
  }

  function show(counter) {
    var ticket = counter.state === "open" && counter.current ? counter.current : null;
    document.body.dataset.state = counter.state;
    $("current").textContent = ticket ? ticket.number : "—";
    $("current").classList.toggle("none", !ticket);
    $("service").textContent = ticket ? screen.serviceName(ticket, cfg.lang) : "";
    $("priority").hidden = !(ticket && ticket.priority);
    $("state").textContent = counter.state === "paused" ? t("Tạm dừng") : counter.state === "closed" ? t("Quầy đang đóng") : "";
    $("reason").textContent = counter.state === "paused" && counter.pause_reason ? counter.pause_reason : "";
    showOfficer(counter.state === "closed" ? null : counter.officer);
  }

  var counter = null;
  new window.LiveSite({
    site: cfg.site,
    counter: cfg.counterId,
    onSnapshot: function (snapshot) {
      counter = snapshot.counters.filter(function (c) { return c.id === cfg.counterId; })[0];
      if (counter) { show(counter); }
    },
    onEvent: function (name, delta) {
      if (!counter || delta.counter_id !== cfg.counterId) { return; }
      if (name === "counter.changed") {
        counter.state = delta.state;
        counter.pause_reason = delta.reason;
      } else if (delta.ticket) {
        screen.follow(counter, delta.ticket);
      }
      if (delta.officer) { counter.officer = delta.officer; }  // who called: serves here now
      show(counter);
      if (name === "ticket.called" || name === "ticket.recalled") { screen.flash($("current"), "fresh"); }
    },
    onStatus: C.connectionNotice("offline")
  });
})();
