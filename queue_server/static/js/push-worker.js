/* The tracking pages' service worker (served as /push-worker.js, tracking/views.py): it shows
 * each push message (notify/channels/webpush.py sends {title, body, url, tag}) and, when the
 * citizen taps it, brings up the page it is about. It handles no fetch: the pages load as
 * they always do. */
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { body: event.data.text() }; }
  var options = { body: data.body || "", data: { url: data.url || null } };
  if (data.tag) {
    // The page's earlier message is replaced, and the phone still rings for the new one.
    options.tag = data.tag;
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(data.title || self.location.host, options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = event.notification.data && event.notification.data.url;
  // Only a page of this server: a message never sends the citizen elsewhere.
  var target = url && new URL(url, self.location.href).origin === self.location.origin ? url : self.registration.scope;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i += 1) {
      if (windows[i].url === target && "focus" in windows[i]) { return windows[i].focus(); }
    }
    return self.clients.openWindow(target);
  }));
});
