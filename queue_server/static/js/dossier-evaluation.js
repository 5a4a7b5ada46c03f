/* The dossier's evaluation on its tracking page (tracking/_evaluation.html): every asked
 * criterion needs an answer; the answers go to the API once, then the page thanks with the score
 * and the verdict. A dossier already evaluated (from another phone, or the counter) thanks too. */
(function () {
  "use strict";

  function DossierEvaluation(options) {
    var self = this;
    self.options = options;
    self.form = document.getElementById("evaluation-form");
    if (!self.form) { return; }
    self.error = self.form.querySelector(".evaluation-error");
    self.form.addEventListener("change", function () { self.show(""); });
    self.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.send();
    });
  }

  DossierEvaluation.prototype.answers = function () {
    var answers = {};
    var complete = true;
    this.form.querySelectorAll("fieldset.evaluation-question").forEach(function (fieldset) {
      var checked = fieldset.querySelector("input:checked");
      if (checked) { answers[checked.name] = checked.value; } else { complete = false; }
    });
    return complete ? answers : null;
  };

  DossierEvaluation.prototype.show = function (message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  };

  DossierEvaluation.prototype.thank = function (evaluation) {
    if (evaluation) {
      document.getElementById("evaluation-points").textContent = evaluation.score + "/" + evaluation.max_score;
      document.getElementById("evaluation-verdict").textContent = evaluation.verdict_label;
    }
    this.form.hidden = true;
    document.getElementById("evaluation-thanks").hidden = false;
  };

  DossierEvaluation.prototype.send = function () {
    var self = this;
    var answers = self.answers();
    if (!answers) {
      self.show(window.Core.t("Vui lòng chọn câu trả lời cho mọi tiêu chí."));
      return;
    }
    var button = self.form.querySelector(".evaluation-send");
    button.disabled = true;
    self.show("");
    window.Core.api("POST", self.options.url, { answers: answers }).then(function (evaluation) {
      self.thank(evaluation);
    }, function (error) {
      button.disabled = false;
      if (error.code === "already_evaluated") { window.location.reload(); return; }
      self.show(window.Core.t("Không gửi được đánh giá. Vui lòng thử lại."));
    });
  };

  window.DossierEvaluation = DossierEvaluation;
})();
