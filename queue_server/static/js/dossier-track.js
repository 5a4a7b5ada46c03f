/* The dossier's tracking page: its notifications (track-notify.js) and its evaluation
 * (dossier-evaluation.js). The page reloads itself
 * every few minutes for the rest (a dossier moves in days, not seconds). */
(function () {
  "use strict";
  var cfg = window.Core.page("track-config");
  new window.TrackNotify(cfg.notify);
  new window.DossierEvaluation(cfg.evaluation);
})();
