/* What the hall and counter screens share: their strings and how a ticket's change moves a
 * counter's current number. */
(function () {
  "use strict";
  var AT_COUNTER = ["called", "serving"];

  window.DisplayScreen = {
    AT_COUNTER: AT_COUNTER,
    IN_QUEUE: ["waiting", "transferred"],

    /* The page's translated string for a Vietnamese msgid, placeholders filled in. */
    translator: function (strings) {
      return function (key, values) {
        var text = strings[key] || key;
        Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
        return text;
      };
    },

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

    element: function (tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      if (text != null) { node.textContent = text; }
      return node;
    },

    /* Restart a CSS animation class (a call arriving again flashes again). */
    flash: function (node, className) {
      node.classList.remove(className);
      void node.offsetWidth;
      node.classList.add(className);
    }
  };
})();
