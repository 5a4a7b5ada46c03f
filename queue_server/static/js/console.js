/* The officer's console: log in, choose a counter, then call and serve with buttons or keys.
 *
 * The counter is in the address (?site=&counter=): a reload or a bookmark opens it again.
 * What the page shows of the counter is the server's: its API (/api/v1/counters/<id>) when the
 * console opens, after each action and whenever the live connection (re)starts, and in between
 * the site's live events, which carry each ticket as it now is. So a call made elsewhere (another
 * tab or device, the counter's keypad) shows here as it does on the hall display. */
(function () {
  "use strict";
  var C = window.Core;
  var cfg = C.page("console-config");
  var t = C.t, $ = C.$, el = C.el, call = C.api;
  var me = null;
  var place = null;         // the site, as the page was given it (cfg.sites)
  var counter = null;       // the counter as the server last described it
  var current = null;       // the ticket at this counter (called or serving)
  var snapshot = null;
  var live = null;
  var noShows = {};
  var refreshTimer = null;
  var counterReads = 0;     // the latest read of the counter: an older answer is dropped
  var actions = 0;          // the latest action: only it may say how it ended (see settle)
  var KEYS = { g: "call-next", b: "start", l: "recall", v: "skip", h: "finish", c: "transfer", d: "pause",
               t: "resume", k: "reactivate" };

  function step(name) { ["login", "choose", "console"].forEach(function (s) { $("step-" + s).hidden = s !== name; }); }
  function say(message) { C.say("message", message); }
  function button(action) { return document.querySelector('[data-action="' + action + '"]'); }

  /* Where a member of staff whose password someone else chose must go first (then ``next``). */
  function changePassword(next) {
    location.assign("/console/password" + (next ? "?next=" + encodeURIComponent(next) : ""));
  }

  function start() {
    call("GET", "/api/v1/auth/me").then(function (user) {
      if (user.must_change_password) { changePassword(null); return; }
      me = user; chooseCounter();
    }).catch(function () { step("login"); $("username").focus(); });
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    call("POST", "/api/v1/auth/login", { username: $("username").value, password: $("password").value })
      .then(function (user) {
        // The login begins a new session: the page's token before it is no longer valid.
        C.setCsrfToken(user.csrf_token);
        // Sent here to log in by another staff page: go back to it (a path on this server only).
        var next = new URLSearchParams(location.search).get("next");
        if (!(next && /^\/(console|admin|reports)(\/|\?|$)/.test(next))) { next = null; }
        if (user.must_change_password) { changePassword(next); return; }
        if (next) { location.assign(next); return; }
        if (user.home) { location.assign(user.home); return; }  // supervisors and admins: their home
        me = user; say(null); chooseCounter();
      })
      .catch(function (error) {
        if (error.code === "login_locked") {
          say(t("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait}.", { wait: C.waitText(error.retryAfter || 60) }));
          return;
        }
        say(error.status ? t("Sai tên đăng nhập hoặc mật khẩu.") : error.message);
      });
  });

  $("logout").addEventListener("click", function () {
    call("POST", "/api/v1/auth/logout").finally(function () { location.assign("/console"); });
  });

  // -- choosing a counter ------------------------------------------------------------------------

  function address(code, number) {
    return "/console?site=" + encodeURIComponent(code) + (number ? "&counter=" + number : "");
  }

  /* The counter named in the address, else the choice of counters at the sites where this
   * member of staff may work them (the server decided which: cfg.sites). */
  function chooseCounter() {
    if (!cfg.sites) { location.reload(); return; }  // just logged in: the page learns the sites
    $("who").textContent = me.full_name || me.username;
    $("logout").hidden = false;
    $("password-link").hidden = false;
    if (!cfg.sites.length) { step("choose"); say(t("Bạn không có quyền ở trung tâm này.")); return; }
    place = cfg.sites.filter(function (s) { return s.code === cfg.site; })[0] || cfg.sites[0];
    if (cfg.counter && place.code === cfg.site) { openCounter(place, cfg.counter); return; }
    showChooser(place);
  }

  function showChooser(chosen) {
    var select = $("site-select");
    select.textContent = "";
    cfg.sites.forEach(function (s) {
      select.appendChild(el("option", { value: s.code, text: s.name + " (" + s.code + ")", selected: s.code === chosen.code }));
    });
    select.onchange = function () {
      history.replaceState(null, "", address(select.value));
      listCounters(select.value);
    };
    step("choose");
    listCounters(chosen.code);
  }

  function line(className, text) { return el("span", { className: className, text: text }); }

  function stateText(c) {
    if (c.state === "open") { return t("Đang mở"); }
    if (c.state === "paused") { return c.pause_reason ? t("Tạm dừng: {reason}", { reason: c.pause_reason }) : t("Tạm dừng"); }
    return t("Đã đóng");
  }

  /* The site's counters: open, paused or closed; who is working at each now; who is on duty
   * there today. The counters the officer is rostered at are marked and the first takes the
   * focus. Any counter may still be chosen. */
  function listCounters(code) {
    var base = "/api/v1/sites/" + encodeURIComponent(code);
    var noDuties = { counters: [], mine: [] };
    Promise.all([
      call("GET", base + "/counters"),
      call("GET", base + "/on-duty").catch(function () { return noDuties; }),
      call("GET", base + "/counters/officers").catch(function () { return []; })
    ]).then(function (results) {
      var duties = results[1];
      var rostered = {};
      duties.counters.forEach(function (c) {
        rostered[c.id] = c.officers.map(function (o) { return o.full_name || o.username; }).join(", ");
      });
      var working = {};
      results[2].forEach(function (o) { working[o.counter_id] = o.officer_name; });
      var list = $("counter-list");
      var first = null;
      list.textContent = "";
      results[0].forEach(function (c) {
        var mine = duties.mine.indexOf(c.id) >= 0;
        var item = el("button", { type: "button", role: "listitem", "data-counter": c.number, "data-state": c.state });
        item.appendChild(line("console-counter-name", t("Quầy {n}", { n: c.number }) + " – " + c.name.replace(/^Quầy \d+ - /, "")));
        item.appendChild(line("console-counter-state", stateText(c)));
        if (working[c.id]) { item.appendChild(line("console-counter-officer", t("Đang có cán bộ: {name}", { name: working[c.id] }))); }
        if (rostered[c.id]) { item.appendChild(line("console-counter-duty", t("Trực: {names}", { names: rostered[c.id] }))); }
        if (mine) {
          item.classList.add("console-counter-mine");
          item.appendChild(line("console-counter-mine-note", t("Theo lịch trực hôm nay")));
          first = first || item;
        }
        item.addEventListener("click", function () { location.assign(address(code, c.number)); });
        list.appendChild(item);
      });
      if (first) { first.focus(); }
    }).catch(function (error) { say(error.message); });
  }

  function openCounter(site, number) {
    call("GET", "/api/v1/sites/" + encodeURIComponent(site.code) + "/counters").then(function (counters) {
      var chosen = counters.filter(function (c) { return c.number === number; })[0];
      if (!chosen) {
        history.replaceState(null, "", address(site.code));
        say(t("Không có quầy {n} ở trung tâm này.", { n: number }));
        showChooser(site);
        return;
      }
      openConsole(site, chosen);
    }).catch(function (error) { say(error.message); showChooser(site); });
  }

  // -- the console -------------------------------------------------------------------------------

  function openConsole(site, chosen) {
    place = site;
    counter = chosen;
    current = chosen.current;
    $("title").textContent = t("Quầy {n} · {site}", { n: chosen.number, site: site.code });
    document.title = $("title").textContent;
    document.querySelectorAll("[data-site-link]").forEach(function (link) {
      link.href = link.pathname + "?site=" + encodeURIComponent(site.code);
    });
    $("admin-link").hidden = $("reports-link").hidden = !site.supervises;
    $("staff-nav").hidden = false;
    $("change-counter").href = address(site.code);
    $("change-counter").hidden = false;
    step("console");
    live = new window.LiveSite({
      site: site.code,
      counter: counter.id,
      // A (re)connection's snapshot is the site as it is; the counter is read again as well,
      // since the events committed while the connection was being made are not in the snapshot.
      onSnapshot: function (data) { applySnapshot(data); loadCounter(); },
      onEvent: onEvent,
      // Said when the connection is lost, and when it is back.
      onStatus: C.connectionNotice("connection", { back: true })
    });
    render();
    loadCounter();
    setInterval(refresh, RECONCILE_MS);
  }

  /* Read the counter (state, services, current ticket) from the server. An answer that a live
   * event overtook is dropped: the event is at least as new. */
  function loadCounter() {
    var read = ++counterReads;
    return call("GET", "/api/v1/counters/" + counter.id).then(function (fresh) {
      if (read !== counterReads) { return; }
      counter = fresh;
      current = fresh.current;
      noShows = {};
      (fresh.no_shows || []).forEach(function (ticket) { noShows[ticket.id] = ticket; });
      render();
    }).catch(function () {});
  }

  function applySnapshot(data) {
    // A copy read over HTTP that the live events have already passed is too old for the counter.
    var stale = live && live.seq !== null && data.seq < live.seq;
    forgetSeen();
    data.waiting.forEach(see);
    data.counters.forEach(function (c) { if (c.current) { see(c.current); } });
    snapshot = data;
    var mine = data.counters.filter(function (c) { return c.id === counter.id; })[0];
    if (mine && !stale) { counter = mine; current = mine.current; counterReads++; }
    render();
  }

  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      call("GET", "/api/v1/sites/" + encodeURIComponent(place.code) + "/queue").then(applySnapshot).catch(function () {});
    }, 250);
  }

  // A ticket's delta carries the ticket as it is now: the lists here follow it without asking
  // the server. At a busy centre, fifty consoles each re-reading the whole queue on every
  // ticket issued or called would cost the server more than the calls themselves. A counter's
  // change still brings a fresh copy, and so does a timer: the waiting list is the head of the
  // queue only (cut at 200), so tickets behind the cut show up with the next copy.
  var IN_QUEUE = ["waiting", "transferred"];
  var AT_COUNTER = ["called", "serving"];
  var RECONCILE_MS = 30000;

  function follow(ticket) {
    var cut = snapshot.waiting.length < snapshot.waiting_total;
    var known = snapshot.waiting.some(function (w) { return w.id === ticket.id; });
    snapshot.waiting = snapshot.waiting.filter(function (w) { return w.id !== ticket.id; });
    if (IN_QUEUE.indexOf(ticket.status) >= 0) {
      if (known || !cut) { snapshot.waiting.push(ticket); }
      if (!known) { snapshot.waiting_total += 1; }
    } else if (known) {
      snapshot.waiting_total -= 1;
    }
    var here = ticket.counter_id === counter.id && AT_COUNTER.indexOf(ticket.status) >= 0;
    if (here || (current && current.id === ticket.id)) {
      current = here ? ticket : null;
      counterReads++;  // newer than any read of the counter still under way
    }
  }

  // The tickets this console has been shown, by id, with when. A ticket issued comes as a
  // notice without a place in the order, gathered for up to LIVE_NOTICE_SECONDS before it is
  // sent (queue_server/live/notices.py): it may come after its ticket was called. A ticket seen
  // already is never new, so its notice is dropped rather than put back in the waiting list.
  var seen = {};
  var SEEN_MS = 60000;  // far longer than any notice waits

  function see(ticket) { seen[ticket.id] = Date.now(); }

  function forgetSeen() {
    var before = Date.now() - SEEN_MS;
    Object.keys(seen).forEach(function (id) { if (seen[id] < before) { delete seen[id]; } });
  }

  function onEvent(name, delta) {
    if (delta.ticket) {
      if (delta.seq == null && seen[delta.ticket.id]) { return; }  // a late notice
      see(delta.ticket);
    }
    if (delta.ticket && delta.counter_id === counter.id) {
      if (name === "ticket.skipped") { noShows[delta.ticket.id] = delta.ticket; }
      if (name === "ticket.reactivated") { delete noShows[delta.ticket.id]; }
    }
    if (delta.ticket && snapshot) { follow(delta.ticket); render(); }
    else { refresh(); }
  }

  function statusText(ticket) {
    if (!place.start_step) { return ""; }
    return ticket.status === "called" ? t("Đã gọi, chờ công dân đến quầy") : t("Đang phục vụ");
  }

  function render() {
    $("current-number").textContent = current ? current.number : "—";
    $("current-service").textContent = current ? current.service_name : t("Chưa gọi số nào.");
    $("current-status").textContent = current ? statusText(current) : "";
    $("intake-link").hidden = !current;
    if (current) { $("intake-link").href = $("intake-link").pathname + "?ticket=" + current.id; }
    $("counter-state").textContent = counter.state === "open" ? "" : stateText(counter);
    var open = counter.state === "open";
    var called = !!current && current.status === "called";
    button("call-next").disabled = !open;
    button("start").hidden = !place.start_step;
    button("start").disabled = !called;
    // With the start of service, a ticket is finished once it has been served.
    button("finish").disabled = !current || (place.start_step && called);
    button("recall").disabled = button("skip").disabled = !called;
    // The places to send a ticket are the site's snapshot's: until it has come, nothing to offer.
    button("transfer").disabled = !current || !snapshot;
    button("pause").disabled = counter.state === "paused";
    button("resume").disabled = open;
    button("reactivate").disabled = !Object.keys(noShows).length;

    var served = (counter.services || []);
    $("served").textContent = "";
    served.forEach(function (code) {
      var service = snapshot && snapshot.services.filter(function (s) { return s.code === code; })[0];
      $("served").appendChild(el("li", { text: service ? service.name : code }));
    });
    var waiting = snapshot ? snapshot.waiting.filter(function (ticket) {
      return ticket.target_counter === counter.number || (ticket.target_counter == null && served.indexOf(ticket.service) >= 0);
    }) : [];
    waiting.sort(function (a, b) { return (b.priority - a.priority) || (a.issued_at < b.issued_at ? -1 : 1); });
    $("waiting-count").textContent = waiting.length;
    $("waiting").textContent = "";
    if (!waiting.length) {
      $("waiting").appendChild(el("li", { className: "console-empty", text: t("Không có ai đang chờ.") }));
    }
    waiting.forEach(function (ticket) {
      $("waiting").appendChild(el("li", {}, [
        ticket.number + " · " + ticket.service_name,
        ticket.priority ? el("span", { className: "console-tag", text: t("Ưu tiên") }) : null
      ]));
    });
    $("no-shows").textContent = "";
    Object.keys(noShows).forEach(function (id) {
      var ticket = noShows[id];
      var back = el("button", {
        type: "button", text: "↺", "aria-label": t("Xếp số {number} lại vào hàng chờ", { number: ticket.number })
      });
      back.addEventListener("click", function () { act("reactivate", ticket); });
      $("no-shows").appendChild(el("li", {}, [ticket.number + " ", back]));
    });
  }

  /* Do an action; what the counter shows afterwards is read back from the server. */
  function act(action, ticket) {
    var done;
    if (action === "call-next") {
      done = call("POST", "/api/v1/counters/" + counter.id + "/call-next").then(function (result) {
        return result ? null : t("Không có ai đang chờ.");
      });
    } else if (action === "pause") {
      $("pause-dialog").showModal();
      return;
    } else if (action === "resume") {
      done = call("POST", "/api/v1/counters/" + counter.id + "/resume");
    } else if (action === "transfer") {
      openTransfer();
      return;
    } else if (action === "reactivate" && !ticket) {
      var ids = Object.keys(noShows);
      if (!ids.length) { return; }
      act("reactivate", noShows[ids[ids.length - 1]]);
      return;
    } else {
      var target = ticket || current;
      if (!target) { return; }
      done = call("POST", "/api/v1/tickets/" + target.id + "/" + action);
    }
    settle(done);
  }

  /* Say how an action ended (``done`` may resolve to a message to say; an API answer says nothing)
   * and read the counter back. Only the latest action speaks: an earlier one that answers late
   * must not hide what a later one said (a slow transfer clearing the error of the call pressed
   * after it). */
  function settle(done) {
    var mine = ++actions;
    function speak(message) { if (mine === actions) { say(typeof message === "string" ? message : null); } }
    done.then(speak, function (error) { speak(error.message); }).then(loadCounter);
  }

  function option(value, text, disabled) { return el("option", { value: value, text: text, disabled: !!disabled }); }

  function group(label, options) { return el("optgroup", { label: label }, options); }

  /* The places a ticket can go: the other services, by field (lĩnh vực), then the other
   * counters, by state. A closed counter is shown but cannot be chosen: nobody would call. */
  function openTransfer() {
    if (!current || !snapshot) { return; }
    var select = $("transfer-target");
    select.textContent = "";
    var fields = [];
    var byField = {};
    snapshot.services.forEach(function (service) {
      if (service.code === current.service) { return; }
      var field = service.field || t("Lĩnh vực khác");
      if (!byField[field]) { byField[field] = []; fields.push(field); }
      byField[field].push(option("service:" + service.code, service.name));
    });
    fields.forEach(function (field) { select.appendChild(group(field, byField[field])); });
    var states = [["open", t("Quầy đang mở")], ["paused", t("Quầy đang tạm dừng")], ["closed", t("Quầy đã đóng")]];
    states.forEach(function (state) {
      var counters = snapshot.counters.filter(function (c) { return c.id !== counter.id && c.state === state[0]; });
      if (!counters.length) { return; }
      select.appendChild(group(state[1], counters.map(function (c) {
        var text = t("Quầy {n}", { n: c.number }) + " – " + c.name.replace(/^Quầy \d+ - /, "");
        if (c.state === "paused" && c.pause_reason) { text += " (" + c.pause_reason + ")"; }
        return option("counter:" + c.id, text, c.state === "closed");
      })));
    });
    $("transfer-dialog").showModal();
  }

  $("transfer-form").addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value !== "ok") { return; }
    if (!current || !$("transfer-target").value) { return; }
    var parts = $("transfer-target").value.split(":");
    var body = parts[0] === "service" ? { service: parts[1] } : { counter: Number(parts[1]) };
    settle(call("POST", "/api/v1/tickets/" + current.id + "/transfer", body));
  });

  $("pause-form").addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value !== "ok") { return; }
    settle(call("POST", "/api/v1/counters/" + counter.id + "/pause", { reason: $("pause-reason").value }));
  });

  document.querySelectorAll("[data-action]").forEach(function (control) {
    control.addEventListener("click", function () { act(control.dataset.action); });
  });
  document.addEventListener("keydown", function (event) {
    if ($("step-console").hidden || event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
    if (document.querySelector("dialog[open]") || /INPUT|SELECT|TEXTAREA/.test(event.target.tagName)) { return; }
    var action = KEYS[event.key.toLowerCase()];
    var control = action && button(action);
    if (control && !control.disabled && !control.hidden) { event.preventDefault(); act(action); }
  });

  setInterval(function () {
    if (!current || !current.called_at) { $("timer").textContent = "00:00"; return; }
    var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(current.called_at)) / 1000));
    $("timer").textContent = String(Math.floor(seconds / 60)).padStart(2, "0") + ":" + String(seconds % 60).padStart(2, "0");
  }, 1000);

  start();
})();
