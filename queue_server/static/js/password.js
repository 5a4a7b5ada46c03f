/* Change one's own password (POST /api/v1/auth/password), then go back where the officer came
 * from. The page's words and the API's error codes in them come from the view (#password-page). */
(function () {
  "use strict";
  var C = window.Core;
  var cfg = C.page("password-page");
  var t = C.t, $ = C.$;
  function say(text) { C.say("message", text); }
  function notice(text) { C.say("notice", text); }

  function explain(error) {
    if (error.code === "login_locked") {
      return t("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait}.", { wait: C.waitText(error.retryAfter || 60) });
    }
    return error.message;
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
    C.api("POST", "/api/v1/auth/password", {
      current_password: $("current-password").value, new_password: $("new-password").value
    }).then(function () {
      notice(t("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."));
      $("password-form").reset();
      setTimeout(function () { location.assign(destination()); }, 1500);
    }, function (error) {
      if (error.status === 401) { location.assign("/console?next=" + encodeURIComponent(location.pathname)); return; }
      say(explain(error));
    });
  });
}());
