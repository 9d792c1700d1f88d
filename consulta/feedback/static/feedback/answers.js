// Saves a recommendation's answer without reloading the page: sends its form with fetch
// (asking for JSON) and shows "Saved" beside its button. The page works without this script:
// the form is then sent the usual way and the page comes back at the same recommendation.
// When the answer cannot be saved as typed, the form is sent the usual way so that the page
// shows the errors at their fields.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) { return; }

  function setStatus(form, text, isError) {
    var status = form.querySelector("[data-save-status]");
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function finish(form) {
    form.removeAttribute("aria-busy");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = false; }
  }

  function applySaved(form, data) {
    var key = form.querySelector("input[name=submission_key]");
    if (key && data.submission_key) { key.value = data.submission_key; }
    var diff = form.querySelector("[data-diff]");
    if (diff && typeof data.diff_html === "string") { diff.innerHTML = data.diff_html; }
    setStatus(form, data.message || "", false);
  }

  function send(form) {
    form.setAttribute("aria-busy", "true");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    setStatus(form, form.getAttribute("data-saving") || "", false);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }).then(function (result) {
      finish(form);
      if (result.ok && result.data.saved) {
        applySaved(form, result.data);
      } else if (result.status !== 400 && result.data.error) {
        setStatus(form, result.data.error.message, true);
      } else {
        form.submit();
      }
    }).catch(function () {
      finish(form);
      form.submit();
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-answer-form]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.getAttribute("aria-busy") !== "true") { send(form); }
    });
    // Once the answer is edited again, "Saved" no longer describes it.
    form.addEventListener("input", function () { setStatus(form, "", false); });
  });
}());
