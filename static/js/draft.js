/* estapp: keep what is typed into an observation form as a draft on the server.
 *
 * Progressive enhancement: without JavaScript the form works the same, only without drafts.
 * About a second after the last keystroke the whole form (with its CSRF token) is posted to the
 * form's data-draft-url; the server answers with a short Swedish message for the status line.
 */
(function () {
  "use strict";

  var DELAY_MS = 1000;

  function enhance(form) {
    var status = form.querySelector("[data-draft-status]");
    var timer = null;
    var submitting = false;

    function show(text) {
      if (status && text) {
        status.textContent = text;
      }
    }

    function save(keepalive) {
      timer = null;
      if (submitting) {
        return;
      }
      var request;
      try {
        request = fetch(form.getAttribute("data-draft-url"), {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          keepalive: Boolean(keepalive)
        });
      } catch (error) {
        show(form.getAttribute("data-draft-failed"));
        return;
      }
      request
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (answer) {
          show(answer.message);
        })
        .catch(function () {
          show(form.getAttribute("data-draft-failed"));
        });
    }

    function schedule() {
      if (timer !== null) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(save, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function () {
      submitting = true;
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
    });
    // Closing the tab within the second after typing must not lose the last words.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && timer !== null) {
        window.clearTimeout(timer);
        save(true);
      }
    });
  }

  document.querySelectorAll("form[data-draft-url]").forEach(enhance);
})();
