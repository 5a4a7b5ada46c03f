/* The hall's signage (see _signage.html): the site's notices scroll in the footer (#hall-footer)
 * in place of its text, and after a while without a call its playlist of images and videos
 * covers the hall below the latest call (#latest stays in view), until the next call.
 *
 * A call is the hall's "hall:call" event (hall.js fires it on every call and recall) or any
 * change of the latest-call banner, whichever comes first: the playlist hides at once and
 * comes back after the site's SIGNAGE_IDLE_SECONDS. What to show is read from the site's feed
 * again every poll_seconds (it says how often), revalidated by its ETag, so that an
 * administrator's change reaches the hall within a minute. */
(function () {
  "use strict";
  var cfg = window.Core.config("signage-config");
  var ticker = document.getElementById("signage-ticker");
  var tickerText = document.getElementById("signage-ticker-text");
  var overlay = document.getElementById("signage-playlist");
  var footer = document.getElementById("hall-footer") || document.querySelector(".display-footer");
  var latest = document.getElementById("latest");
  var still = window.matchMedia("(prefers-reduced-motion: reduce)");
  var SPEED = 140;  // pixels a second: a word stays on a 1920-pixel screen for about 12 s
  var RETRY = 2000;  // after a file that would not load, the next one a little later
  var state = { notices: [], media: [], signature: "", poll: 30 };
  var footerContent = null;  // the footer's own content while the ticker stands in its place
  var noticeIndex = 0, noticeTimer = null;
  var idleTimer = null, itemTimer = null, position = -1, playing = false;

  // -- ticker ------------------------------------------------------------------------------------

  function showTicker() {
    clearTimeout(noticeTimer);
    if (!state.notices.length || !footer) {
      if (footerContent) { ticker.hidden = true; footer.textContent = ""; footer.appendChild(footerContent); footerContent = null; }
      return;
    }
    if (!footerContent) {
      footerContent = document.createDocumentFragment();
      while (footer.firstChild) { footerContent.appendChild(footer.firstChild); }
      footer.appendChild(ticker);
      ticker.hidden = false;
    }
    if (still.matches) {
      noticeIndex = noticeIndex % state.notices.length;
      oneNotice();
    } else {
      tickerText.textContent = state.notices.join("\u00a0\u00a0\u00a0\u00a0•\u00a0\u00a0\u00a0\u00a0");
      // The text starts beyond the right edge (its padding is the ticker's width) and runs out on the left.
      tickerText.style.animationDuration = Math.max(10, tickerText.offsetWidth / SPEED) + "s";
    }
  }

  /* Without movement: each notice in turn, long enough to read it (about 15 characters a second). */
  function oneNotice() {
    var text = state.notices[noticeIndex % state.notices.length];
    tickerText.textContent = text;
    noticeIndex += 1;
    if (state.notices.length > 1) { noticeTimer = setTimeout(oneNotice, Math.max(6, text.length / 15) * 1000); }
  }

  // -- playlist ----------------------------------------------------------------------------------

  /* Cover the hall below the latest call's section, as wide as it, down to the footer (and
   * never past the screen's edge). */
  function place() {
    var above = latest ? (latest.closest("section") || latest) : document.querySelector("header");
    var area = above.getBoundingClientRect();
    var top = area.bottom + 8;
    var bottom = Math.min(footer ? footer.getBoundingClientRect().top - 8 : window.innerHeight, window.innerHeight);
    overlay.style.top = top + "px";
    overlay.style.left = area.left + "px";
    overlay.style.width = area.width + "px";
    overlay.style.height = Math.max(0, bottom - top) + "px";
  }

  function waitForIdle() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(play, cfg.idleSeconds * 1000);
  }

  function play() {
    if (!state.media.length) { return; }
    playing = true;
    overlay.hidden = false;
    place();
    next();
  }

  function stop() {
    playing = false;
    clearTimeout(itemTimer);
    overlay.hidden = true;
    overlay.textContent = "";  // a video removed from the page stops
    waitForIdle();
  }

  function next() {
    clearTimeout(itemTimer);
    if (!playing) { return; }
    if (!state.media.length) { stop(); return; }
    position = (position + 1) % state.media.length;
    show(state.media[position]);
  }

  function show(item) {
    overlay.textContent = "";
    var node;
    if (item.kind === "video") {
      node = document.createElement("video");
      node.muted = true;
      node.autoplay = true;
      node.playsInline = true;
      node.setAttribute("playsinline", "");
      node.addEventListener("ended", next);
      node.addEventListener("error", function () { itemTimer = setTimeout(next, RETRY); });
    } else if (item.kind === "board") {
      node = document.createElement("section");
      node.className = "signage-board";
      fetch(item.url).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (slide) {
        board(node, slide);
        itemTimer = setTimeout(next, item.duration_seconds * 1000);
      }).catch(function () { itemTimer = setTimeout(next, RETRY); });
    } else {
      node = document.createElement("img");
      node.alt = item.title || "";
      node.addEventListener("load", function () { itemTimer = setTimeout(next, item.duration_seconds * 1000); });
      node.addEventListener("error", function () { itemTimer = setTimeout(next, RETRY); });
    }
    if (item.kind !== "board") { node.src = item.url; }
    node.dataset.media = item.id;
    overlay.appendChild(node);
    if (node.play) { node.play().catch(function () { itemTimer = setTimeout(next, RETRY); }); }
  }

  /* The public board's slide (display/signage.py board.json): this month's figures, each a
   * label and its value as the server wrote them, and the QR code of the full page. */
  function board(node, slide) {
    var el = window.Core.el;
    window.Core.fill(node, [
      el("h2", { className: "signage-board-title", text: slide.title + " – " + slide.period }),
      el("dl", { className: "signage-board-figures" }, slide.figures.map(function (figure) {
        return el("div", { className: "signage-board-figure", "data-figure": figure.name }, [
          el("dt", { text: figure.label }), el("dd", { text: figure.value })
        ]);
      })),
      el("div", { className: "signage-board-more" }, [
        el("img", { src: slide.qr, alt: "" }), el("p", { text: slide.more }), el("p", { text: slide.updated })
      ])
    ]);
  }

  // -- feed --------------------------------------------------------------------------------------

  function refresh() {
    fetch(cfg.feed, { cache: "no-cache" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (feed) {
      state.poll = feed.poll_seconds || state.poll;
      var signature = JSON.stringify([feed.notices, feed.media]);
      if (signature === state.signature) { return; }
      state.signature = signature;
      state.notices = feed.notices;
      state.media = feed.media;
      showTicker();
      if (playing && !state.media.length) { stop(); }
    }).catch(function () { /* the hall goes on with what it has; the next poll tries again */ })
      .then(function () { setTimeout(refresh, state.poll * 1000); });
  }

  document.addEventListener("hall:call", stop);
  if (latest) { new MutationObserver(stop).observe(latest, { childList: true, characterData: true, subtree: true }); }
  window.addEventListener("resize", function () { if (playing) { place(); } showTicker(); });
  still.addEventListener("change", showTicker);
  refresh();
  waitForIdle();
})();
