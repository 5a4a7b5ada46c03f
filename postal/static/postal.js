/* The clerk's pages: the connection badge, ID-card scan fields, and the intake form's
 * procedure list and documents checklist (built from the catalogue cached on this machine). */
(function () {
  "use strict";

  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function byId(id) { return id ? document.getElementById(id) : null; }

  /* --- the header badge: connection state and operations waiting to be sent --- */
  function refreshBadge() {
    fetch("/status", { cache: "no-store" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (status) {
      var badge = byId("sync-badge");
      if (!status || !badge) { return; }  // the login page has no badge
      badge.className = "badge badge-" + status.state;
      badge.title = status.message + (status.last_success ? " · lần đồng bộ cuối " + status.last_success : "");
      badge.querySelector(".badge-label").textContent = status.label;
      badge.querySelector(".badge-pending").textContent = status.pending;
      badge.querySelector(".badge-rejected-count").textContent = status.rejected;
      badge.querySelector(".badge-rejected").hidden = !status.rejected;
    }).catch(function () { /* the page itself is local: nothing to report */ });
  }
  setInterval(refreshBadge, 5000);

  /* --- a scan field: a keyboard-wedge scanner types the ID card's QR code and Enter --- */
  function setupScan(input) {
    var result = byId(input.id + "-result");
    function fill(target, value) {
      var field = byId(input.dataset[target]);
      if (field && value) { field.value = value; field.dispatchEvent(new Event("input", { bubbles: true })); }
    }
    function submit() {
      var text = input.value;
      if (!text.trim()) { return; }
      fetch("/scan", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ text: text })
      }).then(function (response) {
        return response.json();
      }).then(function (data) {
        if (data.error) {
          result.textContent = data.error;
          result.className = "scan-result error";
          return;
        }
        fill("fillName", data.name);
        fill("fillId", data.id_number);
        fill("fillAddress", data.address);
        result.textContent = "Đã đọc căn cước: " + data.name + ", sinh ngày " + data.date_of_birth + ", " + data.sex + ".";
        result.className = "scan-result ok";
        input.value = "";
      }).catch(function () {
        result.textContent = "Không đọc được mã vừa quét, hãy quét lại.";
        result.className = "scan-result error";
      });
    }
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); submit(); }
    });
    input.addEventListener("paste", function () { setTimeout(submit, 0); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-cccd-scan]"), setupScan);

  /* --- the intake form --- */
  var form = byId("intake-form");
  if (form) { setupIntake(form); }

  function setupIntake(form) {
    var centres = JSON.parse(byId("catalogue-data").textContent);
    var facts = JSON.parse(byId("procedure-facts").textContent);  // worded by the server's labels
    var values = JSON.parse(byId("form-values").textContent);
    var site = byId("site"), procedure = byId("procedure"), filter = byId("procedure-filter");
    // The fee follows the catalogue's fee of the chosen procedure until the clerk types another
    // one: a fee equal to the last one filled in (or empty) is still the catalogue's.
    var fee = byId("fee"), feeFilled = null;
    // The paper's columns and their bounds, from the server's shared rules and labels.
    var copies = JSON.parse(byId("document-counts").textContent);
    var counts = copies.counts;

    function chosen() {
      var centre = centres.filter(function (c) { return c.site === site.value; })[0];
      if (!centre) { return null; }
      return centre.procedures.filter(function (p) { return p.code === procedure.value; })[0] || null;
    }

    function filterProcedures() {
      var words = filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(procedure.options, function (option) {
        if (!option.value) { return; }
        var visible = option.dataset.site === site.value &&
          (!words || option.textContent.toLowerCase().indexOf(words) !== -1);
        option.hidden = !visible;
        option.disabled = option.dataset.site !== site.value;
      });
      var current = procedure.options[procedure.selectedIndex];
      if (current && current.value && current.dataset.site !== site.value) { procedure.value = ""; }
    }

    function element(tag, attributes, text) {
      var node = document.createElement(tag);
      Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
      if (text) { node.textContent = text; }
      return node;
    }

    function buildDocuments(restore) {
      var box = byId("documents");
      var info = byId("procedure-info");
      box.textContent = "";
      var found = chosen();
      if (!found) { info.textContent = ""; return; }
      var fact = facts[site.value + "/" + found.code] || {};
      info.textContent = found.department_name + " · thời hạn giải quyết " + fact.time + " · lệ phí " + fact.fee;
      box.appendChild(element("p", {}, "Đánh dấu giấy tờ đã nhận và ghi số bản:"));
      found.documents.forEach(function (paper, index) {
        var key = "doc-" + index;
        var row = element("div", { "class": "doc-row" });
        var name = element("p", { "class": "doc-name" });
        var tick = element("input", { type: "checkbox", id: key, name: key, value: "1" });
        var label = element("label", { "for": key }, " " + paper.name + " ");
        label.appendChild(element("span", { "class": "hint" }, "(theo danh mục: " + paper.copies + " bản)"));
        name.appendChild(tick);
        name.appendChild(label);
        row.appendChild(name);
        var inputs = counts.map(function (pair) {
          var id = key + "-" + pair[0];
          var cell = element("p");
          cell.appendChild(element("label", { "for": id }, pair[1]));
          var input = element("input", { type: "number", min: String(copies.min), max: String(copies.max), id: id, name: id });
          input.value = restore && values[id] !== undefined ? values[id] : "0";
          cell.appendChild(input);
          row.appendChild(cell);
          return input;
        });
        if (restore && values[key]) { tick.checked = true; }
        tick.addEventListener("change", function () {
          var empty = inputs.every(function (input) { return !Number(input.value); });
          if (tick.checked && empty) { inputs[0].value = String(paper.copies || 1); }
        });
        box.appendChild(row);
      });
      var catalogueFee = String(found.fee);
      if (restore && values.fee !== undefined && values.fee !== "") {
        feeFilled = values.fee === catalogueFee ? catalogueFee : null;  // the clerk's own fee stays
      } else if (!fee.value.trim() || fee.value === feeFilled) {
        fee.value = catalogueFee;
        feeFilled = catalogueFee;
      }
    }

    function deliveryChanged() {
      var checked = form.querySelector('input[name="delivery"]:checked');
      byId("delivery-address-row").hidden = !checked || checked.value !== "post";
    }

    site.addEventListener("change", function () { filterProcedures(); buildDocuments(false); });
    filter.addEventListener("input", filterProcedures);
    procedure.addEventListener("change", function () { buildDocuments(false); });
    Array.prototype.forEach.call(form.querySelectorAll('input[name="delivery"]'), function (radio) {
      radio.addEventListener("change", deliveryChanged);
    });
    byId("same-address").addEventListener("click", function () {
      byId("delivery_address").value = byId("applicant_address").value;
    });
    filterProcedures();
    buildDocuments(true);
    deliveryChanged();
    form.addEventListener("submit", function () { byId("save").disabled = true; });
    var errors = byId("form-errors");
    if (errors) { errors.scrollIntoView(); } else { byId("cccd-scan").focus(); }
  }

  /* --- the delivery form: show the fields of the chosen outcome --- */
  var deliver = byId("deliver-form");
  if (deliver) {
    var toggle = function () {
      var outcome = deliver.querySelector('input[name="outcome"]:checked').value;
      byId("delivered-fields").hidden = outcome !== "delivered";
      byId("undelivered-fields").hidden = outcome !== "undelivered";
    };
    Array.prototype.forEach.call(deliver.querySelectorAll('input[name="outcome"]'), function (radio) {
      radio.addEventListener("change", toggle);
    });
    toggle();
  }
})();
