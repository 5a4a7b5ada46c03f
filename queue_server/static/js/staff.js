/* What the staff pages beside the console share, on top of the core (core.js: their words,
 * the API and its errors in the officer's language, from #staff-config): the site's labels,
 * times in the site's zone, money, sizes and the page's two banners. */
(function () {
  "use strict";
  var C = window.Core;
  var cfg = C.page("staff-config");
  var t = C.t, $ = C.$, el = C.el;

  function label(group, key) { return ((cfg.labels || {})[group] || {})[key] || key || ""; }

  function call(method, url, body) { return C.api(method, url, body); }
  function upload(url, formData) { return C.api("POST", url, formData, { form: true }); }

  function say(text) { C.say("message", text); }
  function notice(text) { C.say("notice", text); }
  /* An API error said in the page's message banner. */
  function fail(error) { say(C.explain(error)); }

  // Times are shown in the site's zone, whatever the browser's: "09:32 27/10/2023".
  var partsFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: cfg.tz, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    second: "2-digit", hourCycle: "h23"
  });
  function parts(date) {
    var out = {};
    partsFormat.formatToParts(date).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }
  function when(iso) {
    if (!iso) { return "—"; }
    var p = parts(new Date(iso));
    return p.hour + ":" + p.minute + " " + p.day + "/" + p.month + "/" + p.year;
  }
  /* A datetime-local value ("2025-11-20T16:00") read in the site's zone, as ISO 8601 with
   * the zone's offset at that moment. */
  function zonedIso(local) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || "");
    if (!m) { return null; }
    var asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
    var p = parts(new Date(asUtc));
    var offset = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute) - asUtc;
    p = parts(new Date(asUtc - offset));
    offset = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute) - (asUtc - offset);
    var minutes = Math.round(offset / 60000);
    var sign = minutes < 0 ? "-" : "+";
    minutes = Math.abs(minutes);
    return m[1] + "-" + m[2] + "-" + m[3] + "T" + m[4] + ":" + m[5] + ":00" + sign +
      String(Math.floor(minutes / 60)).padStart(2, "0") + ":" + String(minutes % 60).padStart(2, "0");
  }

  function money(amount) {
    return new Intl.NumberFormat(cfg.lang === "en" ? "en-GB" : "vi-VN").format(amount || 0) + " đ";
  }

  function size(bytes) {
    if (bytes < 1024) { return bytes + " B"; }
    if (bytes < 1024 * 1024) { return (bytes / 1024).toFixed(1) + " KB"; }
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function badge(text, kind) { return el("span", { className: "badge " + kind, text: text }); }

  function dossierUrl(code) { return "/console/dossiers/" + encodeURIComponent(code); }

  window.Staff = {
    cfg: cfg, t: t, label: label, $: $, el: el, call: call, upload: upload, explain: C.explain, say: say, fail: fail, fill: C.fill,
    notice: notice, when: when, zonedIso: zonedIso, money: money, size: size, clientId: C.clientId,
    badge: badge, dossierUrl: dossierUrl
  };
})();
