/* The administration pages: a site's settings, departments and services, counters with their
 * schedules, rotations and officers' duties and the two-week rota, accounts and devices (the
 * audit trail is written by the server, as sentences). Everything is read and
 * changed through the JSON API; forms carry the API's field names, so one reader and one filler
 * serve every dialog, and the API's objections land beside the field they name. */
(function () {
  "use strict";
  var S = window.Staff;
  var cfg = S.cfg;
  var t = S.t;
  var $ = S.$;
  var el = S.el;
  var enc = encodeURIComponent;
  var ADMIN = "/api/v1/admin";
  var SITE = ADMIN + "/sites/" + enc(cfg.site);
  var en = cfg.lang === "en";

  function named(item) { return (en && item.name_en) || item.name; }
  var fill = S.fill;
  function emptyRow(columns) {
    return el("tr", {}, [el("td", { colspan: String(columns), className: "staff-empty", text: t("Chưa có gì.") })]);
  }
  var fail = S.fail;

  // -- forms -------------------------------------------------------------------------------------

  /* The form's values by API field name: numbers as numbers (times data-scale), blanks as null,
   * checkboxes as booleans, or as lists when marked data-list. Inputs marked data-skip or
   * disabled are left out. */
  function readForm(form) {
    var body = {};
    form.querySelectorAll("[name]").forEach(function (input) {
      if (input.disabled || input.hasAttribute("data-skip")) { return; }
      var name = input.name;
      if (input.type === "checkbox" && input.hasAttribute("data-list")) {
        body[name] = body[name] || [];
        if (input.checked) { body[name].push(input.value); }
      } else if (input.type === "checkbox") {
        body[name] = input.checked;
      } else {
        var value = input.value.trim();
        if (value === "") { body[name] = null; }
        else if (input.type === "number" || input.hasAttribute("data-number")) {
          body[name] = Math.round(Number(value) * (Number(input.dataset.scale) || 1));
        } else { body[name] = value; }
      }
    });
    return body;
  }

  /* A form the page fills once it has loaded is served inert and aria-busy by its template, so
     that what an administrator types before the API's answer is not overwritten by it. Once
     filled, it is handed over. */
  function handOver(form) {
    form.inert = false;
    form.removeAttribute("aria-busy");
  }

  function fillForm(form, values) {
    handOver(form);
    form.querySelectorAll("[name]").forEach(function (input) {
      if (input.hasAttribute("data-skip")) { return; }
      var value = values[input.name];
      if (input.type === "checkbox") {
        input.checked = input.hasAttribute("data-list") ? (value || []).indexOf(input.value) >= 0 : !!value;
      } else if (value === null || value === undefined) {
        input.value = "";
      } else {
        input.value = input.dataset.scale ? value / Number(input.dataset.scale) : value;
      }
    });
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for], [data-dialog-error]").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-errormessage");
    });
  }

  /* Put each objection beside its field (schema errors, or the field the server names), else
   * at the form's general place; focus the first field in error. */
  function showErrors(form, error) {
    var found = [];
    if (error.fields) {
      var body = error.fields.json || error.fields.query || error.fields;
      Object.keys(body).forEach(function (name) {
        var words = JSON.stringify(body[name]);
        found.push([name, t(/Missing data|may not be null/.test(words) ? "Bắt buộc." : "Giá trị không hợp lệ.")]);
      });
    } else {
      found.push([error.field, S.explain(error)]);
    }
    var first = null;
    found.forEach(function (pair) {
      var place = pair[0] && form.querySelector('[data-error-for="' + pair[0] + '"]');
      if (!place) {
        place = form.querySelector('[data-error-for=""]') || form.querySelector("[data-dialog-error]");
      }
      if (!place) { S.say(pair[1]); return; }
      place.id = place.id || "error-" + Math.random().toString(36).slice(2);
      place.textContent = pair[1];
      place.hidden = false;
      var input = pair[0] && form.querySelector('[name="' + pair[0] + '"]');
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-errormessage", place.id);
        first = first || input;
      }
    });
    if (first) { first.focus(); }
  }

  /* Open a dialog whose form is filled with ``values``; ``save`` gets what the form says and
   * returns the API's promise. The dialog stays open, with the objections, until it succeeds. */
  function openDialog(id, title, values, save) {
    var dialog = $(id);
    var form = dialog.querySelector("form");
    dialog.querySelector("h2").textContent = title;
    clearErrors(form);
    fillForm(form, values);
    form.onsubmit = function (event) {
      event.preventDefault();
      if (event.submitter && event.submitter.value === "cancel") { dialog.close(); return; }
      clearErrors(form);
      var button = event.submitter;
      if (button) { button.disabled = true; }
      Promise.resolve().then(function () { return save(readForm(form), form); }).then(function () {
        dialog.close();
        S.say(null);
        S.notice(t("Đã lưu."));
      }, function (error) { showErrors(form, error); }).then(function () {
        if (button) { button.disabled = false; }
      });
    };
    dialog.showModal();
    return form;
  }

  function confirmed(text) {
    return new Promise(function (resolve) {
      var dialog = $("confirm");
      $("confirm-text").textContent = text;
      dialog.returnValue = "";
      dialog.onclose = function () { resolve(dialog.returnValue === "yes"); };
      dialog.showModal();
    });
  }

  function remove(url, text, then) {
    confirmed(text).then(function (yes) {
      if (!yes) { return; }
      S.call("DELETE", url).then(function () { S.say(null); S.notice(t("Đã xóa.")); then(); }, fail);
    });
  }

  function button(text, label, onClick, kind) {
    var node = el("button", { type: "button", className: "staff-button admin-small " + (kind || ""), text: text, "aria-label": label });
    node.addEventListener("click", onClick);
    return node;
  }

  // -- the site's settings -----------------------------------------------------------------------

  function sitesPage() {
    var form = $("site-form");
    var days = Object.keys(cfg.labels.weekday);  // ISO digits; opening hours count from 0 = Monday

    function hoursRow(session) {
      var n = $("hours").children.length + 1;
      var select = el("select", { "aria-label": t("Buổi {n}", { n: n }) + ": " + cfg.labels.field.weekday, "data-hours": "weekday" },
        days.map(function (digit, index) {
          return el("option", { value: String(index), text: cfg.labels.weekday[digit], selected: session.weekday === index });
        }));
      var opens = el("input", { type: "time", value: session.opens || "", "data-hours": "opens",
                                "aria-label": t("Buổi {n}", { n: n }) + ": " + cfg.labels.field.opens });
      var closes = el("input", { type: "time", value: session.closes || "", "data-hours": "closes",
                                 "aria-label": t("Buổi {n}", { n: n }) + ": " + cfg.labels.field.closes });
      var row = el("tr", {}, [el("td", {}, [select]), el("td", {}, [opens]), el("td", {}, [closes]), el("td")]);
      row.lastChild.appendChild(button(t("Xóa"), t("Xóa") + " " + t("Buổi {n}", { n: n }), function () { row.remove(); }));
      return row;
    }

    function show(site) {
      fillForm(form, site);
      fill($("hours"), site.opening_hours.map(hoursRow));
    }

    function hours() {
      return Array.prototype.map.call($("hours").children, function (row) {
        var get = function (name) { return row.querySelector('[data-hours="' + name + '"]').value; };
        return { weekday: Number(get("weekday")), opens: get("opens"), closes: get("closes") };
      });
    }

    S.call("GET", SITE).then(show, fail);
    $("add-hours").addEventListener("click", function () {
      var row = hoursRow({ weekday: 0, opens: "07:00", closes: "11:30" });
      $("hours").appendChild(row);
      row.querySelector("select").focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var body = readForm(form);
      body.opening_hours = hours();
      S.call("PATCH", SITE, body).then(function (site) {
        show(site);
        S.say(null);
        S.notice(t("Đã lưu."));
      }, function (error) { showErrors(form, error); });
    });
    if ($("add-site")) {
      $("add-site").addEventListener("click", function () {
        openDialog("dialog-site", $("add-site").textContent, { kind: "commune_centre" }, function (body) {
          return S.call("POST", ADMIN + "/sites", body).then(function (site) {
            location.assign(location.pathname + "?site=" + enc(site.code));
          });
        });
      });
    }
  }

  // -- departments and services ------------------------------------------------------------------

  function numbering(s) {
    if (s.prefix) { return s.prefix + "001…"; }
    return s.number_start + "–" + (s.number_end === null ? "…" : s.number_end);
  }

  function servicesPage() {
    var departments = [];

    function load() {
      S.call("GET", SITE + "/departments").then(function (list) {
        departments = list;
        var select = $("v-department");
        fill(select, list.map(function (d) { return el("option", { value: d.code, text: d.code + " · " + named(d) }); }));
        fill($("departments"), list.length ? list.map(departmentRow) : [emptyRow(5)]);
      }, fail);
      S.call("GET", SITE + "/services").then(function (list) {
        fill($("services"), list.length ? list.map(serviceRow) : [emptyRow(10)]);
      }, fail);
    }

    function editDepartment(d) {
      var title = d ? t("Sửa sở, ngành {code}", { code: d.code }) : t("Thêm sở, ngành");
      openDialog("dialog-department", title, d || {}, function (body) {
        var call = d ? S.call("PATCH", ADMIN + "/departments/" + d.id, body) : S.call("POST", SITE + "/departments", body);
        return call.then(load);
      });
    }

    function departmentRow(d) {
      return el("tr", { "data-department": d.code }, [
        el("td", { text: d.code }), el("td", { text: d.name }), el("td", { text: d.name_en || "" }),
        el("td", { text: String(d.services) }),
        el("td", { className: "admin-actions" }, [
          button(t("Sửa"), t("Sửa sở, ngành {code}", { code: d.code }), function () { editDepartment(d); }),
          button(t("Xóa"), t("Xóa") + " " + d.code, function () {
            remove(ADMIN + "/departments/" + d.id, t("Xóa {name}?", { name: d.name }), load);
          })
        ])
      ]);
    }

    function editService(s) {
      var title = s ? t("Sửa dịch vụ {code}", { code: s.code }) : t("Thêm dịch vụ");
      var values = s || { active: true, default_service_seconds: 420, department: (departments[0] || {}).code };
      openDialog("dialog-service", title, values, function (body) {
        var call = s ? S.call("PATCH", ADMIN + "/services/" + s.id, body) : S.call("POST", SITE + "/services", body);
        return call.then(load);
      });
    }

    function serviceRow(s) {
      return el("tr", { "data-service": s.code, className: s.active ? "" : "admin-inactive" }, [
        el("td", { text: String(s.sort_order) }),
        el("td", { text: s.code }),
        el("td", {}, [s.name, s.name_en ? el("small", { className: "admin-en", text: s.name_en }) : null]),
        el("td", { text: s.field || "" }),
        el("td", { text: s.department_name }),
        el("td", { text: numbering(s) }),
        el("td", { text: s.daily_max === null ? "—" : String(s.daily_max) }),
        el("td", { text: String(Math.round(s.default_service_seconds / 6) / 10) }),
        el("td", {}, [S.badge(s.active ? cfg.labels.field.active : t("Ngừng hoạt động"), s.active ? "admin-on" : "admin-off"),
                      s.returns_results ? S.badge(cfg.labels.field.returns_results, "admin-on") : null]),
        el("td", { className: "admin-actions" }, [
          button(t("Sửa"), t("Sửa dịch vụ {code}", { code: s.code }), function () { editService(s); }),
          button(t("Xóa"), t("Xóa") + " " + s.code, function () {
            remove(ADMIN + "/services/" + s.id, t("Xóa {name}?", { name: s.code + " · " + s.name }), load);
          })
        ])
      ]);
    }

    $("add-department").addEventListener("click", function () { editDepartment(null); });
    $("add-service").addEventListener("click", function () { editService(null); });
    load();
  }

  // -- counters, schedules, rotations, duties and the rota ---------------------------------------

  function countersPage() {
    var targets = { department: {}, service: {} };
    var rotations = {};  // by id, as the API lists them

    function shortDate(iso) { var p = iso.split("-"); return p[2] + "/" + p[1]; }
    function longDate(iso) { return iso.split("-").reverse().join("/"); }

    function rotationWeek(rotation, week) {
      return t("Tuần {week}/{weeks} của luân phiên {name}", { week: week, weeks: rotation.weeks, name: rotation.name });
    }

    /* When a counter rule or a duty holds: weekdays, a week of a rotation, dates. */
    function describeDays(rule) {
      var parts = [rule.weekdays === "1234567" ? t("Mọi ngày")
        : rule.weekdays.split("").map(function (d) { return cfg.labels.weekday_short[d]; }).join(", ")];
      var rotation = rotations[rule.rotation_id];
      if (rotation) { parts.push(rotationWeek(rotation, rule.rotation_week)); }
      if (rule.valid_from) { parts.push(t("từ {date}", { date: longDate(rule.valid_from) })); }
      if (rule.valid_to) { parts.push(t("đến {date}", { date: longDate(rule.valid_to) })); }
      return parts.join(" · ");
    }

    function describeRule(rule) {
      var what = rule.department ? targets.department[rule.department] : targets.service[rule.service];
      var code = rule.department || rule.service;
      return (what ? code + " · " + named(what) : code) + " · " + describeDays(rule);
    }

    /* The week select of a dialog: every week, or one week of one of the site's rotations. */
    function fillWeeks(select) {
      var options = [el("option", { value: "", text: t("Mọi tuần") })];
      Object.keys(rotations).forEach(function (id) {
        for (var week = 1; week <= rotations[id].weeks; week += 1) {
          options.push(el("option", { value: id + ":" + week, text: rotationWeek(rotations[id], week) }));
        }
      });
      fill(select, options);
    }

    /* Show ``values``' weekdays and rotation week in a dialog's form; read them back into ``body``
     * (a rejection naming the field when no weekday is ticked). */
    function showDays(form, values) {
      form.querySelectorAll("[data-weekday]").forEach(function (box) {
        box.checked = values.weekdays.indexOf(box.value) >= 0;
      });
      var select = form.querySelector("[data-week]");
      fillWeeks(select);
      select.value = values.rotation_id ? values.rotation_id + ":" + values.rotation_week : "";
    }
    function readDays(form, body) {
      body.weekdays = Array.prototype.filter.call(form.querySelectorAll("[data-weekday]"), function (box) {
        return box.checked;
      }).map(function (box) { return box.value; }).join("");
      var week = form.querySelector("[data-week]").value.split(":");
      body.rotation_id = week[0] ? Number(week[0]) : null;
      body.rotation_week = week[0] ? Number(week[1]) : null;
      return body.weekdays ? null : Promise.reject({ field: "weekdays", code: "validation_failed", details: {} });
    }

    function loadTargets() {
      return Promise.all([S.call("GET", SITE + "/departments"), S.call("GET", SITE + "/services")]).then(function (lists) {
        var select = $("r-target");
        var groups = [
          el("optgroup", { label: cfg.labels.table.departments }, lists[0].map(function (d) {
            targets.department[d.code] = d;
            return el("option", { value: "department:" + d.code, text: d.code + " · " + named(d) });
          })),
          el("optgroup", { label: cfg.labels.table.services }, lists[1].map(function (s) {
            targets.service[s.code] = s;
            return el("option", { value: "service:" + s.code, text: s.code + " · " + named(s) });
          }))
        ];
        fill(select, groups);
      });
    }

    /* The officers a duty may name, and the counters. */
    function loadStaff() {
      return S.call("GET", ADMIN + "/users?site=" + enc(cfg.site)).then(function (users) {
        fill($("d-user"), users.filter(function (u) { return u.active && u.role !== "postal_clerk"; }).map(function (u) {
          return el("option", { value: u.username, text: (u.full_name || u.username) + " (" + u.username + ")" });
        }));
      });
    }

    function load() {
      S.call("GET", SITE + "/rotations").then(function (list) {
        rotations = {};
        list.forEach(function (r) { rotations[r.id] = r; });
        fill($("rotations"), list.length ? list.map(rotationRow) : [emptyRow(5)]);
        S.call("GET", SITE + "/counters").then(function (counters) {
          fill($("counters"), counters.length ? counters.map(counterRow) : [emptyRow(4)]);
          fill($("d-counter"), counters.map(function (c) {
            return el("option", { value: String(c.number), text: t("Quầy {n}", { n: c.number }) + " · " + c.name.replace(/^Quầy \d+ - /, "") });
          }));
        }, fail);
        S.call("GET", SITE + "/duties").then(function (duties) {
          fill($("duties"), duties.length ? duties.map(dutyRow) : [emptyRow(4)]);
        }, fail);
      }, fail);
      loadRota();
    }

    function editCounter(c) {
      var title = c ? t("Sửa quầy {n}", { n: c.number }) : t("Thêm quầy");
      openDialog("dialog-counter", title, c || {}, function (body) {
        var call = c ? S.call("PATCH", ADMIN + "/counters/" + c.id, body) : S.call("POST", SITE + "/counters", body);
        return call.then(load);
      });
    }

    function editRule(counter, rule) {
      var title = rule ? t("Sửa lịch của quầy {n}", { n: counter.number }) : t("Thêm lịch cho quầy {n}", { n: counter.number });
      var values = rule || { weekdays: "12345" };
      var form = openDialog("dialog-schedule", title, values, function (body, form) {
        var target = $("r-target").value.split(":");
        body.department = target[0] === "department" ? target[1] : null;
        body.service = target[0] === "service" ? target[1] : null;
        var call = readDays(form, body) || (rule ? S.call("PATCH", ADMIN + "/schedules/" + rule.id, body)
          : S.call("POST", ADMIN + "/counters/" + counter.id + "/schedules", body));
        return call.then(load);
      });
      $("r-target").value = rule ? (rule.department ? "department:" + rule.department : "service:" + rule.service)
        : $("r-target").options[0] && $("r-target").options[0].value;
      showDays(form, values);
    }

    function counterRow(c) {
      var rules = el("ul", { className: "admin-rules" }, c.schedules.map(function (rule) {
        var text = describeRule(rule);
        return el("li", { "data-rule": String(rule.id) }, [
          el("span", { text: text }),
          button(t("Sửa"), t("Sửa lịch của quầy {n}", { n: c.number }) + ": " + text, function () { editRule(c, rule); }),
          button(t("Xóa"), t("Xóa") + ": " + text, function () {
            remove(ADMIN + "/schedules/" + rule.id, t("Xóa {name}?", { name: text }), load);
          })
        ]);
      }));
      return el("tr", { "data-counter": String(c.number) }, [
        el("td", { text: String(c.number) }),
        el("td", { text: c.name }),
        el("td", {}, [rules]),
        el("td", { className: "admin-actions" }, [
          button(t("Thêm lịch"), t("Thêm lịch cho quầy {n}", { n: c.number }), function () { editRule(c, null); }),
          button(t("Sửa"), t("Sửa quầy {n}", { n: c.number }), function () { editCounter(c); }),
          button(t("Xóa"), t("Xóa") + " " + t("Quầy {n}", { n: c.number }), function () {
            remove(ADMIN + "/counters/" + c.id, t("Xóa {name}?", { name: c.name }), load);
          })
        ])
      ]);
    }

    function editRotation(r) {
      var title = r ? t("Sửa luân phiên {name}", { name: r.name }) : t("Thêm luân phiên");
      openDialog("dialog-rotation", title, r || { weeks: 2 }, function (body) {
        var call = r ? S.call("PATCH", ADMIN + "/rotations/" + r.id, body) : S.call("POST", SITE + "/rotations", body);
        return call.then(load);
      });
    }

    function rotationRow(r) {
      return el("tr", { "data-rotation": String(r.id) }, [
        el("td", { text: r.name }),
        el("td", { text: longDate(r.anchor) }),
        el("td", { text: String(r.weeks) }),
        el("td", { text: r.week_now + "/" + r.weeks }),
        el("td", { className: "admin-actions" }, [
          button(t("Sửa"), t("Sửa luân phiên {name}", { name: r.name }), function () { editRotation(r); }),
          button(t("Xóa"), t("Xóa") + " " + r.name, function () {
            remove(ADMIN + "/rotations/" + r.id, t("Xóa {name}?", { name: r.name }), load);
          })
        ])
      ]);
    }

    function editDuty(d) {
      var title = d ? t("Sửa lịch trực của {name}", { name: d.full_name || d.user }) : t("Thêm lịch trực");
      var values = d || { weekdays: "12345" };
      var form = openDialog("dialog-duty", title, values, function (body, form) {
        var call = readDays(form, body) || (d ? S.call("PATCH", ADMIN + "/duties/" + d.id, body)
          : S.call("POST", SITE + "/duties", body));
        return call.then(load);
      });
      if (!d) { $("d-user").selectedIndex = 0; $("d-counter").selectedIndex = 0; }
      showDays(form, values);
    }

    function dutyRow(d) {
      var text = describeDays(d);
      var who = d.full_name || d.user;
      return el("tr", { "data-duty": String(d.id), "data-user": d.user }, [
        el("td", { text: who }),
        el("td", { text: t("Quầy {n}", { n: d.counter }) }),
        el("td", { text: text }),
        el("td", { className: "admin-actions" }, [
          button(t("Sửa"), t("Sửa lịch trực của {name}", { name: who }) + ": " + text, function () { editDuty(d); }),
          button(t("Xóa"), t("Xóa") + ": " + who + " · " + text, function () {
            remove(ADMIN + "/duties/" + d.id, t("Xóa {name}?", { name: who + " · " + t("Quầy {n}", { n: d.counter }) }), load);
          })
        ])
      ]);
    }

    /* Two grids, this week and next: counters down, days across; in the cells what each serves
     * and who is on duty there. The caption says which week of each rotation it is. */
    function loadRota() {
      S.call("GET", SITE + "/rota?days=14").then(function (rota) {
        var weeks = [0, 7].map(function (offset) {
          var days = rota.days.slice(offset, offset + 7);
          var caption = days[0].rotations.map(function (r) { return rotationWeek(r, r.week); })
            .concat([shortDate(days[0].date) + " – " + shortDate(days[6].date)]).join(" · ");
          var head = el("tr", {}, [el("th", { scope: "col", text: cfg.labels.table.counters })].concat(days.map(function (day) {
            var today = day.date === rota.today;
            return el("th", { scope: "col", className: today ? "admin-today" : "" }, [
              cfg.labels.weekday_short[String(day.weekday)] + " " + shortDate(day.date),
              today ? el("small", { text: t("Hôm nay") }) : null
            ]);
          })));
          var rows = rota.counters.map(function (counter) {
            return el("tr", { "data-counter": String(counter.number) }, [
              el("th", { scope: "row", title: counter.name, text: t("Quầy {n}", { n: counter.number }) })
            ].concat(counter.days.slice(offset, offset + 7).map(function (entries, index) {
              var cell = el("td", { "data-date": days[index].date, className: days[index].date === rota.today ? "admin-today" : "" });
              if (!entries.length) { cell.appendChild(el("span", { className: "admin-off-day", text: t("Nghỉ") })); }
              else {
                cell.appendChild(el("ul", {}, entries.map(function (entry) {
                  return el("li", { className: "rota-" + entry.kind, "data-code": entry.code, text: named(entry) });
                })));
              }
              var officers = counter.officers[offset + index];
              if (officers.length) {
                cell.appendChild(el("p", { className: "rota-officers", text: officers.map(function (o) {
                  return o.full_name || o.username;
                }).join(", ") }));
              }
              return cell;
            })));
          });
          return el("table", { className: "admin-table rota-week", "data-monday": days[0].date }, [
            el("caption", { text: caption }), el("thead", {}, [head]), el("tbody", {}, rows)
          ]);
        });
        fill($("rota"), weeks);
      }, fail);
    }

    $("add-counter").addEventListener("click", function () { editCounter(null); });
    $("add-rotation").addEventListener("click", function () { editRotation(null); });
    $("add-duty").addEventListener("click", function () { editDuty(null); });
    Promise.all([loadTargets(), loadStaff()]).then(load, fail);
  }

  // -- accounts ----------------------------------------------------------------------------------

  function usersPage() {
    var dialog = $("dialog-user");

    function load() {
      S.call("GET", ADMIN + "/users").then(function (list) {
        fill($("users"), list.length ? list.map(userRow) : [emptyRow(6)]);
      }, fail);
    }

    function editUser(u) {
      var fresh = !u;
      $("u-username").disabled = !fresh;
      dialog.querySelectorAll("[data-new-only]").forEach(function (part) {
        part.hidden = !fresh;
        part.querySelectorAll("input").forEach(function (input) { input.disabled = !fresh; });
      });
      var title = fresh ? t("Thêm tài khoản") : t("Sửa tài khoản {username}", { username: u.username });
      var values = u || { role: "officer", sites: [cfg.site], active: true };
      openDialog("dialog-user", title, values, function (body) {
        var call = fresh ? S.call("POST", ADMIN + "/users", body) : S.call("PATCH", ADMIN + "/users/" + u.id, body);
        return call.then(load);
      });
    }

    function resetPassword(u) {
      openDialog("dialog-password", t("Đặt lại mật khẩu cho {username}", { username: u.username }), {}, function (body) {
        return S.call("POST", ADMIN + "/users/" + u.id + "/password", body).then(function () {
          setTimeout(function () { S.notice(t("Đã đặt mật khẩu mới cho {username}.", { username: u.username })); });
        });
      });
    }

    /* The account's photo (for the counter's screen): shown, replaced or removed at once. */
    function editPhoto(u) {
      var photoDialog = $("dialog-photo");
      var url = ADMIN + "/users/" + u.id + "/photo";
      var name = u.full_name || u.username;
      $("h-photo").textContent = t("Ảnh của {name}", { name: name });
      $("photo-image").hidden = !u.photo;
      $("photo-none").hidden = !!u.photo;
      $("photo-remove").hidden = !u.photo;
      if (u.photo) { $("photo-image").src = url + "?v=" + Date.now(); $("photo-image").alt = t("Ảnh của {name}", { name: name }); }
      var form = photoDialog.querySelector("form");
      clearErrors(form);
      form.reset();
      form.onsubmit = function (event) {
        event.preventDefault();
        if (event.submitter && event.submitter.value === "cancel") { photoDialog.close(); return; }
        clearErrors(form);
        var data = new FormData();
        if ($("photo-file").files[0]) { data.append("file", $("photo-file").files[0]); }
        S.upload(url, data).then(function (saved) {
          photoDialog.close();
          S.notice(t("Đã lưu."));
          load();
          return saved;
        }, function (error) { showErrors(form, error); });
      };
      $("photo-remove").onclick = function () {
        S.call("DELETE", url).then(function () { photoDialog.close(); S.notice(t("Đã xóa ảnh.")); load(); }, function (error) {
          showErrors(form, error);
        });
      };
      photoDialog.showModal();
    }

    function userRow(u) {
      return el("tr", { "data-user": u.username, className: u.active ? "" : "admin-inactive" }, [
        el("td", { text: u.username }),
        el("td", { text: u.full_name }),
        el("td", { text: cfg.labels.role[u.role] || u.role }),
        el("td", { text: u.role === "admin" ? t("Mọi trung tâm") : u.sites.join(", ") }),
        el("td", {}, [S.badge(u.active ? cfg.labels.field.active : t("Đã khóa"), u.active ? "admin-on" : "admin-off")]),
        el("td", { className: "admin-actions" }, [
          button(t("Sửa"), t("Sửa tài khoản {username}", { username: u.username }), function () { editUser(u); }),
          button(cfg.labels.field.password_hash, t("Đặt lại mật khẩu cho {username}", { username: u.username }),
                 function () { resetPassword(u); }),
          button(cfg.labels.field.photo, t("Ảnh của {name}", { name: u.full_name || u.username }),
                 function () { editPhoto(u); })
        ])
      ]);
    }

    $("add-user").addEventListener("click", function () { editUser(null); });
    load();
  }

  // -- devices -----------------------------------------------------------------------------------

  function devicesPage() {
    var form = $("issue-form");
    var AT_COUNTER = ["counter", "rating"];

    function when(iso) { return iso ? S.when(iso) : t("Chưa liên lạc"); }

    function deviceRow(d) {
      var printer = d.health && d.health.printer;
      var state = d.revoked ? t("Đã thu hồi")
        : printer ? t("Máy in: {state}", { state: cfg.labels.printer[printer] || printer }) : "";
      var stateCell = el("td", { "data-state": d.revoked ? "revoked" : printer || "", text: state });
      if (printer && printer !== "ok" && printer !== "none" && !d.revoked) { stateCell.className = "alert"; }
      var name = d.name + (d.counter ? " · " + t("Quầy {n}", { n: d.counter }) : "");
      return el("tr", { "data-device": String(d.id), className: d.revoked ? "admin-inactive" : "" }, [
        el("td", { text: cfg.labels.device_kind[d.kind] || d.kind }),
        el("td", { text: name }),
        stateCell,
        el("td", { text: when(d.last_seen_at) }),
        el("td", { text: S.when(d.created_at) }),
        el("td", { className: "admin-actions" }, [d.revoked ? null : button(t("Thu hồi"), t("Thu hồi") + " " + name, function () {
          confirmed(t("Thu hồi thiết bị {name}? Thiết bị sẽ bị từ chối ngay từ lần gọi tiếp theo.", { name: name })).then(function (yes) {
            if (!yes) { return; }
            S.call("POST", "/api/v1/devices/" + d.id + "/revoke").then(function () {
              S.notice(t("Đã thu hồi thiết bị {name}.", { name: name }));
              load();
            }, fail);
          });
        }, "admin-danger")])
      ]);
    }

    function load() {
      S.call("GET", "/api/v1/sites/" + enc(cfg.site) + "/devices").then(function (list) {
        fill($("devices"), list.length ? list.map(deviceRow) : [emptyRow(6)]);
      }, fail);
    }

    function counterChoice() {
      var needed = AT_COUNTER.indexOf($("i-kind").value) >= 0;
      $("i-counter").disabled = !needed;
    }

    S.call("GET", SITE + "/counters").then(function (counters) {
      fill($("i-counter"), counters.map(function (c) {
        var label = t("Quầy {n}", { n: c.number });
        return el("option", { value: String(c.number), text: c.name.indexOf(label) === 0 ? c.name : label + " · " + c.name });
      }));
      counterChoice();
    }, fail);
    $("i-kind").addEventListener("change", counterChoice);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var body = readForm(form);
      if (!("counter" in body)) { body.counter = null; }
      S.call("POST", "/api/v1/sites/" + enc(cfg.site) + "/devices", body).then(function (issued) {
        $("token").value = issued.token;
        $("copy-result").textContent = "";
        $("token-panel").hidden = false;
        $("token").focus();
        $("token").select();
        form.querySelector('[name="name"]').value = "";
        load();
      }, function (error) { showErrors(form, error); });
    });
    $("copy-token").addEventListener("click", function () {
      var input = $("token");
      var copied = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(input.value)
        : new Promise(function (resolve, reject) {
          input.select();
          return document.execCommand("copy") ? resolve() : reject();
        });
      copied.then(function () { $("copy-result").textContent = t("Đã chép mã vào bộ nhớ tạm."); },
                  function () { input.select(); $("copy-result").textContent = t("Không chép được: hãy chọn mã và chép bằng tay."); });
    });
    load();
    // Read the list again on every snapshot: a snapshot comes once the socket has joined the
    // site's room (and after each reconnect), so a change made before that is not missed.
    var live = new window.LiveSite({ site: cfg.site, onSnapshot: load, onEvent: function () {} });
    live.socket.on("device.changed", load);
  }

  // -- what the centre writes on its forms, per form set ------------------------------------------

  function formsPage() {
    document.querySelectorAll("form[data-form-set]").forEach(function (form) {
      var url = "/api/v1/sites/" + enc(cfg.site) + "/form-settings/" + form.dataset.formSet;
      var symbols = form.querySelector("[data-symbols]");

      function show(settings) {
        fillForm(form, settings);
        fill(symbols, settings.forms.map(function (f) {
          var cell = el("td");
          if (f.kind in settings.symbols) {
            cell.appendChild(el("input", { "data-symbol": f.kind, value: settings.symbols[f.kind], maxlength: "40",
              "aria-label": t("Ký hiệu sau số của {form}", { form: "Mẫu " + f.number }) }));
          }
          return el("tr", {}, [el("td", { text: f.number }), el("td", { text: f.title }), cell,
            el("td", { className: "staff-hint", text: f.assumed })]);
        }));
      }

      S.call("GET", url).then(show, fail);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        clearErrors(form);
        var body = readForm(form);
        body.symbols = {};
        symbols.querySelectorAll("[data-symbol]").forEach(function (input) { body.symbols[input.dataset.symbol] = input.value; });
        S.call("PUT", url, body).then(function (settings) {
          show(settings);
          S.notice(t("Đã lưu."));
        }, function (error) { showErrors(form, error); });
      });
    });
  }

  // What a page with a script of its own builds on (admin-signage.js).
  window.Admin = { fill: fill, emptyRow: emptyRow, fail: fail, readForm: readForm, fillForm: fillForm, handOver: handOver,
                   showErrors: showErrors,
                   clearErrors: clearErrors, openDialog: openDialog, remove: remove, button: button };

  var pages = { sites: sitesPage, services: servicesPage, counters: countersPage, users: usersPage,
                devices: devicesPage, forms: formsPage };
  if (pages[cfg.page]) { pages[cfg.page](); }
})();
