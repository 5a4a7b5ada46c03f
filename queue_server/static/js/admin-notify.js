/* "Tin nhắn": the site's notification channels (on or off, their settings, the write-only
 * secret, "Gửi thử") and its own wording of each message, through /api/v1/admin/sites/<site>/
 * channels and /message-templates. The SMS length is counted by the server as the admin types
 * (the rule has one home: notify/smslength.py). Builds on admin.js (window.Admin). */
(function () {
  "use strict";
  var S = window.Staff;
  var A = window.Admin;
  var C = window.Core;
  var cfg = S.cfg;
  var t = S.t;
  var $ = S.$;
  var own = C.config("notify-config");
  var SITE = "/api/v1/admin/sites/" + encodeURIComponent(cfg.site);
  var templates = [];   // every event x channel x language, as the API lists them
  var measureTimer = null;
  var measured = 0;     // the latest measure's number: an older answer arriving late is dropped

  // -- channels ----------------------------------------------------------------------------------

  function forms() { return Array.prototype.slice.call(document.querySelectorAll("form[data-channel]")); }
  function formOf(kind) { return document.querySelector('form[data-channel="' + kind + '"]'); }

  /* A channel served by several gateway families (Zalo ZNS: Zalo's own API or eSMS) shows the
     chosen family's fields only; the others' are disabled, so they are not sent. The address
     left empty is the family's own (shown as the placeholder). */
  function showFamily(form) {
    var select = form.querySelector('select[name="family"]');
    if (!select) { return; }
    var family = select.value;
    form.querySelectorAll("[data-family]").forEach(function (part) {
      var shown = part.dataset.family === family;
      part.hidden = !shown;
      part.querySelectorAll("input, select").forEach(function (input) { input.disabled = !shown; });
    });
    var address = form.querySelector('[name="url"]');
    var defaults = own.zaloUrls || {};
    address.placeholder = defaults[family] || "";
    Object.keys(defaults).forEach(function (name) {
      if (address.value === defaults[name]) { address.value = ""; }
    });
  }

  function showChannel(channel) {
    var form = formOf(channel.channel);
    if (!form) { return; }
    var settings = channel.settings || {};
    A.fillForm(form, Object.assign({}, settings, { enabled: channel.enabled }));
    // A choice never made (a channel not set up yet) shows its default: the first option.
    form.querySelectorAll("select").forEach(function (select) {
      if (!select.value) { select.value = select.options[0].value; }
    });
    showFamily(form);
    form.querySelectorAll('[name^="template:"]').forEach(function (input) {
      input.value = (settings.templates || {})[input.name.slice("template:".length)] || "";
    });
    var secret = form.querySelector('[name="secret"]');  // the gateways' only
    if (secret) {
      secret.value = "";
      form.querySelector("[data-secret-state]").textContent = channel.secret_set ? t("Đã đặt") : t("Chưa đặt");
    }
    S.fill(form.querySelector("[data-state]"), [
      S.badge(channel.enabled ? t("Đang bật") : t("Đang tắt"), channel.enabled ? "admin-on" : "admin-off")
    ]);
    var callback = form.querySelector("[data-callback]");
    if (callback) {
      callback.hidden = !channel.callback_url;
      form.querySelector("[data-callback-url]").textContent = channel.callback_url || "";
    }
  }

  /* What the form says, as the API takes it: the channel's own fields are its settings; the
     ZNS template ids go together; an empty secret keeps the one set. */
  function channelBody(form) {
    var values = A.readForm(form);
    var enabled = !!values.enabled;
    delete values.enabled;
    Object.keys(values).forEach(function (name) { if (values[name] === null) { delete values[name]; } });
    var templateInputs = form.querySelectorAll('[name^="template:"]');
    if (templateInputs.length) {
      values.templates = {};
      templateInputs.forEach(function (input) {
        if (input.value.trim()) { values.templates[input.name.slice("template:".length)] = input.value.trim(); }
      });
    }
    var body = { enabled: enabled, settings: values };
    var secret = form.querySelector('[name="secret"]');
    if (secret && secret.value) { body.secret = secret.value; }
    return body;
  }

  forms().forEach(function (form) {
    var kind = form.dataset.channel;
    var family = form.querySelector('select[name="family"]');
    if (family) { family.addEventListener("change", function () { showFamily(form); }); }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      A.clearErrors(form);
      S.call("PUT", SITE + "/channels/" + kind, channelBody(form)).then(function (channel) {
        showChannel(channel);
        S.say(null);
        S.notice(t("Đã lưu."));
        loadTemplates();  // the SMS limits may have changed
      }, function (error) { A.showErrors(form, error); });
    });
    var test = form.querySelector("[data-test]");  // none for Web Push: it needs a browser's subscription
    if (!test) { return; }
    test.addEventListener("click", function () {
      var result = form.querySelector("[data-test-result]");
      var address = form.querySelector('[name="test_address"]').value.trim();
      var button = this;
      button.disabled = true;
      result.textContent = t("Đang gửi…");
      S.call("POST", SITE + "/channels/" + kind + "/test", { address: address, event: $("tpl-event").value })
        .then(function (sent) {
          result.textContent = sent.provider_ref ? t("Đã gửi tin thử (mã tin của cổng: {ref}).", { ref: sent.provider_ref })
            : t("Đã gửi tin thử.");
        }, function (error) { result.textContent = S.explain(error); })
        .finally(function () { button.disabled = false; });
    });
  });

  function loadChannels() {
    return S.call("GET", SITE + "/channels").then(function (channels) { channels.forEach(showChannel); }, S.fail);
  }

  // -- templates ---------------------------------------------------------------------------------

  function chosen() {
    var key = { event: $("tpl-event").value, channel: $("tpl-channel").value, language: $("tpl-language").value };
    return templates.filter(function (row) {
      return row.event === key.event && row.channel === key.channel && row.language === key.language;
    })[0];
  }

  function url(row) {
    return SITE + "/message-templates/" + [row.event, row.channel, row.language].map(encodeURIComponent).join("/");
  }

  function showTemplate() {
    var row = chosen();
    if (!row) { return; }
    A.clearErrors($("template-form"));
    $("tpl-default").textContent = (row.default_subject ? row.default_subject + "\n" : "") + row.default_body;
    $("tpl-state").textContent = row.body === null ? t("Đang dùng mẫu mặc định.") : t("Đang dùng mẫu riêng của trung tâm.");
    $("tpl-subject-row").hidden = row.channel !== "email";
    $("tpl-subject").value = row.subject || row.default_subject || "";
    $("tpl-body").value = row.body === null ? row.default_body : row.body;
    $("tpl-reset").disabled = row.body === null;
    $("tpl-placeholders").textContent = (own.placeholders[row.event] || []).map(function (name) {
      return "{" + name + "}";
    }).join(" ");
    measure();
  }

  /* The SMS parts of the text, as the site's gateway would send it (asked of the server). */
  function measure() {
    clearTimeout(measureTimer);
    var line = $("tpl-length");
    if ($("tpl-channel").value !== "sms") { line.textContent = ""; delete line.dataset.over; return; }
    var number = ++measured;
    measureTimer = setTimeout(function () {
      S.call("POST", SITE + "/message-templates/measure", { body: $("tpl-body").value }).then(function (length) {
        if (number !== measured) { return; }
        var over = length.segments > length.max_segments;
        line.dataset.over = over ? "yes" : "no";
        line.textContent = t("{characters} ký tự, {segments} tin nhắn (tối đa {max})", {
          characters: length.characters, segments: length.segments, max: length.max_segments
        }) + " · " + (length.encoding === "ucs2" ? t("có dấu") : t("không dấu")) +
          (over ? " · " + t("Vượt quá số tin nhắn cho phép.") : "");
      }, S.fail);
    }, 250);
  }

  function loadTemplates() {
    return S.call("GET", SITE + "/message-templates").then(function (answer) {
      templates = answer.templates;
      var channels = [];
      templates.forEach(function (row) { if (channels.indexOf(row.channel) < 0) { channels.push(row.channel); } });
      var select = $("tpl-channel");
      var was = select.value;
      S.fill(select, channels.map(function (channel) {
        return S.el("option", { value: channel, text: own.channelNames[channel] || channel });
      }));
      if (was && channels.indexOf(was) >= 0) { select.value = was; }
      showTemplate();
      A.handOver($("template-form"));
    }, S.fail);
  }

  ["tpl-event", "tpl-channel", "tpl-language"].forEach(function (id) { $(id).addEventListener("change", showTemplate); });
  $("tpl-body").addEventListener("input", measure);

  $("template-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = this;
    var row = chosen();
    A.clearErrors(form);
    var body = { body: $("tpl-body").value };
    if (row.channel === "email") { body.subject = $("tpl-subject").value; }
    S.call("PUT", url(row), body).then(function (saved) {
      Object.assign(row, saved);
      S.say(null);
      S.notice(t("Đã lưu."));
      showTemplate();
    }, function (error) { A.showErrors(form, error); });
  });

  $("tpl-reset").addEventListener("click", function () {
    var row = chosen();
    S.call("DELETE", url(row)).then(function () {
      row.body = null;
      row.subject = null;
      S.notice(t("Đã trở về mẫu mặc định."));
      showTemplate();
    }, S.fail);
  });

  loadChannels();
  loadTemplates();
})();
