/* What the staff pages beside the console share: their words, the API, times in the site's
 * zone, and the API's errors told in the officer's language (#staff-config, from the view). */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("staff-config").textContent);

  /* The text with each {name} that ``values`` has replaced by its value. */
  function fill(text, values) {
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }

  function t(key, values) { return fill(cfg.t[key] || key, values); }

  function label(group, key) { return ((cfg.labels || {})[group] || {})[key] || key || ""; }

  function $(id) { return document.getElementById(id); }

  /* An element with attributes (and properties: textContent, className, ...) and children. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name in node && typeof value !== "string") { node[name] = value; }
      else if (name === "text") { node.textContent = value; }
      else if (name === "className") { node.className = value; }
      else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  function ApiError(status, body) {
    var error = (body && body.error) || {};
    this.status = status;
    this.code = error.code || "http_" + status;
    this.message = error.message || String(status);
    this.fields = error.fields || null;
    this.field = error.field || null;  // the field the server objects to, when it names one
    this.details = error;              // with whatever else it says (e.g. "other": the row in the way)
  }

  /* The session's token against forged requests (see queue_server/security.py). */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function request(method, url, body, isForm) {
    var headers = { Accept: "application/json" };
    if (body && !isForm) { headers["Content-Type"] = "application/json"; }
    if (method !== "GET") { headers["X-CSRFToken"] = csrfToken(); }
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body ? (isForm ? body : JSON.stringify(body)) : undefined
    }).catch(function () {
      throw new ApiError(0, { error: { code: "offline", message: t("Không kết nối được máy chủ.") } });
    }).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new ApiError(response.status, data); }
        return data;
      });
    });
  }

  function call(method, url, body) { return request(method, url, body, false); }
  function upload(url, formData) { return request("POST", url, formData, true); }

  /* The error in the officer's words: a known code, else the API's own message. */
  function explain(error) {
    if (cfg.errors[error.code]) { return fill(cfg.errors[error.code], error.details); }
    if (error.code === "offline") { return error.message; }
    return t("Không thực hiện được: {message}", { message: error.message });
  }

  function say(text) { $("message").hidden = !text; $("message").textContent = text || ""; }
  function notice(text) { $("notice").hidden = !text; $("notice").textContent = text || ""; }

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

  /* An id for a request that may be retried (a double click, a lost answer). */
  function clientId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function badge(text, kind) { return el("span", { className: "badge " + kind, text: text }); }

  function dossierUrl(code) { return "/console/dossiers/" + encodeURIComponent(code); }

  window.Staff = {
    cfg: cfg, t: t, label: label, $: $, el: el, call: call, upload: upload, explain: explain, say: say,
    notice: notice, when: when, zonedIso: zonedIso, money: money, size: size, clientId: clientId,
    badge: badge, dossierUrl: dossierUrl
  };
})();
