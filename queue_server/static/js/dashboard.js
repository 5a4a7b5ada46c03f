/* The live supervisor dashboard: the queue now, from /api/v1/reports/live/<site>, fetched
 * again whenever the site's live events say something moved (at most one request in flight,
 * and one more after it if events kept coming). Waits keep growing on screen between events. */
(function () {
  "use strict";
  var S = window.Staff, cfg = S.cfg, t = S.t, $ = S.$, el = S.el;
  var integer = window.Figures.integer, tile = window.Figures.tile;
  var url = "/api/v1/reports/live/" + encodeURIComponent(cfg.site);
  var clock = new Intl.DateTimeFormat("en-GB", { timeZone: cfg.tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  var clockSeconds = new Intl.DateTimeFormat("en-GB", {
    timeZone: cfg.tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });
  var QUIET_MS = 250;  // after an answer, before the next request
  var queue = null, skew = 0, busy = false, again = false, online = false, fetchedAt = null;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    S.call("GET", url).then(function (result) {
      queue = result;
      fetchedAt = new Date();
      skew = Date.parse(result.generated_at) - fetchedAt.getTime();
      S.say(null);
      render();
      $("main").setAttribute("aria-busy", "false");
    }).catch(function (error) {
      S.fail(error);
    }).then(function () {
      setTimeout(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      }, QUIET_MS);
    });
  }

  function now() { return Date.now() + skew; }

  function waited(service) {
    return service.oldest_issued_at ? Math.max(0, (now() - Date.parse(service.oldest_issued_at)) / 1000) : null;
  }

  /* Whole minutes waited ("<1" under a minute). */
  function wholeMinutes(seconds) { return seconds < 60 ? "<1" : integer.format(Math.floor(seconds / 60)); }

  function duration(seconds) {
    if (seconds === null) { return "—"; }
    return seconds < 60 ? t("dưới 1 phút") : t("{n} phút", { n: wholeMinutes(seconds) });
  }

  function render() {
    if (!queue) { return; }
    var target = queue.target_wait_s, longest = null;
    var body = $("services");
    body.textContent = "";
    queue.services.forEach(function (service) {
      var wait = waited(service), over = wait !== null && wait > target;
      if (wait !== null && (longest === null || wait > longest)) { longest = wait; }
      var name = cfg.lang === "en" && service.name_en ? service.name_en : service.name;
      body.appendChild(el("tr", { "data-service": service.code, className: over ? "reports-over" : service.waiting ? "reports-busy" : "" }, [
        el("td", {}, [service.code + " · " + name]),
        el("td", { className: "num", "data-waiting": String(service.waiting), text: integer.format(service.waiting) }),
        el("td", { className: "num", text: service.waiting ? duration(wait) : "—" }, over
          ? [el("span", { className: "visually-hidden", text: " (" + t("Vượt thời gian chờ cam kết") + ")" })] : []),
        el("td", { className: "num", text: service.counters_open ? duration(service.estimated_wait_s) : "—" }),
        el("td", { className: "num", text: integer.format(service.counters_open) }),
        el("td", { className: "num", text: integer.format(service.served) })
      ]));
    });
    var states = { open: 0, paused: 0, closed: 0 };
    var list = $("counters");
    list.textContent = "";
    queue.counters.forEach(function (counter) {
      states[counter.state] = (states[counter.state] || 0) + 1;
      var state = S.label("counter_state", counter.state);
      if (counter.state === "paused") {
        state += counter.pause_reason ? " — " + counter.pause_reason : "";
        if (counter.paused_since) { state += ", " + t("từ {time}", { time: clock.format(new Date(counter.paused_since)) }); }
      }
      list.appendChild(el("li", { "data-counter": String(counter.number), "data-state": counter.state }, [
        el("b", { text: t("Quầy {n}", { n: counter.number }) }),
        el("span", { text: counter.name }),
        el("span", { className: "reports-counter-state", text: state }),
        el("span", { text: counter.current ? t("Đang phục vụ số {number}", { number: counter.current.number }) : t("Không phục vụ số nào") }),
        el("span", { text: t("Đã phục vụ hôm nay: {n}", { n: integer.format(counter.served) }) })
      ]));
    });
    var late = longest !== null && longest > target;
    tile("waiting", integer.format(queue.waiting_total), queue.waiting_total);
    tile("longest", longest === null ? "—" : wholeMinutes(longest), longest === null ? null : Math.round(longest), {
      unit: t("phút"), alert: late,
      note: longest === null ? t("Không ai chờ") : late ? t("Vượt thời gian chờ cam kết") : ""
    });
    tile("served", integer.format(queue.served), queue.served);
    tile("issued", integer.format(queue.issued), queue.issued);
    tile("no_show", integer.format(queue.no_show), queue.no_show);
    tile("counters", integer.format(states.open), states.open,
      { note: t("{open} mở · {paused} tạm dừng · {closed} đóng", states) });
    status();
  }

  function status() {
    var line = $("live-status");
    line.classList.toggle("reports-offline", !online);
    var text = online ? t("Đang nhận cập nhật trực tiếp.") : t("Mất kết nối, đang kết nối lại…");
    if (fetchedAt) { text += " " + t("Cập nhật lúc {time}", { time: clockSeconds.format(fetchedAt) }); }
    line.textContent = text;
  }

  new window.LiveSite({
    site: cfg.site,
    onSnapshot: refresh,
    onEvent: refresh,
    onStats: refresh,
    onStatus: function (up) { online = up; status(); }
  });
  setInterval(render, 15000);  // the longest waits grow while nothing happens
})();
