/* What the report page and the live dashboard share: numbers in the page's language and the
 * headline tiles (a figure, its unit and a note; data-value keeps the figure as the API gave it). */
(function () {
  "use strict";
  var S = window.Staff;
  var locale = S.cfg.lang === "en" ? "en-GB" : "vi-VN";

  function tile(key, value, raw, options) {
    options = options || {};
    var node = document.querySelector('[data-figure="' + key + '"]');
    var known = raw !== null && raw !== undefined;
    node.dataset.value = known ? String(raw) : "";
    node.classList.toggle("reports-alert", Boolean(options.alert));
    var shown = node.querySelector(".reports-tile-value");
    shown.textContent = value;
    if (options.unit && known) { shown.appendChild(S.el("small", { text: " " + options.unit })); }
    node.querySelector(".reports-tile-note").textContent = options.note || "";
  }

  window.Figures = {
    integer: new Intl.NumberFormat(locale),
    decimal: new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    percent: new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }),
    tile: tile
  };
})();
