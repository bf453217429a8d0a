// Shortens the category <select> to the options whose text contains what is typed in the
// filter box (data-filters names the select). No inline script: the CSP forbids it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-filters]").forEach(function (box) {
    var select = document.getElementById(box.dataset.filters);
    if (!select) return;
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      var first = null;
      select.querySelectorAll("option").forEach(function (option) {
        var hit = !words || !option.value || option.text.toLowerCase().indexOf(words) >= 0 ||
          (option.parentNode.label || "").toLowerCase().indexOf(words) >= 0;
        option.hidden = !hit;
        option.disabled = !hit && option.value !== "";
        if (hit && option.value && first === null) first = option;
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (first && words) select.value = first.value;
    });
  });
});
