/* Notifications on the tracking pages (templates tracking/_notify.html), for the ticket's and
 * the dossier's page alike: new TrackNotify(cfg) with the page's "notify" configuration
 * (tracking/views.py notify_offer), once the page's words are read (Core.page).
 *
 * Where the site sends Web Push and the browser can receive it, "Nhận thông báo" asks for the
 * permission, subscribes through the service worker (/push-worker.js, scope /t/ or /d/) with
 * the server's key and gives the server the subscription; "Tắt thông báo" ends it for this
 * page. Otherwise, where the site sends e-mail, SMS or Zalo, the citizen may give an address;
 * otherwise nothing is shown. The server never sends an address back: the page says only that
 * notifications are on. */
(function () {
  "use strict";
  var C = window.Core;
  var $ = C.$, t = C.t;

  /* The server's public key as pushManager.subscribe wants it (base64url to bytes). */
  function keyBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function canPush() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function TrackNotify(cfg) {
    this.cfg = cfg;
    this.error = $("notify-error");
    if (cfg.push && canPush()) { this.startPush(); }
    else if (cfg.contact.length) { this.startContact(); }
  }

  TrackNotify.prototype.fail = function (error) {
    var text;
    if (error && error.blocked) {
      text = t("Trình duyệt đang chặn thông báo của trang này. Ông/Bà có thể cho phép trong cài đặt của trình duyệt.");
    } else if (error instanceof C.ApiError) {
      text = error.message;
    } else {
      text = t("Không bật được thông báo trên trình duyệt này.");
    }
    C.say(this.error, text);
  };

  // -- this browser's push ----------------------------------------------------------------------

  TrackNotify.prototype.startPush = function () {
    var self = this;
    var cfg = self.cfg;
    $("notify").hidden = false;
    $("notify-push").hidden = false;
    self.ahead = $("notify-ahead");
    self.registration = navigator.serviceWorker.register(cfg.worker, { scope: cfg.scope });
    self.endpoint().then(function (endpoint) {
      if (!endpoint) { return false; }
      return C.api("POST", cfg.url + "/state", { channel: "webpush", address: endpoint }).then(function (state) {
        if (state.subscribed && self.ahead && state.near_turn_ahead) { self.ahead.value = state.near_turn_ahead; }
        return state.subscribed;
      });
    }).then(function (on) { self.render(on); }, function () { self.render(false); });
    $("notify-push-on").addEventListener("click", function () { self.turnOn(); });
    $("notify-push-off").addEventListener("click", function () { self.turnOff(); });
    if (self.ahead) {
      // A new number of people while notifications are on: told to the server at once.
      self.ahead.addEventListener("change", function () { if (self.on) { self.turnOn(); } });
    }
  };

  /* This browser's push endpoint for this page's scope, or null. */
  TrackNotify.prototype.endpoint = function () {
    return this.registration.then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) { return subscription && subscription.endpoint; });
  };

  TrackNotify.prototype.render = function (on) {
    this.on = on;
    $("notify-on").hidden = !on;
    $("notify-push-on").hidden = on;
    $("notify-push-off").hidden = !on;
  };

  /* The subscription, made with the server's key; one made with an earlier key of the server
   * (a new VAPID_PRIVATE_KEY) is ended and made again. */
  function subscribe(registration, key) {
    var options = { userVisibleOnly: true, applicationServerKey: keyBytes(key) };
    return registration.pushManager.subscribe(options).catch(function (error) {
      return registration.pushManager.getSubscription().then(function (old) {
        if (!old) { throw error; }
        return old.unsubscribe().then(function () { return registration.pushManager.subscribe(options); });
      });
    });
  }

  TrackNotify.prototype.nearTurn = function () {
    var value = Math.round(Number(this.ahead.value)) || this.cfg.nearTurn;
    value = Math.min(Number(this.ahead.max), Math.max(1, value));
    this.ahead.value = value;
    return value;
  };

  TrackNotify.prototype.turnOn = function () {
    var self = this;
    var button = $("notify-push-on");
    button.disabled = true;
    C.say(self.error, null);
    Promise.resolve(Notification.requestPermission()).then(function (permission) {
      if (permission !== "granted") { throw { blocked: true }; }
      return self.registration;
    }).then(function (registration) {
      return subscribe(registration, self.cfg.vapidKey);
    }).then(function (subscription) {
      var json = subscription.toJSON();
      var body = { channel: "webpush", address: json.endpoint, keys: json.keys, language: document.documentElement.lang };
      if (self.ahead) { body.near_turn_ahead = self.nearTurn(); }
      return C.api("POST", self.cfg.url, body);
    }).then(function () { self.render(true); }, function (error) { self.fail(error); })
      .then(function () { button.disabled = false; });
  };

  TrackNotify.prototype.turnOff = function () {
    var self = this;
    var button = $("notify-push-off");
    button.disabled = true;
    C.say(self.error, null);
    self.endpoint().then(function (endpoint) {
      // The browser's subscription stays: other pages of this scope may still use it.
      return endpoint && C.api("POST", self.cfg.url + "/off", { channel: "webpush", address: endpoint });
    }).then(function () { self.render(false); }, function (error) { self.fail(error); })
      .then(function () { button.disabled = false; });
  };

  // -- an address on the site's other channels --------------------------------------------------

  TrackNotify.prototype.startContact = function () {
    var self = this;
    var form = $("notify-contact");
    var choice = $("notify-channel");
    var input = $("notify-address");
    $("notify").hidden = false;
    form.hidden = false;
    C.fill(choice, self.cfg.contact.map(function (option) {
      return C.el("option", { value: option.channel, text: option.label });
    }));
    choice.hidden = self.cfg.contact.length < 2;
    function fit() {
      var email = choice.value === "email";
      var label = email ? t("Địa chỉ thư điện tử") : t("Số điện thoại di động");
      $("notify-address-label").textContent = label;
      input.placeholder = label;
      input.type = email ? "email" : "tel";
      input.autocomplete = email ? "email" : "tel";
    }
    choice.addEventListener("change", fit);
    fit();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      C.say(self.error, null);
      var body = { channel: choice.value, address: input.value, language: document.documentElement.lang };
      C.api("POST", self.cfg.url, body).then(function () {
        form.hidden = true;
        $("notify-done").hidden = false;
      }, function (error) {
        self.fail(error);
        input.focus();
      }).then(function () { button.disabled = false; });
    });
  };

  window.TrackNotify = TrackNotify;
})();
