/* The hall screen: counters and their current numbers, the last calls, waiting per service. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("hall-config").textContent);
  var announcer = new window.Announcer(cfg.callUrl, cfg.chimeUrl);
  var state = { counters: {}, services: {}, recent: [] };
  window.HALL = { announcer: announcer, state: state };

  function t(key, values) {
    var text = cfg.t[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }
  function $(id) { return document.getElementById(id); }
  function serviceName(service) { return cfg.lang === "en" && service.name_en ? service.name_en : service.name; }

  function renderCounters() {
    var list = $("counters");
    list.textContent = "";
    Object.keys(state.counters).map(function (id) { return state.counters[id]; })
      .sort(function (a, b) { return a.number - b.number; })
      .forEach(function (counter) {
        var item = document.createElement("li");
        item.className = "display-counter " + counter.state + (counter.fresh ? " fresh" : "");
        item.dataset.counter = counter.number;
        var name = document.createElement("div");
        name.className = "display-counter-name";
        name.textContent = t("Quầy {n}", { n: counter.number });
        var number = document.createElement("div");
        number.className = "display-counter-number";
        var service = document.createElement("div");
        service.className = "display-counter-service";
        if (counter.state !== "open") {
          number.textContent = counter.state === "paused" ? t("Tạm dừng") : t("Đóng");
        } else if (counter.current) {
          number.textContent = counter.current.number;
          service.textContent = cfg.lang === "en" && counter.current.service_name_en
            ? counter.current.service_name_en : counter.current.service_name;
        }
        item.appendChild(name);
        item.appendChild(number);
        item.appendChild(service);
        list.appendChild(item);
      });
  }

  function renderRecent() {
    var list = $("recent");
    list.textContent = "";
    state.recent.slice(0, 8).forEach(function (call) {
      var item = document.createElement("li");
      var number = document.createElement("span");
      number.textContent = call.number;
      var counter = document.createElement("span");
      counter.textContent = t("Quầy {n}", { n: call.counter });
      item.appendChild(number);
      item.appendChild(counter);
      list.appendChild(item);
    });
  }

  function renderWaiting() {
    var list = $("waiting");
    list.textContent = "";
    Object.keys(state.services).forEach(function (code) {
      var service = state.services[code];
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = serviceName(service);
      var count = document.createElement("strong");
      count.textContent = service.waiting;
      count.setAttribute("aria-label", service.waiting + " " + t("người đang chờ"));
      item.appendChild(name);
      item.appendChild(count);
      list.appendChild(item);
    });
  }

  function onSnapshot(snapshot) {
    state.counters = {};
    snapshot.counters.forEach(function (counter) { state.counters[counter.id] = counter; });
    state.services = {};
    snapshot.services.forEach(function (service) { state.services[service.code] = service; });
    state.recent = snapshot.recent_calls.map(function (call) { return { number: call.number, counter: call.counter }; });
    showLatest(state.recent[0]);  // after a reload or a reconnection too, not only on the next call
    renderCounters();
    renderRecent();
    renderWaiting();
  }

  function showLatest(call) {
    $("latest").textContent = call ? t("Mời số {number} đến quầy {counter}", { number: call.number, counter: call.counter }) : "";
  }

  function freshen(counter) {
    counter.fresh = true;
    setTimeout(function () { counter.fresh = false; renderCounters(); }, 10000);
  }

  function onEvent(name, delta) {
    var ticket = delta.ticket;
    var counter = delta.counter_id != null ? state.counters[delta.counter_id] : null;
    if (name === "ticket.called" || name === "ticket.recalled") {
      if (counter) { counter.current = ticket; freshen(counter); }
      state.recent.unshift({ number: ticket.number, counter: ticket.counter });
      showLatest(ticket);
      announcer.announce(ticket.number, ticket.counter);
      renderRecent();
    } else if (name === "counter.changed" && counter) {
      counter.state = delta.state;
    } else if (ticket && counter && counter.current && counter.current.id === ticket.id) {
      counter.current = (ticket.status === "called" || ticket.status === "serving") ? ticket : null;
    }
    renderCounters();
  }

  function onStats(stats) {
    stats.services.forEach(function (figures) {
      if (state.services[figures.code]) { state.services[figures.code].waiting = figures.waiting; }
    });
    renderWaiting();
  }

  function clock() {
    $("clock").textContent = new Date().toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });
  }

  window.HALL.live = new window.LiveSite({
    site: cfg.site,
    onSnapshot: onSnapshot,
    onEvent: onEvent,
    onStats: onStats,
    onStatus: function (connected) {
      $("offline").hidden = connected;
      $("offline").textContent = t("Mất kết nối, đang kết nối lại…");
    }
  });
  clock();
  setInterval(clock, 10000);
})();
