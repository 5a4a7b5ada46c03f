/* What the hall and counter screens share, beside the core (core.js: their words, the live
 * connection): how a ticket's change moves a counter's current number, and their elements. */
(function () {
  "use strict";
  var AT_COUNTER = ["called", "serving"];

  window.DisplayScreen = {
    AT_COUNTER: AT_COUNTER,
    IN_QUEUE: ["waiting", "transferred"],

    serviceName: function (ticket, lang) {
      return lang === "en" && ticket.service_name_en ? ticket.service_name_en : ticket.service_name;
    },

    /* A ticket delta for this counter: the ticket is its current one while called or being
     * served there; once finished, skipped or transferred it leaves the counter. */
    follow: function (counter, ticket) {
      if (AT_COUNTER.indexOf(ticket.status) >= 0 && ticket.counter_id === counter.id) {
        counter.current = ticket;
      } else if (counter.current && counter.current.id === ticket.id) {
        counter.current = null;
      }
    },

    /* An element with its classes and text (either may be left out). */
    element: function (tag, className, text) {
      return window.Core.el(tag, { className: className || null, text: text });
    },

    /* Restart a CSS animation class (a call arriving again flashes again). */
    flash: function (node, className) {
      node.classList.remove(className);
      void node.offsetWidth;
      node.classList.add(className);
    }
  };
})();
