// Proposes the browser's time zone once, by filling in and sending the zone form.
// The page works without this script: it then shows UTC and the organiser's time.
(function () {
  "use strict";
  var form = document.getElementById("zone-form");
  if (!form || form.getAttribute("data-chosen")) { return; }
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  var input = form.querySelector("input[name=tz]");
  input.value = zone;
  try {
    if (window.sessionStorage.getItem("consulta-zone-proposed")) { return; }
    window.sessionStorage.setItem("consulta-zone-proposed", "1");
  } catch (e) { return; }
  form.submit();
}());
