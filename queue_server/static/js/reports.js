/* The report page: choose a site and a period, read /api/v1/reports, draw tiles, Chart.js
 * charts, the busiest-hours grid and the tables, and point the download links at the same
 * period. Durations are shown in minutes; numbers in the page's language. */
(function () {
  "use strict";
  var S = window.Staff, cfg = S.cfg, t = S.t, $ = S.$, el = S.el, tile = window.Figures.tile;
  var integer = window.Figures.integer, decimal = window.Figures.decimal, percent = window.Figures.percent;
  var COLORS = {
    issued: "#0b3d91", served: "#047857", over: "#b91c1c", under: "#2563eb",
    channel: { counter: "#0b3d91", postal: "#b45309", online: "#047857" },
    outcome: { early: "#047857", on_time: "#2563eb", late: "#b91c1c" },
    level: { very_satisfied: "#047857", satisfied: "#60a5fa", not_satisfied: "#b91c1c" }
  };
  // The order of each chart's parts (JSON objects arrive with their keys sorted).
  var ORDER = {
    channel: ["counter", "postal", "online"],
    outcome: ["early", "on_time", "late"],
    level: ["very_satisfied", "satisfied", "not_satisfied"]
  };
  var charts = {};
  var loading = 0;  // the latest request: answers to earlier ones are dropped

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 14;
  Chart.defaults.color = "#374151";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function count(n) { return n === null || n === undefined ? "—" : integer.format(n); }
  function minutes(seconds) { return seconds === null || seconds === undefined ? "—" : decimal.format(seconds / 60); }
  /* A total of time, in whole minutes. */
  function totalMinutes(seconds) { return seconds === null || seconds === undefined ? "—" : integer.format(Math.round(seconds / 60)); }
  function share(value) { return value === null || value === undefined ? "—" : percent.format(value); }
  function label(group, key) { return S.label(group, key); }

  /* Dates are "YYYY-MM-DD" strings, counted in UTC so that the browser's zone never moves them. */
  function parse(iso) { var p = iso.split("-"); return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2])); }
  function iso(date) { return date.toISOString().slice(0, 10); }
  function dmy(value) { var p = value.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }

  /* The dates a preset covers, up to the site's today. */
  function presetRange(preset) {
    var today = parse(cfg.today), y = today.getUTCFullYear(), m = today.getUTCMonth();
    if (preset === "today") { return [cfg.today, cfg.today]; }
    if (preset === "this_week") {
      return [iso(new Date(today.getTime() - ((today.getUTCDay() + 6) % 7) * 86400000)), cfg.today];
    }
    if (preset === "this_month") { return [iso(new Date(Date.UTC(y, m, 1))), cfg.today]; }
    if (preset === "last_month") { return [iso(new Date(Date.UTC(y, m - 1, 1))), iso(new Date(Date.UTC(y, m, 0)))]; }
    return null;
  }

  function choose() {
    var preset = cfg.preset || (cfg.date_from && cfg.date_to ? "custom" : "this_month");
    $("r-site").value = cfg.chosen;
    $("r-preset").value = preset;
    var range = presetRange(preset) || [cfg.date_from, cfg.date_to];
    $("r-from").value = range[0];
    $("r-to").value = range[1];
  }

  function query(extra) {
    var params = new URLSearchParams({ site: $("r-site").value, from: $("r-from").value, to: $("r-to").value });
    Object.keys(extra || {}).forEach(function (key) { params.set(key, extra[key]); });
    return params.toString();
  }

  function load() {
    var from = $("r-from").value, to = $("r-to").value;
    if (!from || !to) { S.say(t("Chọn ngày bắt đầu và ngày kết thúc.")); return; }
    if (from > to) { S.say(t("Ngày bắt đầu phải trước ngày kết thúc.")); return; }
    S.say(null);
    var preset = $("r-preset").value;
    var page = new URLSearchParams({ site: $("r-site").value, preset: preset });
    if (preset === "custom") { page.set("from", from); page.set("to", to); }
    history.replaceState(null, "", location.pathname + "?" + page.toString());
    $("download-xlsx").href = "/api/v1/reports.xlsx?" + query();
    document.querySelectorAll("[data-csv]").forEach(function (link) {
      link.href = "/api/v1/reports.csv?" + query({ section: link.dataset.csv });
    });
    $("main").setAttribute("aria-busy", "true");
    $("period").textContent = t("Đang tải báo cáo…");
    var mine = ++loading;
    S.call("GET", "/api/v1/reports?" + query()).then(function (report) {
      if (mine !== loading) { return; }
      render(report, from, to);
      $("main").setAttribute("aria-busy", "false");
    }).catch(function (error) {
      if (mine !== loading) { return; }
      $("period").textContent = "";
      S.fail(error);
    });
  }

  /* The report of the period ``from`` to ``to`` (as asked: the answer need not repeat them). */
  function render(report, from, to) {
    var where = report.sites.length > 1
      ? t("Mọi trung tâm") + " (" + report.sites.join(", ") + ")"
      : $("r-site").selectedOptions[0].textContent;
    $("period").textContent = where + ": " + t("{a} đến {b}", { a: dmy(from), b: dmy(to) });
    tiles(report);
    daily(report, from, to);
    services(report);
    heatmap(report.heatmap);
    counters(report.counters);
    officers(report.officers);
    dossiers(report.dossiers);
    satisfaction(report.satisfaction);
    evaluations(report.evaluations);
    messages(report.messages);
    bookings(report.bookings);
    fees(report.fees);
  }

  function tiles(report) {
    var q = report.queue, d = report.dossiers, s = report.satisfaction;
    var late = q.wait_avg_s !== null && q.wait_avg_s > q.target_wait_s;
    var unserved = t("Không được gọi: {n}", { n: count(q.cancelled) });
    if (q.waiting) { unserved = t("Đang chờ: {n}", { n: count(q.waiting) }) + " · " + unserved; }
    tile("issued", count(q.issued), q.issued, { note: unserved });
    tile("served", count(q.served), q.served, { note: t("Phục vụ trung bình {n} phút", { n: minutes(q.service_avg_s) }) });
    tile("no_show", count(q.no_show), q.no_show,
      { note: q.issued ? t("{share} số đã cấp", { share: share(q.no_show / q.issued) }) : "" });
    tile("wait_avg", minutes(q.wait_avg_s), q.wait_avg_s,
      { unit: t("phút"), alert: late, note: late ? t("Vượt thời gian chờ cam kết") : "" });
    tile("wait_p90", minutes(q.wait_p90_s), q.wait_p90_s, { unit: t("phút") });
    tile("within_target", share(q.within_target_share), q.within_target_share,
      { note: t("Cam kết: chờ không quá {n} phút", { n: integer.format(q.target_wait_s / 60) }) });
    tile("dossiers_on_time", share(d.on_time_share), d.on_time_share,
      { note: t("{n} hồ sơ đã giải quyết", { n: count(d.resolved) }) });
    tile("satisfied", share(s.satisfied_share), s.satisfied_share,
      { note: t("{n} lượt đánh giá", { n: count(s.ratings) }) });
  }

  function draw(id, config, summary) {
    if (charts[id]) { charts[id].destroy(); }
    $(id).setAttribute("aria-label", summary);
    charts[id] = new Chart($(id), config);
  }

  function listed(pairs) {
    return pairs.map(function (pair) { return pair[0] + " " + pair[1]; }).join(", ") || t("Chưa có dữ liệu.");
  }

  /* Every day of the period, with the days nobody came (absent from the report) as zeros. */
  function everyDay(rows, from, to) {
    var known = {};
    rows.forEach(function (row) { known[row.date] = row; });
    var days = [];
    for (var day = parse(from); iso(day) <= to; day = new Date(day.getTime() + 86400000)) {
      days.push(known[iso(day)] || { date: iso(day), issued: 0, served: 0 });
    }
    return days;
  }

  function daily(report, from, to) {
    var rows = everyDay(report.daily, from, to);
    var totals = rows.reduce(function (sum, row) { return [sum[0] + row.issued, sum[1] + row.served]; }, [0, 0]);
    draw("chart-daily", {
      type: rows.length > 1 ? "line" : "bar",
      data: {
        labels: rows.map(function (row) { return dmy(row.date).slice(0, 5); }),
        datasets: [
          { label: t("Số đã cấp"), data: rows.map(function (row) { return row.issued; }), borderColor: COLORS.issued,
            backgroundColor: COLORS.issued, cubicInterpolationMode: "monotone", pointRadius: 3 },
          { label: t("Đã phục vụ"), data: rows.map(function (row) { return row.served; }), borderColor: COLORS.served,
            backgroundColor: COLORS.served, cubicInterpolationMode: "monotone", pointRadius: 3, borderDash: [6, 4] }
        ]
      },
      options: { interaction: { mode: "index", intersect: false }, scales: { y: { beginAtZero: true } } }
    }, t("Số cấp và số đã phục vụ mỗi ngày, {a} đến {b}: tổng {issued} số cấp, {served} số đã phục vụ.", {
      a: dmy(from), b: dmy(to), issued: count(totals[0]), served: count(totals[1])
    }));
  }

  function services(report) {
    var rows = report.services, target = report.queue.target_wait_s;
    draw("chart-services", {
      type: "bar",
      data: {
        labels: rows.map(function (row) { return row.service; }),
        datasets: [{
          label: t("Chờ trung bình (phút)"),
          data: rows.map(function (row) { return row.wait_avg_s === null ? 0 : Math.round(row.wait_avg_s / 6) / 10; }),
          backgroundColor: rows.map(function (row) { return row.wait_avg_s > target ? COLORS.over : COLORS.under; })
        }]
      },
      options: {
        indexAxis: "y",
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: function (items) { var row = rows[items[0].dataIndex]; return row.service + " · " + serviceName(row); } } }
        },
        scales: {
          x: {
            beginAtZero: true, suggestedMax: target / 60,
            title: { display: true, text: t("Chờ trung bình (phút)") + " · " + t("Cam kết: chờ không quá {n} phút", { n: target / 60 }) }
          },
          y: { ticks: { autoSkip: false } }
        }
      }
    }, t("Thời gian chờ trung bình theo dịch vụ (phút): {items}.", {
      items: listed(rows.map(function (row) { return [row.service, minutes(row.wait_avg_s)]; }))
    }));
    fill("services", rows, function (row) {
      return el("tr", { "data-service": row.service }, [
        el("td", {}, [row.service + " · " + serviceName(row)]),
        el("td", { className: "num", text: count(row.issued) }),
        el("td", { className: "num", text: count(row.served) }),
        el("td", { className: "num", text: count(row.no_show) }),
        el("td", { className: "num", text: minutes(row.wait_avg_s) }),
        el("td", { className: "num", text: share(row.within_target_share) })
      ]);
    }, 6);
  }

  /* Rows of a table body, or one row saying there is nothing. */
  function fill(id, rows, row, columns) {
    var body = $(id);
    body.textContent = "";
    rows.forEach(function (item) { body.appendChild(row(item)); });
    if (!rows.length) {
      body.appendChild(el("tr", {}, [el("td", { colspan: String(columns), className: "staff-empty", text: t("Chưa có dữ liệu.") })]));
    }
  }

  function serviceName(row) { return cfg.lang === "en" && row.name_en ? row.name_en : row.name; }

  function heatmap(grid) {
    var max = 0, first = 24, last = -1;
    grid.forEach(function (row) {
      row.forEach(function (n, hour) {
        if (n > 0) { max = Math.max(max, n); first = Math.min(first, hour); last = Math.max(last, hour); }
      });
    });
    first = Math.min(first, 7);  // at least the usual office day, so one busy hour is not a lone column
    last = Math.max(last, 17);
    var table = $("heatmap"), caption = table.querySelector("caption");
    table.textContent = "";
    table.appendChild(caption);
    var hours = [];
    for (var hour = first; hour <= last; hour++) { hours.push(hour); }
    table.appendChild(el("thead", {}, [el("tr", {}, [el("td")].concat(hours.map(function (h) {
      return el("th", { scope: "col", text: h + "h" });
    })))]));
    var body = el("tbody");
    grid.forEach(function (row, day) {
      var name = label("weekday", String(day + 1));
      body.appendChild(el("tr", {}, [el("th", { scope: "row", text: name })].concat(hours.map(function (h) {
        var n = row[h];
        return el("td", {
          className: "heat-" + (n ? Math.ceil((5 * n) / max) : 0),
          title: t("{day}, {hour} giờ: {n} số", { day: name, hour: h, n: count(n) }),
          text: count(n)
        });
      }))));
    });
    table.appendChild(body);
    var legend = $("heatmap-legend");
    legend.textContent = "";
    // Each shade with the counts it stands for; a shade no whole count falls in is left out.
    for (var level = 1; max && level <= 5; level++) {
      var low = Math.floor((max * (level - 1)) / 5) + 1, high = Math.floor((max * level) / 5);
      if (low > high) { continue; }
      legend.appendChild(el("span", { className: "heat-" + level, text: low === high ? count(low) : count(low) + "–" + count(high) }));
    }
  }

  function reasons(byReason) {
    var keys = Object.keys(byReason || {}).sort(function (a, b) { return byReason[b] - byReason[a]; });
    return el("ul", { className: "reports-reasons" }, keys.map(function (reason) {
      return el("li", { text: reason + ": " + t("{n} phút", { n: totalMinutes(byReason[reason]) }) });
    }));
  }

  function counters(rows) {
    fill("counters", rows, function (row) {
      return el("tr", { "data-counter": String(row.counter) }, [
        el("td", {}, [t("Quầy {n}", { n: row.counter }), el("small", { text: row.name })]),
        el("td", { className: "num", text: count(row.served) }),
        el("td", { className: "num", text: count(row.no_show) }),
        el("td", { className: "num", text: minutes(row.service_avg_s) }),
        el("td", { className: "num", text: totalMinutes(row.busy_s) }),
        el("td", { className: "num", text: totalMinutes(row.pause_s) }),
        el("td", { className: "num", text: count(row.pauses) }),
        el("td", {}, [reasons(row.pause_reasons)])
      ]);
    }, 8);
  }

  function officers(rows) {
    fill("officers", rows, function (row) {
      return el("tr", { "data-officer": row.officer }, [
        el("td", {}, [row.name, el("small", { text: row.officer })]),
        el("td", { className: "num", text: count(row.served) }),
        el("td", { className: "num", text: count(row.no_show) }),
        el("td", { className: "num", text: minutes(row.service_avg_s) }),
        el("td", { className: "num", text: totalMinutes(row.busy_s) }),
        el("td", { className: "num", text: totalMinutes(row.pause_s) }),
        el("td", {}, [reasons(row.pause_reasons)]),
        el("td", { className: "num", text: count(row.ratings) }),
        el("td", { className: "num", text: share(row.satisfied_share) })
      ]);
    }, 9);
  }

  function facts(id, pairs) {
    var list = $(id);
    list.textContent = "";
    pairs.forEach(function (pair) { list.appendChild(el("dt", { text: pair[0] })); list.appendChild(el("dd", { text: pair[1] })); });
  }

  function pie(id, group, counts, summary) {
    var keys = ORDER[group];
    draw(id, {
      type: "doughnut",
      data: {
        labels: keys.map(function (key) { return label(group, key); }),
        datasets: [{ data: keys.map(function (key) { return counts[key]; }), backgroundColor: keys.map(function (key) { return COLORS[group][key]; }) }]
      },
      options: { plugins: { legend: { position: "right" } } }
    }, t(summary, { items: listed(keys.map(function (key) { return [label(group, key), count(counts[key])]; })) }));
  }

  function dossiers(d) {
    facts("dossier-facts", [
      [t("Tiếp nhận"), count(d.received)],
      [t("Đã giải quyết"), count(d.resolved)],
      [t("Đúng hạn hoặc trước hạn"), share(d.on_time_share)],
      [t("Trả kết quả qua bưu điện"), count(d.returned_by_post)]
    ]);
    pie("chart-channels", "channel", d.received_by_channel, "Hồ sơ tiếp nhận theo kênh: {items}.");
    var outcomes = ORDER.outcome;
    draw("chart-outcomes", {
      type: "bar",
      data: {
        labels: outcomes.map(function (key) { return label("outcome", key); }),
        datasets: [{
          label: t("Số hồ sơ"),
          data: outcomes.map(function (key) { return d.resolved_by_outcome[key]; }),
          backgroundColor: outcomes.map(function (key) { return COLORS.outcome[key]; })
        }]
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    }, t("Hồ sơ đã giải quyết theo kết quả: {items}.", {
      items: listed(outcomes.map(function (key) { return [label("outcome", key), count(d.resolved_by_outcome[key])]; }))
    }));
  }

  /* Messages to citizens per channel; a channel that sent nothing in the period is left out. */
  function messages(rows) {
    fill("messages", rows.filter(function (row) { return row.sent || row.failed; }), function (row) {
      return el("tr", { "data-channel": row.channel }, [
        el("td", { text: label("message_channel", row.channel) }),
        el("td", { className: "num", text: count(row.sent) }),
        el("td", { className: "num", text: count(row.delivered) }),
        el("td", { className: "num", text: count(row.failed) })
      ]);
    }, 4);
  }

  /* Appointments per day and service, after the waits of booked citizens and of walk-ins. */
  function bookings(b) {
    function waited(seconds) { return seconds === null ? "—" : t("{n} phút", { n: minutes(seconds) }); }
    facts("booking-facts", [
      [t("Đã đặt lịch"), count(b.totals.booked)],
      [t("Đến đúng hẹn"), count(b.totals.checked_in)],
      [t("Chờ trung bình, có lịch hẹn"), waited(b.booked_wait_avg_s)],
      [t("Chờ trung bình, không có lịch hẹn"), waited(b.walk_in_wait_avg_s)]
    ]);
    fill("bookings", b.by_day, function (row) {
      return el("tr", { "data-day": row.date, "data-service": row.service }, [
        el("td", { text: dmy(row.date) }),
        el("td", { text: row.service + " · " + serviceName({ name: row.service_name, name_en: row.service_name_en }) }),
        el("td", { className: "num", text: count(row.booked) }),
        el("td", { className: "num", text: count(row.checked_in) }),
        el("td", { className: "num", text: count(row.late) }),
        el("td", { className: "num", text: count(row.no_show) }),
        el("td", { className: "num", text: count(row.cancelled) })
      ]);
    }, 7);
  }

  /* Fees collected where the dossiers were received (đồng): per day with each way of paying,
     per procedure. */
  function fees(f) {
    var methods = f.by_method.map(function (line) { return line.method; });
    facts("fee-facts", [
      [t("Đã thu"), S.money(f.totals.collected)],
      [t("Đã hoàn trả"), S.money(f.totals.refunded)],
      [t("Chưa nộp ({n} hồ sơ)", { n: count(f.totals.due_count) }), S.money(f.totals.due)],
      [t("Không dùng tiền mặt"), share(f.totals.cashless_share)]
    ].concat(f.by_method.map(function (line) { return [label("payment", line.method), S.money(line.collected)]; })));
    fill("fees-by-day", f.by_day, function (row) {
      return el("tr", { "data-day": row.date }, [
        el("td", { text: dmy(row.date) }),
        el("td", { className: "num", text: count(row.payments) }),
        el("td", { className: "num", text: count(row.collected) })
      ].concat(methods.map(function (method) { return el("td", { className: "num", text: count(row[method]) }); })));
    }, 3 + methods.length);
    fill("fees-by-procedure", f.by_procedure, function (row) {
      return el("tr", { "data-procedure": row.procedure }, [
        el("td", { text: row.procedure + " · " + row.procedure_name }),
        el("td", { className: "num", text: count(row.payments) }),
        el("td", { className: "num", text: count(row.collected) })
      ]);
    }, 3);
  }

  function satisfaction(s) {
    facts("satisfaction-facts", [
      [t("Số lượt"), count(s.ratings)],
      [t("Hài lòng và rất hài lòng"), share(s.satisfied_share)]
    ]);
    pie("chart-satisfaction", "level", s.by_level, "Mức độ hài lòng: {items}.");
  }

  /* The citizens' evaluations of dossiers, with the regulation's scoring: the average total out
     of the set's maximum and the verdicts, per index, field, agency and officer. */
  function evaluations(e) {
    var max = e.totals.max_score;
    function average(value) { return value === null ? "—" : decimal.format(value) + (max ? "/" + max : ""); }
    facts("evaluation-facts", [
      [t("Số lượt đánh giá"), count(e.totals.evaluations)],
      [t("Điểm trung bình"), average(e.totals.score_avg)]
    ].concat(["good", "pass", "fail"].map(function (verdict) {
      return [label("verdict", verdict), count(e.totals[verdict])];
    })));
    fill("evaluations-by-index", e.by_index, function (row) {
      return el("tr", { "data-index": row.code }, [
        el("td", { text: row.number + ". " + label("criterion", row.code) }),
        el("td", { className: "num", text: decimal.format(row.points_avg) })
      ]);
    }, 2);
    [["by_field", "field"], ["by_agency", "agency"], ["by_officer", "name"]].forEach(function (group) {
      fill("evaluations-" + group[0].replace("_", "-"), e[group[0]], function (row) {
        return el("tr", { "data-group": row[group[1]] || "" }, [
          el("td", { text: row[group[1]] || "—" }),
          el("td", { className: "num", text: count(row.evaluations) }),
          el("td", { className: "num", text: average(row.score_avg) }),
          el("td", { className: "num", text: count(row.good) }),
          el("td", { className: "num", text: count(row.pass) }),
          el("td", { className: "num", text: count(row.fail) })
        ]);
      }, 6);
    });
  }

  $("r-preset").addEventListener("change", function () {
    var range = presetRange($("r-preset").value);
    if (!range) { $("r-from").focus(); return; }
    $("r-from").value = range[0];
    $("r-to").value = range[1];
    load();
  });
  $("r-site").addEventListener("change", load);
  ["r-from", "r-to"].forEach(function (id) {
    $(id).addEventListener("input", function () { $("r-preset").value = "custom"; });
  });
  $("period-form").addEventListener("submit", function (event) { event.preventDefault(); load(); });

  choose();
  load();
})();
