/* "Màn hình sảnh": the hall screen's notices and playlist of the chosen site, read and changed
 * through /api/v1/admin/.../signage, and a preview of what the hall shows today (the hall's
 * own feed, /display/<site>/signage.json). Builds on admin.js (window.Admin). */
(function () {
  "use strict";
  var S = window.Staff;
  var A = window.Admin;
  var cfg = S.cfg;
  var t = S.t;
  var $ = S.$;
  var el = S.el;
  var enc = encodeURIComponent;
  var SITE = "/api/v1/admin/sites/" + enc(cfg.site) + "/signage";
  var ITEMS = "/api/v1/admin/signage/";
  var FEED = "/display/" + enc(cfg.site) + "/signage.json";

  function day(iso) { var p = iso.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }
  function when(item) {
    var parts = [];
    if (item.starts_on) { parts.push(t("từ {date}", { date: day(item.starts_on) })); }
    if (item.ends_on) { parts.push(t("đến {date}", { date: day(item.ends_on) })); }
    return parts.length ? parts.join(" ") : t("Mọi ngày");
  }
  function state(item) {
    return S.badge(item.active ? t("Đang hiển thị") : t("Đã tắt"), item.active ? "admin-on" : "admin-off");
  }

  /* ↑ and ↓ beside each row: the whole list in its new order goes to the server. */
  function orderButtons(list, index, kind, name) {
    function move(delta) {
      var ids = list.map(function (item) { return item.id; });
      var moved = ids.splice(index, 1)[0];
      ids.splice(index + delta, 0, moved);
      S.call("PUT", SITE + "/" + kind + "/order", { ids: ids }).then(function () { S.say(null); load(); }, A.fail);
    }
    var up = A.button("↑", t("Đưa {name} lên trên", { name: name }), function () { move(-1); });
    var down = A.button("↓", t("Đưa {name} xuống dưới", { name: name }), function () { move(1); });
    up.disabled = index === 0;
    down.disabled = index === list.length - 1;
    return el("td", { className: "admin-actions signage-order" }, [up, down]);
  }

  function short(text) { return text.length > 40 ? text.slice(0, 39) + "…" : text; }

  function noticeRow(notice, index, list) {
    var name = short(notice.text);
    return el("tr", { "data-notice": String(notice.id), className: notice.active ? "" : "admin-inactive" }, [
      orderButtons(list, index, "notices", name),
      el("td", { className: "signage-text", text: notice.text }),
      el("td", { text: when(notice) }),
      el("td", {}, [state(notice)]),
      el("td", { className: "admin-actions" }, [
        A.button(t("Sửa"), t("Sửa {name}", { name: name }), function () { editNotice(notice); }),
        A.button(t("Xóa"), t("Xóa {name}?", { name: name }), function () {
          A.remove(ITEMS + "notices/" + notice.id, t("Xóa {name}?", { name: name }), load);
        }, "admin-danger")
      ])
    ]);
  }

  function editNotice(notice) {
    var title = notice ? t("Sửa thông báo") : t("Thêm thông báo");
    A.openDialog("dialog-notice", title, notice || { active: true }, function (body) {
      var call = notice ? S.call("PATCH", ITEMS + "notices/" + notice.id, body) : S.call("POST", SITE + "/notices", body);
      return call.then(load);
    });
  }

  function thumbnail(media) {
    var label = media.title || media.filename;
    if (media.kind === "video") {
      var video = el("video", { className: "signage-thumb", src: media.url, preload: "metadata", "aria-label": label });
      video.muted = true;
      return video;
    }
    return el("img", { className: "signage-thumb", src: media.url, alt: label });
  }

  function mediaRow(media, index, list) {
    var name = media.title || media.filename;
    return el("tr", { "data-media": String(media.id), className: media.active ? "" : "admin-inactive" }, [
      orderButtons(list, index, "media", name),
      el("td", {}, [thumbnail(media)]),
      el("td", {}, [
        el("span", { text: media.title || media.filename }),
        el("span", { className: "admin-en", text: (media.kind === "video" ? t("Video") : t("Hình ảnh")) + " · " + media.filename + " · " + S.size(media.size) })
      ]),
      el("td", { text: media.kind === "video" ? t("đến hết video") : t("{n} giây", { n: media.duration_seconds }) }),
      el("td", { text: when(media) }),
      el("td", {}, [state(media)]),
      el("td", { className: "admin-actions" }, [
        A.button(t("Sửa"), t("Sửa ảnh, video {name}", { name: name }), function () { editMedia(media); }),
        A.button(t("Xóa"), t("Xóa {name}?", { name: name }), function () {
          A.remove(ITEMS + "media/" + media.id, t("Xóa {name}?", { name: name }), load);
        }, "admin-danger")
      ])
    ]);
  }

  function editMedia(media) {
    var form = A.openDialog("dialog-media", t("Sửa ảnh, video {name}", { name: media.title || media.filename }), media, function (body) {
      return S.call("PATCH", ITEMS + "media/" + media.id, body).then(load);
    });
    form.querySelector("[name=duration_seconds]").disabled = media.kind === "video";
  }

  /* What the hall shows today, from its own feed (no cache: a change shows at once here). */
  function preview() {
    fetch(FEED, { cache: "no-store" }).then(function (response) { return response.json(); }).then(function (feed) {
      $("preview-ticker").textContent = feed.notices.length
        ? feed.notices.join("   •   ")
        : t("Chưa có thông báo nào đang hiển thị: chân màn hình giữ dòng chữ mặc định.");
      var first = feed.media[0];
      var screen = $("preview-media");
      screen.textContent = "";
      if (first && first.kind === "video") {
        var video = el("video", { src: first.url, "aria-label": first.title || t("Video"), loop: "", playsinline: "" });
        video.muted = true;
        video.autoplay = true;
        screen.appendChild(video);
      } else if (first) {
        screen.appendChild(el("img", { src: first.url, alt: first.title || t("Hình ảnh") }));
      }
    }).catch(function () { /* the preview only; the lists above are what counts */ });
  }

  function load() {
    S.call("GET", SITE).then(function (signage) {
      A.fill($("notices"), signage.notices.length ? signage.notices.map(noticeRow) : [A.emptyRow(5)]);
      A.fill($("media"), signage.media.length ? signage.media.map(mediaRow) : [A.emptyRow(7)]);
      preview();
    }, A.fail);
  }

  $("add-notice").addEventListener("click", function () { editNotice(null); });

  $("media-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    A.clearErrors(form);
    var body = A.readForm(form);
    var data = new FormData();
    var file = $("m-file").files[0];
    if (file) { data.append("file", file); }
    Object.keys(body).forEach(function (name) { if (body[name] !== null) { data.append(name, body[name]); } });
    var submit = form.querySelector("[type=submit]");
    submit.disabled = true;
    S.notice(t("Đang tải lên…"));
    S.upload(SITE + "/media", data).then(function (media) {
      form.reset();
      S.say(null);
      S.notice(t("Đã tải lên {name}.", { name: media.filename }));
      load();
    }, function (error) { S.notice(null); A.showErrors(form, error); }).then(function () { submit.disabled = false; });
  });

  load();
})();
