/* The rating form (templates ratings/_form.html) shared by the counter's tablet and the phone's
 * tracking page: choosing a level shows the reasons offered for it (optional) and the send
 * button. send() resolves to what happened: "rated", "already_rated", "closed" (not, or no
 * longer, open to rating), "refused" (the device may not rate) or "failed" (try again). */
(function () {
  "use strict";

  function RatingForm(form, options) {
    var self = this;
    self.form = form;
    self.options = options;
    self.level = null;
    self.sending = null;
    self.error = form.querySelector(".rate-error");
    form.querySelectorAll("[data-level]").forEach(function (button) {
      button.addEventListener("click", function () {
        self.choose(button.dataset.level);
        (options.onActivity || noop)();
      });
    });
    form.addEventListener("change", function () { (options.onActivity || noop)(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      (options.onActivity || noop)();
      self.send().then(options.onResult || noop);
    });
  }

  RatingForm.prototype.reset = function () {
    this.form.reset();
    this.choose(null);
  };

  RatingForm.prototype.choose = function (level) {
    this.level = level;
    this.form.querySelectorAll("[data-level]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.level === level));
    });
    this.form.querySelectorAll("[data-reasons-for]").forEach(function (fieldset) {
      fieldset.hidden = fieldset.dataset.reasonsFor.split(" ").indexOf(level) < 0;
    });
    this.form.querySelector(".rate-send").hidden = !level;
    this.error.hidden = true;
  };

  RatingForm.prototype.reasons = function () {
    var fieldset = this.form.querySelector('[data-reasons-for~="' + this.level + '"]');
    return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (input) {
      return input.value;
    });
  };

  RatingForm.prototype.send = function () {
    var self = this;
    var options = self.options;
    if (self.sending) { return self.sending; }
    var body = Object.assign({ level: self.level, reasons: self.reasons() }, (options.extra || noop)());
    var button = self.form.querySelector(".rate-send");
    button.disabled = true;
    // A device (the tablet) sends its token; the phone's page is the ticket's own.
    var token = options.token ? { token: options.token() || "" } : {};
    self.sending = window.Core.api("POST", options.url, body, token)
      .then(function () { return "rated"; }, function (error) {
        var code = error.code;
        if (code === "already_rated") { return "already_rated"; }
        if (code === "rating_closed" || code === "wrong_state" || code === "unknown_ticket") { return "closed"; }
        if (error.status === 401 || error.status === 403) { return "refused"; }
        return "failed";
      })
      .then(function (outcome) {
        self.sending = null;
        button.disabled = false;
        self.error.hidden = outcome !== "failed";
        self.error.textContent = window.Core.t("Không gửi được đánh giá. Vui lòng thử lại.");
        return outcome;
      });
    return self.sending;
  };

  function noop() {}
  window.RatingForm = RatingForm;
})();
