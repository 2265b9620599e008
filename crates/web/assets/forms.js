// The group form's schedule: shows only the fields of the rule kind chosen
// ("every week", "once", …). Without JavaScript every field shows, each
// label says which kind it is for, and the server ignores the others.
(function () {
  "use strict";
  function show(rule) {
    var select = rule.querySelector("[data-rule-kind]");
    if (!select) return;
    var kind = select.value || "weekly";
    rule.querySelectorAll("[data-kinds]").forEach(function (part) {
      part.hidden = part.getAttribute("data-kinds").split(" ").indexOf(kind) < 0;
    });
  }
  document.querySelectorAll("[data-rule]").forEach(function (rule) {
    show(rule);
    rule.addEventListener("change", function (event) {
      if (event.target.hasAttribute("data-rule-kind")) show(rule);
    });
  });
})();
