/* The hall screen: the call to follow now, the counters, the last calls, waiting per service.
 *
 * A TV nobody can scroll: every list keeps to its box. A list with more than its box holds
 * shows it a page at a time (Pager), turning every cfg.pageSeconds with a "1/3" indicator;
 * the recent calls show the newest that fit. Counters serving someone come first, in large
 * tiles; idle, paused ("Tạm dừng") and closed ("Đóng") ones follow in small tiles.
 *
 * The banner rule, the same for a snapshot (a reload, a reconnection) and for the live deltas,
 * so that both give the same picture (queueing/snapshot.py builds the snapshot's rows alike):
 * - state.recent holds one row per ticket, newest call first, at most cfg.recentCalls. A call
 *   or a recall puts the ticket's row at the top: a recall moves it, it never adds a row.
 * - A ticket back in a queue (transferred, or a no-show put back) loses its row: the counter
 *   it was called to is no longer where it goes. A finished ticket or a no-show keeps its row.
 * - The banner shows the newest row whose ticket is still called or serving at a counter that
 *   is open. Otherwise it shows a calm line, "Ông/Bà vui lòng chờ đến lượt", or before the day's
 *   first call "Chưa có số nào được gọi hôm nay". So a counter that pauses or closes, a ticket
 *   finished or transferred, takes its call off the banner at once.
 * - The banner flashes (a few seconds; not with prefers-reduced-motion) when a call or a recall
 *   arriving live is the one it shows; a snapshot never flashes nor announces.
 *
 * For the signage (display/_signage.html, signage.js): every call and recall dispatches
 * document "hall:call" with detail {number, counter}; the footer keeps id "hall-footer".
 */
