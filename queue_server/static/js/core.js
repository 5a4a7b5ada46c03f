/* What every page script stands on (staff pages, kiosk, screens, tablets, the tracking page):
 * the page's words, a few element helpers, the one way to call the API, and the live
 * connection with its "connection lost" notice. Plain script, no build step: the pages load it
 * before their own (the policy allows scripts from this server only, never inline code).
 *
 * A page's words and the explanations of the API's error codes come from the server, in the
 * page's JSON block ({"t": {msgid: text}, "errors": {code: text}}): the error codes are
 * worded once, beside the API (e.g. console/views.py QUEUE_ERRORS), and the API's English
 * messages, written for its logs, are never shown. The words this core itself says are in
 * every page's block (queue_server/web.py CORE_STRINGS). */
(function () {
  "use strict";
  var strings = {};
  var errors = {};

  // -- the page's words --------------------------------------------------------------------------

  /* The JSON block with the given id. */
  function config(id) { return JSON.parse(document.getElementById(id).textContent); }

  /* The page's own block: read it, and take its words and its error explanations as the ones
   * t() and api() use. */
  function page(id) {
    var cfg = config(id);
    strings = cfg.t || {};
    errors = cfg.errors || {};
    return cfg;
  }

  /* The text with each {name} that ``values`` has replaced by its value. */
  function format(text, values) {
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }

  /* The page's translation of a Vietnamese msgid, its placeholders filled in. */
  function t(key, values) { return format(strings[key] || key, values); }

  /* "30 giây", "15 phút": how long someone must wait (a locked login, a busy server). */
  function waitText(seconds) {
    return seconds < 60 ? t("{n} giây", { n: seconds }) : t("{n} phút", { n: Math.ceil(seconds / 60) });
  }

  // -- elements ----------------------------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  /* An element with attributes (and properties: textContent, className, ...) and children;
   * "text" is its text. */
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

  /* The node's children replaced by these (null ones left out). */
  function fill(node, children) {
    node.textContent = "";
    children.forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  /* Show a text in a banner (an element or its id), or hide the banner when there is none. */
  function say(banner, text) {
    var node = typeof banner === "string" ? $(banner) : banner;
    node.hidden = !text;
    node.textContent = text || "";
  }

  // -- the API -----------------------------------------------------------------------------------

  /* What went wrong, in the page's words: the error's code looked up in the page's table (its
   * placeholders filled from the error's details), else a general sentence with the HTTP
   * status; never the API's English message. */
  function explain(error) {
    if (error.code && errors[error.code]) { return format(errors[error.code], error.details || error); }
    if (!error.status) { return t("Không kết nối được máy chủ."); }
    return t("Không thực hiện được. Vui lòng thử lại. (Mã lỗi HTTP {status})", { status: error.status });
  }

  /* An error answer (status 0: the server could not be reached). ``message`` is for the
   * person at the screen; ``serverMessage`` is the API's own (English, for matching only). */
  function ApiError(status, body) {
    var error = (body && body.error) || {};
    this.status = status;
    this.code = error.code || (status ? "http_" + status : "offline");
    this.serverMessage = error.message || "";
    this.fields = error.fields || null;
    this.field = error.field || null;       // the field the server objects to, when it names one
    this.retryAfter = error.retry_after;    // seconds, when the server says how long to wait
    this.details = error;                   // with whatever else it says (e.g. "other": the row in the way)
    this.message = explain(this);
  }
  ApiError.prototype = Object.create(Error.prototype);
  ApiError.prototype.constructor = ApiError;
  ApiError.prototype.name = "ApiError";

  /* The session's token against forged requests (the staff pages' meta tag, see
   * queue_server/security.py); after a login the page sets the new one with setCsrfToken. */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  function setCsrfToken(value) { document.querySelector('meta[name="csrf-token"]').content = value; }

  /* A device's token (kiosk, rating tablet): it comes once in the address fragment (#token=),
   * is kept in local storage under ``key`` and taken out of the address. */
  function deviceToken(key) {
    var match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (match) {
      localStorage.setItem(key, decodeURIComponent(match[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
    return localStorage.getItem(key);
  }

  /* Call the API: JSON out and back (``options.form``: the body is FormData), the staff
   * session's CSRF token on a change, or ``options.token``, a device's token. Resolves with the
   * answer (null for 204); rejects with an ApiError whose message is in the page's words. */
  function api(method, url, body, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    if (body && !options.form) { headers["Content-Type"] = "application/json"; }
    if (options.token != null) { headers.Authorization = "Bearer " + options.token; }
    else if (method !== "GET" && csrfToken()) { headers["X-CSRFToken"] = csrfToken(); }
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body ? (options.form ? body : JSON.stringify(body)) : undefined
    }).catch(function () {
      throw new ApiError(0, null);
    }).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new ApiError(response.status, data); }
        return data;
      });
    });
  }

  /* An id for a request that may be retried (a double click, a lost answer): the server gives
   * back what the first one made. getRandomValues works without HTTPS, randomUUID does not. */
  function clientId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // -- the live connection -----------------------------------------------------------------------

  /* A Socket.IO connection (socket.io-client, loaded by the page before this script's users),
   * which reconnects by itself on the same connection object; ``onStatus(connected)`` hears
   * each loss and each return. The server sends what was missed on connecting again (a snapshot,
   * a ticket's state), so a page need only listen. */
  function connect(auth, onStatus) {
    var socket = io({ transports: ["websocket"], auth: auth, reconnectionDelayMax: 5000 });
    var status = onStatus || function () {};
    socket.on("connect", function () { status(true); });
    socket.on("disconnect", function () { status(false); });
    socket.on("connect_error", function () { status(false); });
    return socket;
  }

  /* An onStatus for connect() (or LiveSite) that says in ``banner`` (an element or its id)
   * when the connection is lost and hides it when it is back; with ``options.back`` it says
   * "Đã kết nối lại." for five seconds first; ``options.then(connected)`` hears it too. */
  function connectionNotice(banner, options) {
    options = options || {};
    var lost = false;
    var timer = null;
    return function (connected) {
      clearTimeout(timer);
      if (!connected) {
        lost = true;
        say(banner, t("Mất kết nối, đang kết nối lại…"));
      } else if (lost) {
        lost = false;
        if (options.back) {
          say(banner, t("Đã kết nối lại."));
          timer = setTimeout(function () { say(banner, null); }, 5000);
        } else {
          say(banner, null);
        }
      }
      if (options.then) { options.then(connected); }
    };
  }

  // -- file inputs in the page's words -----------------------------------------------------------

  /* Each input.file-pick-input is followed by templates/_file_pick.html: a button and the chosen
   * file's name in the page's language (the browser's own say "Choose File" in the browser's).
   * A script that empties an input programmatically sends it a "change" to update the name. */
  function filePickers() {
    document.querySelectorAll("input.file-pick-input").forEach(function (input) {
      var pick = input.nextElementSibling;
      if (!pick || !pick.classList.contains("file-pick")) { return; }
      var name = pick.querySelector(".file-pick-name");
      function show() {
        var files = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
        name.textContent = files.length ? files.join(", ") : name.dataset.none;
      }
      pick.addEventListener("click", function () { input.click(); });
      input.addEventListener("change", show);
      if (input.form) { input.form.addEventListener("reset", function () { setTimeout(show, 0); }); }
      show();
    });
  }
  document.addEventListener("DOMContentLoaded", filePickers);

  window.Core = {
    config: config, page: page, format: format, t: t, waitText: waitText, $: $, el: el, fill: fill, say: say,
    explain: explain, ApiError: ApiError, api: api, csrfToken: csrfToken, setCsrfToken: setCsrfToken,
    deviceToken: deviceToken, clientId: clientId, connect: connect, connectionNotice: connectionNotice
  };
})();
