/* Change one's own password (POST /api/v1/auth/password), then go back where the officer came
 * from. The page's words and the API's error codes in them come from the view (#password-page). */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("password-page").textContent);

  function $(id) { return document.getElementById(id); }
  function t(key, values) {
    var text = cfg.t[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }
  function say(text) { $("message").hidden = !text; $("message").textContent = text || ""; }
  function notice(text) { $("notice").hidden = !text; $("notice").textContent = text || ""; }

  /* "30 giây", "15 phút": how long a locked login must wait. */
  function wait(seconds) {
    return seconds < 60 ? t("{n} giây", { n: seconds }) : t("{n} phút", { n: Math.ceil(seconds / 60) });
  }

  function explain(status, error) {
    if (error.code === "login_locked") {
      return t("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait}.", { wait: wait(error.retry_after || 60) });
    }
    if (cfg.errors[error.code]) { return cfg.errors[error.code]; }
    return t("Không thực hiện được: {message}", { message: error.message || String(status) });
  }

  /* Only a page of this server's staff area: never somewhere a crafted link names. */
  function destination() {
    return /^\/(console|admin|reports)(\/|\?|$)/.test(cfg.next) ? cfg.next : "/console";
  }

  $("password-form").addEventListener("submit", function (event) {
    event.preventDefault();
    say(null);
    if ($("new-password").value !== $("repeat-password").value) {
      say(t("Hai mật khẩu mới không khớp nhau."));
      $("repeat-password").focus();
      return;
    }
    fetch("/api/v1/auth/password", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content
      },
      body: JSON.stringify({ current_password: $("current-password").value, new_password: $("new-password").value })
    }).then(function (response) {
      if (response.status === 204) {
        notice(t("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."));
        $("password-form").reset();
        setTimeout(function () { location.assign(destination()); }, 1500);
        return;
      }
      if (response.status === 401) { location.assign("/console?next=" + encodeURIComponent(location.pathname)); return; }
      return response.json().catch(function () { return {}; }).then(function (body) {
        say(explain(response.status, (body && body.error) || {}));
      });
    }).catch(function () { say(t("Không kết nối được máy chủ.")); });
  });
}());
