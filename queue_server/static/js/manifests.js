/* Manifests of a site: receive a bundle by scanning (the manifest's code, then each dossier's),
 * and, at a centre, fill its own: dossiers taken in here for another centre of the province,
 * results going back to the centre where they are collected, results going by post.
 * A keyboard-wedge scanner types anywhere on the page; the code field is for typing by hand. */
(function () {
  "use strict";
  var S = window.Staff;
  var cfg = S.cfg;
  var t = S.t;
  var $ = S.$;
  var el = S.el;
  var enc = encodeURIComponent;
  var receiving = null;   // the manifest being received here
  var outgoing = null;    // the manifest being filled here

  var fail = S.fail;
  function manifestUrl(code) { return "/api/v1/manifests/" + enc(code); }
  var fill = S.fill;
  function dossierLink(code, known) {
    return known === false ? document.createTextNode(code) : el("a", { href: S.dossierUrl(code), text: code });
  }

  // -- the list --------------------------------------------------------------------------------

  function loadList() {
    return S.call("GET", "/api/v1/manifests?site=" + enc(cfg.site)).then(function (manifests) {
      var rows = manifests.map(function (m) {
        var incoming = m.to_site === cfg.site;
        var button = null;
        if (incoming && m.status !== "open") {
          button = el("button", { type: "button", className: "staff-button", text: m.status === "received" ? t("Mở") : t("Nhận"),
            onclick: function () { startReception(m.code); } });
        } else if (!incoming && m.status === "open" && cfg.sends) {
          button = el("button", { type: "button", className: "staff-button", text: t("Mở"), onclick: function () { openOutgoing(m); } });
        }
        var listed = m.counts.expected + m.counts.arrived + m.counts.missing;
        return el("tr", { "data-manifest": m.code, "data-status": m.status }, [
          el("td", { text: m.code }),
          el("td", { text: S.label("direction", m.direction) }),
          el("td", { text: m.from_site }),
          el("td", { text: m.to_site }),
          el("td", { text: S.label("manifest", m.status) }),
          el("td", { text: String(listed) + (m.counts.extra ? " + " + m.counts.extra : "") }),
          el("td", { text: S.when(m.created_at) }),
          el("td", {}, [button])
        ]);
      });
      if (!rows.length) { rows = [el("tr", {}, [el("td", { colspan: "8", text: t("Chưa có bảng kê nào.") })])]; }
      fill($("manifests"), rows);
    }).catch(fail);
  }

  // -- reception -------------------------------------------------------------------------------

  function onScan(text) {
    text = (text || "").trim();
    $("scan-code").value = "";
    if (!text) { return; }
    S.say(null);
    if (text.indexOf(cfg.prefix) === 0) { startReception(text); return; }
    if (!receiving || receiving.status === "received") {
      S.say(t("Quét mã bảng kê trước, rồi đến mã từng hồ sơ."));
      return;
    }
    S.call("POST", manifestUrl(receiving.code) + "/scan", { code: text }).then(showReception).catch(fail);
  }

  function startReception(code) {
    S.call("GET", manifestUrl(code)).then(function (m) {
      if (m.to_site !== cfg.site) {
        S.say(t("Bảng kê {code} không gửi đến đây.", { code: code }));
        return null;
      }
      if (m.status === "received") { return showReception(m); }
      return S.call("POST", manifestUrl(code) + "/scan", { code: code }).then(showReception);
    }).catch(fail);
  }

  function showReception(m) {
    receiving = m;
    var done = m.status === "received";
    $("reception").hidden = false;
    $("reception-state").textContent = done ? t("Đã nhận xong bảng kê {code}.", { code: m.code })
      : t("Đang nhận bảng kê {code}: quét mã từng hồ sơ.", { code: m.code });
    ["arrived", "expected", "extra", "missing"].forEach(function (state) { $("n-" + state).textContent = m.counts[state]; });
    $("reception-caption").textContent = m.code + " · " + m.from_site + " → " + m.to_site;
    fill($("reception-items"), m.items.map(function (item) {
      return el("tr", { "data-dossier": item.dossier, "data-state": item.state, className: "state-" + item.state }, [
        el("td", {}, [dossierLink(item.dossier, item.known)]),
        el("td", {}, [S.badge(S.label("item", item.state), "state-" + item.state)]),
        el("td", { text: item.arrived_at ? S.when(item.arrived_at) : "" })
      ]);
    }));
    var summary = $("reception-summary");
    summary.textContent = "";
    summary.className = "staff-summary-line";
    if (done) {
      var missing = m.items.filter(function (item) { return item.state === "missing"; }).map(function (item) { return item.dossier; });
      summary.textContent = missing.length ? t("Thiếu {n} hồ sơ: {codes}", { n: missing.length, codes: missing.join(", ") }) : t("Đủ hồ sơ.");
      if (missing.length) { summary.className += " state-missing"; }
    }
    $("finish").hidden = done;
    return loadList();
  }

  $("finish").addEventListener("click", function () {
    if (!receiving) { return; }
    S.call("POST", manifestUrl(receiving.code) + "/finish").then(showReception).catch(fail);
  });
  $("scan-form").addEventListener("submit", function (event) {
    event.preventDefault();
    onScan($("scan-code").value);
  });
  window.ScannerWedge.listen(onScan);

  // -- return manifests ------------------------------------------------------------------------

  function openOutgoing(m) {
    outgoing = m;
    $("outgoing").hidden = false;
    $("outgoing-heading").textContent = m.code + " · " + m.from_site + " → " + m.to_site + " · " + S.label("manifest", m.status);
    var listed = m.items.map(function (item) { return item.dossier; });
    fill($("outgoing-items"), m.items.map(function (item) {
      return el("tr", { "data-dossier": item.dossier }, [
        el("td", {}, [dossierLink(item.dossier, item.known)]),
        el("td", {}, [el("button", { type: "button", className: "staff-button", text: t("Bỏ"),
          "aria-label": t("Bỏ") + " " + item.dossier, onclick: function () { change("DELETE", "/items/" + enc(item.dossier)); } })])
      ]);
    }));
    $("close-manifest").disabled = !m.items.length;
    return waiting(m, listed).then(function (rows) {
      fill($("candidates"), rows.length ? rows.map(function (d) {
        return el("tr", { "data-dossier": d.code }, [
          el("td", {}, [dossierLink(d.code)]),
          el("td", { text: d.procedure_name }),
          el("td", { text: d.applicant_name }),
          el("td", {}, [el("button", { type: "button", className: "staff-button", text: t("Thêm"),
            "aria-label": t("Thêm") + " " + d.code, onclick: function () { change("POST", "/items", { dossier: d.code }); } })])
        ]);
      }) : [el("tr", {}, [el("td", { colspan: "4", text: m.direction === "to_post"
        ? t("Không có kết quả nào chờ gửi qua bưu điện.") : t("Không có hồ sơ nào chờ gửi đến nơi này.") })])]);
    }).catch(fail);
  }

  /* What may go on manifest ``m``: dossiers taken in here that ``m.to_site`` handles, or results
     ready here that are collected there or go by post (the server checks each again). */
  function waiting(m, listed) {
    var query = new URLSearchParams({ site: cfg.site, limit: 500 });
    if (m.direction === "to_centre") { query.set("scope", "received"); } else { query.set("status", "result_ready"); query.set("scope", "handled"); }
    return S.call("GET", "/api/v1/dossiers?" + query.toString()).then(function (rows) {
      return rows.filter(function (d) {
        if (listed.indexOf(d.code) >= 0) { return false; }
        if (m.direction === "to_centre") { return d.site === m.to_site && d.registered && (d.status === "received" || d.status === "resubmitted"); }
        if (m.direction === "results") { return d.delivery === "counter" && d.return_site === m.to_site; }
        return d.delivery === "post";
      });
    });
  }

  function change(method, path, body) {
    S.call(method, manifestUrl(outgoing.code) + path, body).then(openOutgoing).then(loadList).catch(fail);
  }

  if (cfg.sends) {
    // The places offered follow the kind of manifest chosen.
    function showDestinations() {
      var direction = $("direction").value;
      var first = null;
      Array.prototype.forEach.call($("destination").options, function (option) {
        option.hidden = option.disabled = option.dataset.direction !== direction;
        if (!option.hidden && !first) { first = option; }
      });
      if ($("destination").selectedOptions[0].hidden && first) { $("destination").value = first.value; }
    }
    $("direction").addEventListener("change", showDestinations);
    showDestinations();
    $("create-outgoing").addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { direction: $("direction").value, from_site: cfg.site, to_site: $("destination").value, client_id: S.clientId() };
      S.call("POST", "/api/v1/manifests", body).then(function (m) { S.say(null); openOutgoing(m); loadList(); }).catch(fail);
    });
    $("close-manifest").addEventListener("click", function () {
      S.call("POST", manifestUrl(outgoing.code) + "/close").then(function (m) {
        $("outgoing").hidden = true;
        outgoing = null;
        S.notice(t("Đã đóng bảng kê {code}.", { code: m.code }));
        loadList();
      }).catch(fail);
    });
  }

  loadList();
})();
