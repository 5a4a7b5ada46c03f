/* The officer's console: log in, choose a counter, then call and serve with buttons or keys.
 * Every action goes through the JSON API; the lists follow the site's live events. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("console-config").textContent);
  var me = null;
  var site = null;
  var counter = null;       // the counter as the server last described it
  var current = null;       // the ticket at this counter (called or serving)
  var snapshot = null;
  var noShows = {};
  var refreshTimer = null;
  var KEYS = { g: "call-next", l: "recall", v: "skip", h: "finish", c: "transfer", d: "pause", t: "resume",
               k: "reactivate" };

  function t(key, values) {
    var text = cfg.t[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }
  function $(id) { return document.getElementById(id); }
  function step(name) { ["login", "choose", "console"].forEach(function (s) { $("step-" + s).hidden = s !== name; }); }
  function say(message) { $("message").hidden = !message; $("message").textContent = message || ""; }

  function call(method, url, body) {
    var headers = { Accept: "application/json" };
    if (body) { headers["Content-Type"] = "application/json"; }
    if (method !== "GET") { headers["X-CSRFToken"] = document.querySelector('meta[name="csrf-token"]').content; }
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().then(function (data) {
        if (!response.ok) {
          var error = new Error((data.error || {}).message || response.statusText);
          error.status = response.status; error.code = (data.error || {}).code; error.retryAfter = (data.error || {}).retry_after;
          throw error;
        }
        return data;
      });
    });
  }

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

  /* "30 giây", "15 phút": how long a locked login must wait. */
  function waitText(seconds) {
    return seconds < 60 ? t("{n} giây", { n: seconds }) : t("{n} phút", { n: Math.ceil(seconds / 60) });
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    call("POST", "/api/v1/auth/login", { username: $("username").value, password: $("password").value })
      .then(function (user) {
        // The login begins a new session: the page's token before it is no longer valid.
        document.querySelector('meta[name="csrf-token"]').content = user.csrf_token;
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
          say(t("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait}.", { wait: waitText(error.retryAfter || 60) }));
          return;
        }
        say(t("Sai tên đăng nhập hoặc mật khẩu."));
      });
  });

  $("logout").addEventListener("click", function () {
    call("POST", "/api/v1/auth/logout").finally(function () { location.reload(); });
  });

  function chooseCounter() {
    $("who").textContent = me.full_name || me.username;
    $("logout").hidden = false;
    $("password-link").hidden = false;
    var sites = me.sites;
    var load = sites.length ? Promise.resolve(sites) : call("GET", "/api/v1/sites").then(function (all) {
      return all.map(function (s) { return s.code; });
    });
    load.then(function (codes) {
      var select = $("site-select");
      select.textContent = "";
      codes.forEach(function (code) {
        var option = document.createElement("option");
        option.value = option.textContent = code;
        select.appendChild(option);
      });
      select.onchange = function () { listCounters(select.value); };
      step("choose");
      listCounters(select.value);
    });
  }

  function line(className, text) {
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }

  /* The site's counters, with who is on duty at each today; the counters the officer is
   * rostered at are marked and the first takes the focus. Any counter may still be chosen. */
  function listCounters(code) {
    var base = "/api/v1/sites/" + encodeURIComponent(code);
    var noDuties = { counters: [], mine: [] };
    Promise.all([call("GET", base + "/counters"), call("GET", base + "/on-duty").catch(function () { return noDuties; })])
      .then(function (results) {
        var duties = results[1];
        var officers = {};
        duties.counters.forEach(function (c) {
          officers[c.id] = c.officers.map(function (o) { return o.full_name || o.username; }).join(", ");
        });
        var list = $("counter-list");
        var rostered = null;
        list.textContent = "";
        results[0].forEach(function (c) {
          var mine = duties.mine.indexOf(c.id) >= 0;
          var button = document.createElement("button");
          button.type = "button";
          button.setAttribute("role", "listitem");
          button.dataset.counter = c.number;
          button.appendChild(line("console-counter-name", t("Quầy {n}", { n: c.number }) + " – " + c.name.replace(/^Quầy \d+ - /, "")));
          if (officers[c.id]) { button.appendChild(line("console-counter-duty", t("Trực: {names}", { names: officers[c.id] }))); }
          if (mine) {
            button.classList.add("console-counter-mine");
            button.appendChild(line("console-counter-mine-note", t("Theo lịch trực hôm nay")));
            rostered = rostered || button;
          }
          button.addEventListener("click", function () { openConsole(code, c); });
          list.appendChild(button);
        });
        if (rostered) { rostered.focus(); }
      });
  }

  function openConsole(code, chosen) {
    site = code;
    counter = chosen;
    current = chosen.current;
    $("title").textContent = t("Quầy {n}", { n: chosen.number }) + " · " + code;
    document.querySelectorAll("[data-site-link]").forEach(function (link) {
      link.href = link.pathname + "?site=" + encodeURIComponent(code);
    });
    $("admin-link").hidden = $("reports-link").hidden = ["admin", "supervisor"].indexOf(me.role) < 0;
    $("staff-nav").hidden = false;
    step("console");
    new window.LiveSite({
      site: site,
      counter: counter.id,
      onSnapshot: function (data) { applySnapshot(data); },
      onEvent: onEvent,
      onStatus: function (connected) { say(connected ? null : t("Mất kết nối, đang kết nối lại…")); }
    });
    render();
    setInterval(refresh, RECONCILE_MS);
  }

  function applySnapshot(data) {
    snapshot = data;
    var mine = data.counters.filter(function (c) { return c.id === counter.id; })[0];
    if (mine) { counter = mine; current = mine.current; }
    render();
  }

  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      call("GET", "/api/v1/sites/" + encodeURIComponent(site) + "/queue").then(applySnapshot).catch(function () {});
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
    if (ticket.counter_id === counter.id && AT_COUNTER.indexOf(ticket.status) >= 0) { current = ticket; }
    else if (current && current.id === ticket.id) { current = null; }
  }

  function onEvent(name, delta) {
    if (delta.ticket && delta.counter_id === counter.id) {
      if (name === "ticket.skipped") { noShows[delta.ticket.id] = delta.ticket; }
      if (name === "ticket.reactivated") { delete noShows[delta.ticket.id]; }
    }
    if (delta.ticket && snapshot) { follow(delta.ticket); render(); }
    else { refresh(); }
  }

  function render() {
    $("current-number").textContent = current ? current.number : "—";
    $("current-service").textContent = current ? current.service_name : t("Chưa gọi số nào.");
    $("intake-link").hidden = !current;
    if (current) { $("intake-link").href = $("intake-link").pathname + "?ticket=" + current.id; }
    $("counter-state").textContent = counter.state === "open" ? "" : (counter.state === "paused"
      ? t("Tạm dừng") + (counter.pause_reason ? " – " + counter.pause_reason : "") : t("Đóng"));
    var open = counter.state === "open";
    document.querySelector('[data-action="call-next"]').disabled = !open;
    ["recall", "skip"].forEach(function (a) { document.querySelector('[data-action="' + a + '"]').disabled = !current || current.status !== "called"; });
    ["finish", "transfer"].forEach(function (a) { document.querySelector('[data-action="' + a + '"]').disabled = !current; });
    document.querySelector('[data-action="pause"]').disabled = counter.state === "paused";
    document.querySelector('[data-action="resume"]').disabled = open;
    document.querySelector('[data-action="reactivate"]').disabled = !Object.keys(noShows).length;

    var served = (counter.services || []);
    $("served").textContent = "";
    served.forEach(function (code) {
      var item = document.createElement("li");
      var service = snapshot && snapshot.services.filter(function (s) { return s.code === code; })[0];
      item.textContent = service ? service.name : code;
      $("served").appendChild(item);
    });
    var waiting = snapshot ? snapshot.waiting.filter(function (ticket) {
      return ticket.target_counter === counter.number || (ticket.target_counter == null && served.indexOf(ticket.service) >= 0);
    }) : [];
    waiting.sort(function (a, b) { return (b.priority - a.priority) || (a.issued_at < b.issued_at ? -1 : 1); });
    $("waiting-count").textContent = waiting.length;
    $("waiting").textContent = "";
    if (!waiting.length) {
      var empty = document.createElement("li");
      empty.className = "console-empty";
      empty.textContent = t("Không có ai đang chờ.");
      $("waiting").appendChild(empty);
    }
    waiting.forEach(function (ticket) {
      var item = document.createElement("li");
      item.textContent = ticket.number + " · " + ticket.service_name;
      if (ticket.priority) {
        var tag = document.createElement("span");
        tag.className = "console-tag";
        tag.textContent = t("Ưu tiên");
        item.appendChild(tag);
      }
      $("waiting").appendChild(item);
    });
    $("no-shows").textContent = "";
    Object.keys(noShows).forEach(function (id) {
      var ticket = noShows[id];
      var item = document.createElement("li");
      item.textContent = ticket.number + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "↺";
      button.setAttribute("aria-label", ticket.number + ": " + (cfg.lang === "en" ? "put back in the queue" : "đưa lại vào hàng chờ"));
      button.addEventListener("click", function () { act("reactivate", ticket); });
      item.appendChild(button);
      $("no-shows").appendChild(item);
    });
  }

  function act(action, ticket) {
    var done;
    if (action === "call-next") {
      done = call("POST", "/api/v1/counters/" + counter.id + "/call-next").then(function (result) {
        current = result ? result.ticket : null;
        if (!result) { say(t("Không có ai đang chờ.")); } else { say(null); }
      });
    } else if (action === "pause") {
      $("pause-dialog").showModal();
      return;
    } else if (action === "resume") {
      done = call("POST", "/api/v1/counters/" + counter.id + "/resume").then(function (c) { counter = c; });
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
      done = call("POST", "/api/v1/tickets/" + target.id + "/" + action).then(function (updated) {
        if (action === "finish" || action === "skip") { current = null; }
        else if (action === "recall") { current = updated; }
      });
    }
    done.then(render).catch(function (error) { say(t("Không thực hiện được: {message}", { message: error.message })); });
  }

  function openTransfer() {
    if (!current || !snapshot) { return; }
    var select = $("transfer-target");
    select.textContent = "";
    snapshot.services.forEach(function (service) {
      if (service.code === current.service) { return; }
      var option = document.createElement("option");
      option.value = "service:" + service.code;
      option.textContent = service.name;
      select.appendChild(option);
    });
    snapshot.counters.forEach(function (c) {
      if (c.id === counter.id) { return; }
      var option = document.createElement("option");
      option.value = "counter:" + c.id;
      option.textContent = t("Chuyển đến quầy {n}", { n: c.number });
      select.appendChild(option);
    });
    $("transfer-dialog").showModal();
  }

  $("transfer-form").addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value !== "ok") { return; }
    var parts = $("transfer-target").value.split(":");
    var body = parts[0] === "service" ? { service: parts[1] } : { counter: Number(parts[1]) };
    call("POST", "/api/v1/tickets/" + current.id + "/transfer", body)
      .then(function () { current = null; render(); })
      .catch(function (error) { say(t("Không thực hiện được: {message}", { message: error.message })); });
  });

  $("pause-form").addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value !== "ok") { return; }
    call("POST", "/api/v1/counters/" + counter.id + "/pause", { reason: $("pause-reason").value })
      .then(function (c) { counter = c; render(); })
      .catch(function (error) { say(t("Không thực hiện được: {message}", { message: error.message })); });
  });

  document.querySelectorAll("[data-action]").forEach(function (button) {
    button.addEventListener("click", function () { act(button.dataset.action); });
  });
  document.addEventListener("keydown", function (event) {
    if ($("step-console").hidden || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (document.querySelector("dialog[open]") || /INPUT|SELECT|TEXTAREA/.test(event.target.tagName)) { return; }
    var action = KEYS[event.key.toLowerCase()];
    var button = action && document.querySelector('[data-action="' + action + '"]');
    if (button && !button.disabled) { event.preventDefault(); act(action); }
  });

  setInterval(function () {
    if (!current || !current.called_at) { $("timer").textContent = "00:00"; return; }
    var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(current.called_at)) / 1000));
    $("timer").textContent = String(Math.floor(seconds / 60)).padStart(2, "0") + ":" + String(seconds % 60).padStart(2, "0");
  }, 1000);

  start();
})();
