/* "Nhận tin nhắn khi sắp đến lượt?" (_notify_screen.html): once a ticket is shown (and sent to
 * the printer), the result screen offers to leave a phone number; the keypad types it, the
 * server checks it (a Vietnamese mobile) and attaches it to the ticket just printed. A refused
 * number is said in the kiosk's words and can be fixed, or skipped. Only when the centre sends
 * text messages (cfg.phoneChannel). Loaded with defer: it runs after kiosk.js (window.KIOSK). */
(function () {
  "use strict";
  var KIOSK = window.KIOSK;
  var C = window.Core;
  var t = C.t, $ = C.$;
  var cfg = KIOSK.cfg;
  var ticket = null;  // the ticket on the result screen

  /* A number has at least 9 digits once its leading 0 or 84 is left out. */
  var MIN_DIGITS = 9;

  function say(text) {
    $("notify-error").hidden = !text;
    $("notify-error").textContent = text || "";
  }

  function setPhone(value) {
    $("notify-phone").value = value;
    $("notify-phone").dispatchEvent(new Event("input"));
  }

  document.addEventListener("kiosk-ticket", function (event) {
    ticket = event.detail;
    $("result-notified").hidden = true;
    $("notify-open").hidden = !cfg.phoneChannel;
  });

  $("notify-open").addEventListener("click", function () {
    setPhone("");
    say(null);
    $("notify-consent").textContent = t(
      cfg.phoneChannel === "zalo"
        ? "Trung tâm sẽ gửi một tin Zalo đến số này khi còn {n} người trước số {number}. Số điện thoại chỉ dùng để báo lượt cho Ông/Bà."
        : "Trung tâm sẽ gửi một tin nhắn đến số này khi còn {n} người trước số {number}. Số điện thoại chỉ dùng để báo lượt cho Ông/Bà.",
      { n: cfg.nearTurnAhead, number: ticket.number });
    KIOSK.show("notify");
  });

  $("notify-phone").addEventListener("input", function () {
    $("notify-send").disabled = this.value.replace(/\D/g, "").length < MIN_DIGITS;
    say(null);
  });

  $("notify-skip").addEventListener("click", KIOSK.showResult);

  $("notify-send").addEventListener("click", function () {
    var button = this;
    button.disabled = true;
    C.api("POST", "/api/v1/tickets/" + ticket.id + "/subscriptions", { phone: $("notify-phone").value },
          { token: KIOSK.token() || "" })
      .then(function (made) {
        $("result-notified").textContent = t("Đã đăng ký: Ông/Bà sẽ nhận tin nhắn ở số {phone} khi sắp đến lượt.",
                                             { phone: made.phone });
        $("result-notified").hidden = false;
        $("notify-open").hidden = true;
        KIOSK.showResult();
      })
      .catch(function (error) {
        button.disabled = false;
        say(error.code === "invalid_phone" ? t("Số điện thoại chưa đúng. Ông/Bà vui lòng kiểm tra lại hoặc bấm “Bỏ qua”.")
          : error.code === "not_a_mobile" ? t("Tin nhắn chỉ gửi được đến số di động. Ông/Bà vui lòng nhập số di động hoặc bấm “Bỏ qua”.")
          : t("Chưa đăng ký được. Ông/Bà vui lòng thử lại hoặc bấm “Bỏ qua”."));
      });
  });
})();