(function () {
  "use strict";
  var screen = window.DisplayScreen;
  var el = screen.element;
  var C = window.Core;
  var cfg = C.page("hall-config");
  var t = C.t, $ = C.$;
  var announcer = new window.Announcer(cfg.callUrl, cfg.chimeUrl);
  var state = { counters: {}, services: {}, recent: [], callsToday: false };
  window.HALL = { announcer: announcer, state: state };

  function priorityBadge() { return el("span", "display-priority", t("Ưu tiên")); }
  function byNumber(a, b) { return a.number - b.number; }

  /* A list that shows what its box holds, a page at a time. The box's size comes from the
   * layout, not from the list: items are added one by one, and the one that makes the box
   * overflow starts the next page. With an indicator the pages turn; without, only the
   * first is shown. */
  function Pager(list, indicator) {
    this.list = list;
    this.indicator = indicator;
    this.pages = [];
    this.page = 0;
  }
  Pager.prototype.overflows = function () {
    var list = this.list;
    return list.scrollHeight > list.clientHeight + 1 || list.scrollWidth > list.clientWidth + 1;
  };
  Pager.prototype.fill = function (items) {
    var pages = [[]];
    this.list.textContent = "";
    items.forEach(function (item) {
      this.list.appendChild(item);
      var last = pages[pages.length - 1];
      if (last.length && this.overflows()) {
        last.forEach(function (shown) { shown.hidden = true; });
        pages.push([]);
      }
      pages[pages.length - 1].push(item);
    }, this);
    this.pages = pages;
    this.show(Math.min(this.page, pages.length - 1));
  };
  Pager.prototype.show = function (page) {
    this.page = page;
    this.pages.forEach(function (items, index) {
      items.forEach(function (item) { item.hidden = index !== page; });
    });
    this.list.dataset.page = page + 1;
    this.list.dataset.pages = this.pages.length;
    if (this.indicator) {
      this.indicator.hidden = this.pages.length < 2;
      this.indicator.textContent = (page + 1) + "/" + this.pages.length;
    }
  };
  Pager.prototype.turn = function () {
    if (this.indicator && this.pages.length > 1) { this.show((this.page + 1) % this.pages.length); }
  };

  var pagers = {
    counters: new Pager($("counters"), $("counters-page")),
    recent: new Pager($("recent"), null),
    waiting: new Pager($("waiting"), $("waiting-page"))
  };

  function serving(counter) { return counter.state === "open" && counter.current ? counter.current : null; }

  function counterItem(counter) {
    var ticket = serving(counter);
    var item = el("li", ["display-counter", counter.state, ticket ? "busy" : "idle", counter.fresh ? "fresh" : ""].join(" "));
    item.dataset.counter = counter.number;
    var head = el("div", "display-counter-head");
    head.appendChild(el("span", "display-counter-name", t("Quầy {n}", { n: counter.number })));
    if (ticket && ticket.priority) { head.appendChild(priorityBadge()); }
    item.appendChild(head);
    var number = el("div", "display-counter-number");
    if (counter.state !== "open") {
      number.textContent = counter.state === "paused" ? t("Tạm dừng") : t("Đóng");
    } else if (ticket) {
      number.textContent = ticket.number;
    }
    item.appendChild(number);
    if (ticket) { item.appendChild(el("div", "display-counter-service", screen.serviceName(ticket, cfg.lang))); }
    return item;
  }

  function renderCounters() {
    var counters = Object.keys(state.counters).map(function (id) { return state.counters[id]; });
    var busy = counters.filter(serving).sort(byNumber);
    var others = counters.filter(function (counter) { return !serving(counter); }).sort(byNumber);
    pagers.counters.fill(busy.concat(others).map(counterItem));
  }

  /* Still to be followed: the ticket is called or served at a counter that is open. */
  function active(call) {
    var counter = state.counters[call.counter_id];
    return screen.AT_COUNTER.indexOf(call.status) >= 0 && !!counter && counter.state === "open";
  }

  function renderRecent() {
    pagers.recent.fill(state.recent.map(function (call) {
      var item = el("li", "display-recent-row" + (active(call) ? " active" : ""));
      item.dataset.ticket = call.ticket_id;
      item.appendChild(el("span", "display-recent-number", call.number));  // first: the number
      if (call.priority) { item.appendChild(priorityBadge()); }
      item.appendChild(el("span", "display-recent-counter", t("Quầy {n}", { n: call.counter })));
      return item;
    }));
  }

  var shownLatest = null;
  /* The banner; it flashes when the call just arrived is the one it shows (a recall at a
   * paused counter is announced but not shown). */
  function renderLatest(calledId) {
    var latest = $("latest");
    var call = state.recent.filter(active)[0];
    var idle = state.callsToday ? t("Ông/Bà vui lòng chờ đến lượt") : t("Chưa có số nào được gọi hôm nay");
    var key = call ? [call.ticket_id, call.counter, call.priority].join("/") : idle;
    if (key !== shownLatest) {  // unchanged: not read out again by screen readers
      shownLatest = key;
      latest.textContent = "";
      latest.classList.toggle("idle", !call);
      latest.dataset.ticket = call ? call.ticket_id : "";
      if (!call) {
        latest.textContent = idle;
      } else {
        // The sentence's words around the number and the counter, which are shown large.
        t("Mời số {number} đến quầy {counter}").split(/(\{number\}|\{counter\})/).forEach(function (part) {
          if (part === "{number}") {
            latest.appendChild(el("span", "display-latest-number", call.number));
          } else if (part === "{counter}") {
            latest.appendChild(el("span", "display-latest-counter", call.counter));
          } else if (part.trim()) {
            latest.appendChild(el("span", "display-latest-words", part));
          }
        });
        if (call.priority) { latest.appendChild(priorityBadge()); }
      }
    }
    if (call && call.ticket_id === calledId) { screen.flash(latest, "flash"); }
  }

  function renderWaiting() {
    pagers.waiting.fill(Object.keys(state.services).map(function (code) {
      var service = state.services[code];
      var item = el("li");
      item.appendChild(el("span", null, cfg.lang === "en" && service.name_en ? service.name_en : service.name));
      var count = el("strong", null, service.waiting);
      count.setAttribute("aria-label", service.waiting + " " + t("người đang chờ"));
      item.appendChild(count);
      return item;
    }));
  }

  function render(calledId) {
    renderLatest(calledId);
    renderCounters();
    renderRecent();
  }

  function onSnapshot(snapshot) {
    state.counters = {};
    snapshot.counters.forEach(function (counter) { state.counters[counter.id] = counter; });
    state.services = {};
    snapshot.services.forEach(function (service) { state.services[service.code] = service; });
    state.recent = snapshot.recent_calls.slice(0, cfg.recentCalls);
    state.callsToday = snapshot.calls_today;
    render(null);
    renderWaiting();
  }

  function rowOf(ticketId) {
    for (var index = 0; index < state.recent.length; index += 1) {
      if (state.recent[index].ticket_id === ticketId) { return index; }
    }
    return -1;
  }

  /* A ticket's change: its counter's current number and its row in the recent calls. */
  function followTicket(ticket, counter) {
    if (counter) { screen.follow(counter, ticket); }
    var index = rowOf(ticket.id);
    if (index < 0) { return; }
    if (screen.IN_QUEUE.indexOf(ticket.status) >= 0) {
      state.recent.splice(index, 1);
    } else {
      state.recent[index].status = ticket.status;
    }
  }

  /* A call or a recall: the ticket's one row goes to the top. */
  function putOnTop(ticket, delta) {
    var index = rowOf(ticket.id);
    if (index >= 0) { state.recent.splice(index, 1); }
    state.recent.unshift({
      at: delta.at,
      type: delta.type,
      number: ticket.number,
      counter: ticket.counter,
      counter_id: ticket.counter_id,
      ticket_id: ticket.id,
      status: ticket.status,
      priority: ticket.priority
    });
    state.recent.splice(cfg.recentCalls);
    state.callsToday = true;
  }

  function freshen(counter) {
    counter.fresh = true;
    setTimeout(function () { counter.fresh = false; renderCounters(); }, 10000);
  }

  function onEvent(name, delta) {
    var ticket = delta.ticket;
    var counter = delta.counter_id != null ? state.counters[delta.counter_id] : null;
    var called = name === "ticket.called" || name === "ticket.recalled";
    if (name === "counter.changed") {
      if (counter) {
        counter.state = delta.state;
        counter.pause_reason = delta.reason;
      }
    } else if (ticket) {
      followTicket(ticket, counter);
    }
    if (called && ticket) {
      putOnTop(ticket, delta);
      if (counter) { freshen(counter); }
      announcer.announce(ticket.number, ticket.counter);
      document.dispatchEvent(new CustomEvent("hall:call", { detail: { number: ticket.number, counter: ticket.counter } }));
    }
    render(called && ticket ? ticket.id : null);
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

  $("latest").addEventListener("animationend", function () { $("latest").classList.remove("flash"); });
  // The boxes change size with the window, or when the signage adds a ticker: page again.
  if (window.ResizeObserver) {
    var sizes = {};
    var observer = new ResizeObserver(function (entries) {
      var changed = entries.some(function (entry) {
        var size = Math.round(entry.contentRect.width) + "x" + Math.round(entry.contentRect.height);
        var before = sizes[entry.target.id];
        sizes[entry.target.id] = size;
        return before !== undefined && before !== size;
      });
      if (changed) { render(null); renderWaiting(); }
    });
    ["counters", "recent", "waiting"].forEach(function (id) { observer.observe($(id)); });
  }
  setInterval(function () {
    pagers.counters.turn();
    pagers.waiting.turn();
  }, cfg.pageSeconds * 1000);

  window.HALL.live = new window.LiveSite({
    site: cfg.site,
    onSnapshot: onSnapshot,
    onEvent: onEvent,
    onStats: onStats,
    onStatus: C.connectionNotice("offline")
  });
  clock();
  setInterval(clock, 10000);
})();
