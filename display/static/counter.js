/* The small screen above one counter: its current number, flashing when called. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("counter-config").textContent);
  var current = document.getElementById("current");
  var stateText = document.getElementById("state");
  function t(key) { return cfg.t[key] || key; }

  function show(counter) {
    current.textContent = counter.state === "open" && counter.current ? counter.current.number : "—";
    stateText.textContent = counter.state === "paused" ? t("Tạm dừng") : counter.state === "closed" ? t("Đóng") : "";
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
      if (name === "counter.changed") { counter.state = delta.state; }
      else if (name === "ticket.called" || name === "ticket.recalled") {
        counter.current = delta.ticket;
        current.classList.remove("fresh");
        void current.offsetWidth;
        current.classList.add("fresh");
      } else if (counter.current && delta.ticket && counter.current.id === delta.ticket.id
                 && delta.ticket.status !== "called" && delta.ticket.status !== "serving") {
        counter.current = null;
      }
      show(counter);
    }
  });
})();
