/* estapp: in a place select, show only the places of the chosen area.
 *
 * Progressive enhancement: the select lists every place grouped by area (<optgroup>) and works
 * without JavaScript; the server checks that the place lies in the area either way. A select
 * marked data-places-for="<id of the area select>" is filtered when the area changes, and
 * choosing a place fills in its area.
 */
(function () {
  "use strict";

  function enhance(places) {
    var area = document.getElementById(places.getAttribute("data-places-for"));
    if (!area) {
      return;
    }

    function filter(keepSelection) {
      var chosen = area.value;
      places.querySelectorAll("optgroup").forEach(function (group) {
        var anyVisible = false;
        group.querySelectorAll("option").forEach(function (option) {
          var hide = chosen !== "" && option.getAttribute("data-area") !== chosen;
          option.hidden = hide;
          option.disabled = hide;
          anyVisible = anyVisible || !hide;
        });
        group.hidden = !anyVisible;
      });
      var selected = places.options[places.selectedIndex];
      if (!keepSelection && selected && selected.disabled) {
        places.value = "";
      }
    }

    area.addEventListener("change", function () {
      filter(false);
    });
    places.addEventListener("change", function () {
      var selected = places.options[places.selectedIndex];
      var itsArea = selected ? selected.getAttribute("data-area") : null;
      if (itsArea && area.value !== itsArea) {
        area.value = itsArea;
        filter(false);
      }
    });
    filter(true);
  }

  document.querySelectorAll("select[data-places-for]").forEach(enhance);
})();
