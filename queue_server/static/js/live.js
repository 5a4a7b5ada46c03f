/* One live connection to a site's room, with gap detection.
 *
 * The server sends a "snapshot" (with the site's event sequence) on connect and after a
 * "resync" request; every change then arrives as a delta carrying the next sequence number.
 * A delta that skips a number means something was missed: ask for a fresh snapshot.
 * Deltas committed together arrive as one "deltas" message, their list in order.
 * A ticket issued (sent to staff only) has no number: it is a notice, taken as it comes.
 * The connection, and its reconnecting, is the core's (core.js connect).
 */
(function () {
  "use strict";
  var DELTAS = [
    "ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.skipped",
    "ticket.reactivated", "ticket.transferred", "ticket.finished", "counter.changed"
  ];

  function LiveSite(options) {
    var self = this;
    self.site = options.site;
    self.seq = null;
    self.resyncing = false;
    var auth = { site: options.site };
    if (options.counter) { auth.counter = options.counter; }
    if (options.token) { auth.token = options.token; }  // a device's page: also its own room
    self.socket = window.Core.connect(auth, options.onStatus);
    self.socket.on("snapshot", function (snapshot) {
      self.seq = snapshot.seq;
      self.resyncing = false;
      options.onSnapshot(snapshot);
    });
    self.socket.on("queue.stats", function (stats) { (options.onStats || noop)(stats); });
    DELTAS.forEach(function (name) {
      self.socket.on(name, function (delta) { self.delta(name, delta, options.onEvent); });
    });
    // Several deltas committed together (a call next: the ticket finished, the next called).
    self.socket.on("deltas", function (deltas) {
      deltas.forEach(function (delta) { self.delta(delta.type, delta, options.onEvent); });
    });
  }

  LiveSite.prototype.delta = function (name, delta, handler) {
    if (this.seq === null || this.resyncing) { return; }
    if (delta.seq == null) { handler(name, delta); return; }  // a notice: no place in the order
    if (delta.seq <= this.seq) { return; }
    if (delta.seq !== this.seq + 1) {
      this.resyncing = true;
      this.socket.emit("resync", { site: this.site });
      return;
    }
    this.seq = delta.seq;
    handler(name, delta);
  };

  function noop() {}
  window.LiveSite = LiveSite;
})();
