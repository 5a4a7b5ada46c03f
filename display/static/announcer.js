/* Spoken calls, one after another: a new call never cuts off the one being spoken.
 * Each call plays the chime, then the site's sentence rendered offline by the server. */
(function () {
  "use strict";
  function Announcer(callUrl, chimeUrl) {
    this.callUrl = callUrl;
    this.chimeUrl = chimeUrl;
    this.queue = [];
    this.playing = false;
    this.spoken = [];   // what has been announced, for supervisors and tests
  }

  Announcer.prototype.announce = function (number, counter) {
    this.queue.push({ number: number, counter: counter });
    this.next();
  };

  Announcer.prototype.next = function () {
    if (this.playing || !this.queue.length) { return; }
    var self = this;
    var call = self.queue.shift();
    self.playing = true;
    var url = self.callUrl + "?number=" + encodeURIComponent(call.number) + "&counter=" + encodeURIComponent(call.counter);
    play(self.chimeUrl)
      .then(function () { return play(url); })
      .then(function (outcome) { self.spoken.push({ number: call.number, counter: call.counter, audio: outcome }); })
      .finally(function () { self.playing = false; self.next(); });
  };

  Announcer.prototype.pending = function () { return this.queue.length + (this.playing ? 1 : 0); };

  /* Resolves when the clip has ended, or (muted browser, missing voice) after a short pause so
   * the screen keeps pace with the calls. */
  function play(url) {
    return new Promise(function (resolve) {
      var audio = new Audio(url);
      var done = function (outcome) { return function () { resolve(outcome); }; };
      audio.addEventListener("ended", done("played"));
      audio.addEventListener("error", function () { setTimeout(done("failed"), 1500); });
      var started = audio.play();
      if (started && started.catch) { started.catch(function () { setTimeout(done("blocked"), 1500); }); }
    });
  }

  window.Announcer = Announcer;
})();
