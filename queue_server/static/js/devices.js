/* The supervisor's list of devices; a printer that changes state updates it at once. */
(function () {
  "use strict";
  var cfg = window.ADMIN;
  var STATES = { ok: "bình thường", offline: "mất kết nối", paper_out: "hết giấy", paper_low: "sắp hết giấy",
                 cover_open: "mở nắp", unknown: "không rõ", none: "không có máy in" };
  function t(key, values) {
    var text = cfg.t[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }
  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      return r.ok ? r.json() : Promise.reject(r.status);
    });
  }
  var sites = [];

  function render(rows) {
    var body = document.getElementById("devices");
    body.textContent = "";
    rows.forEach(function (device) {
      var tr = document.createElement("tr");
      tr.dataset.device = device.id;
      var printer = device.health && device.health.printer;
      var state = device.revoked ? t("Đã thu hồi") : printer ? t("Máy in: {state}", { state: t(STATES[printer] || printer) }) : "";
      var cells = [device.site, device.kind, device.name + (device.counter ? " · " + t("Quầy {n}", { n: device.counter }) : ""),
                   state, device.last_seen_at ? new Date(device.last_seen_at).toLocaleString(cfg.lang === "en" ? "en-GB" : "vi-VN") : t("Chưa liên lạc")];
      cells.forEach(function (text, index) {
        var td = document.createElement("td");
        td.textContent = text;
        if (index === 3) {
          td.dataset.state = printer || "";
          if (printer && printer !== "ok" && printer !== "none") { td.className = "alert"; }
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function load() {
    Promise.all(sites.map(function (code) { return get("/api/v1/sites/" + encodeURIComponent(code) + "/devices"); }))
      .then(function (lists) { render([].concat.apply([], lists)); });
  }

  get("/api/v1/auth/me").then(function (me) {
    var ready = me.sites.length ? Promise.resolve(me.sites) : get("/api/v1/sites").then(function (all) {
      return all.map(function (s) { return s.code; });
    });
    return ready.then(function (codes) {
      sites = codes;
      load();
      codes.forEach(function (code) {
        var live = new window.LiveSite({ site: code, onSnapshot: function () {}, onEvent: function () {} });
        live.socket.on("device.changed", load);
      });
    });
  }).catch(function () {
    var message = document.getElementById("message");
    message.hidden = false;
    message.textContent = t("Bạn cần đăng nhập với vai trò giám sát hoặc quản trị.");
  });
})();
