/* Keyboard-wedge scanners type fast and end with Enter. This tells such a burst from a person
 * typing (keys more than MAX_GAP ms apart) and hands the whole text to onScan, keeping the
 * keys away from the page. Serial scanners reach the page through the device agent instead. */
(function () {
  "use strict";
  var MAX_GAP = 60;
  var MIN_LENGTH = 6;

  function listen(onScan) {
    var buffer = "";
    var last = 0;
    document.addEventListener("keydown", function (event) {
      var now = Date.now();
      if (now - last > MAX_GAP) { buffer = ""; }
      last = now;
      if (event.key === "Enter") {
        if (buffer.length >= MIN_LENGTH) {
          event.preventDefault();
          event.stopPropagation();
          var text = buffer;
          buffer = "";
          onScan(text);
        }
        buffer = "";
        return;
      }
      if (event.key.length === 1) {
        buffer += event.key;
        if (buffer.length > 1) { event.preventDefault(); }
      }
    }, true);
  }

  window.ScannerWedge = { listen: listen };
})();
