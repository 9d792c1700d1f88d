/* Live capture: keyboard shortcuts for the form, and the list of points kept up to date.

   The page works without this file (the form posts, a "Refresh" link reloads the list); here:
   - Alt+1 … Alt+4 choose a stance, Alt+R/G/C/A/N go to recommendation, group, country,
     "attribute to" and note, Ctrl+Enter (or Cmd+Enter) saves. Plain typing is never caught,
     so the note's textarea behaves as usual (Enter makes a new line).
   - Every 5 seconds the list asks points.json whether anything changed (cheap when nothing
     did) and redraws itself with textContent only: data never becomes markup. */
(function () {
  "use strict";

  var FIELDS = { KeyR: "id_recommendation", KeyG: "id_stakeholder_group", KeyC: "id_country",
                 KeyA: "id_attributed_to", KeyN: "id_note" };
  var POLL_MS = 5000;

  function setUpShortcuts(form) {
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.isComposing) return;
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
        if (!form.contains(document.activeElement) && document.activeElement !== document.body) return;
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
        return;
      }
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      var digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code || "");
      if (digit) {
        var radio = form.querySelector('input[type=radio][data-shortcut="' + digit[1] + '"]');
        if (radio) {
          event.preventDefault();
          radio.checked = true;
          radio.dispatchEvent(new Event("change", { bubbles: true }));
          var label = form.querySelector('label[for="' + radio.id + '"]');
          announce(label ? label.firstChild.textContent.trim() : radio.value);
        }
        return;
      }
      var target = FIELDS[event.code] && document.getElementById(FIELDS[event.code]);
      if (target) {
        event.preventDefault();
        target.focus();
      }
    });
  }

  var status = null;
  function announce(text) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function actionLink(href, text, point) {
    var link = element("a", text);
    link.href = href;
    link.appendChild(element("span", " " + point.time + " " + point.recommendation_label, "visually-hidden"));
    return link;
  }

  function row(point, texts) {
    var tr = document.createElement("tr");
    tr.dataset.point = String(point.id);
    var timeCell = document.createElement("td");
    var time = element("time", point.time);
    time.setAttribute("datetime", point.created_at);
    timeCell.appendChild(time);
    tr.appendChild(timeCell);
    tr.appendChild(element("td", point.recommendation_label || texts.textGeneral));
    tr.appendChild(element("td", point.stakeholder_group_label));
    tr.appendChild(element("td", point.country_label));
    tr.appendChild(element("td", point.stance_label, "stance stance-" + point.stance));
    var note = element("td", null, "note");
    if (point.hidden) note.appendChild(element("em", texts.textHidden));
    else note.textContent = point.note;
    tr.appendChild(note);
    tr.appendChild(element("td", point.attributed_to || "—"));
    tr.appendChild(element("td", point.author));
    var actions = document.createElement("td");
    if (point.can_change && point.edit_url && point.delete_url) {
      actions.appendChild(actionLink(point.edit_url, texts.textEdit, point));
      actions.appendChild(document.createTextNode(" · "));
      actions.appendChild(actionLink(point.delete_url, texts.textDelete, point));
    }
    tr.appendChild(actions);
    return tr;
  }

  function render(section, body, data, known) {
    var texts = section.dataset;
    var focused = body.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
    var rows = data.points.map(function (point) {
      var tr = row(point, texts);
      if (known && !known.has(point.id)) tr.className = "fresh";
      return tr;
    });
    if (!rows.length) {
      var empty = document.createElement("tr");
      var cell = element("td", texts.textNone);
      cell.colSpan = 9;
      empty.appendChild(cell);
      rows = [empty];
    }
    body.replaceChildren.apply(body, rows);
    var count = document.getElementById("points-count");
    if (count) count.textContent = String(data.points.length);
    if (focused) {
      var again = body.querySelector('a[href="' + CSS.escape(focused) + '"]');
      if (again) again.focus();
    }
  }

  function setUpPolling(section) {
    var body = document.getElementById("points-body");
    if (!body || !window.fetch) return;
    var url = section.dataset.pointsUrl;
    var etag = section.dataset.etag;
    var known = new Set(Array.prototype.map.call(body.querySelectorAll("tr[data-point]"), function (tr) {
      return Number(tr.dataset.point);
    }));
    var wasOpen = true;
    var note = document.getElementById("live-note");
    if (note) note.hidden = false;

    function poll() {
      fetch(url + "?since=" + encodeURIComponent(etag), {
        credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || !data.etag) return;
          etag = data.etag;
          if (wasOpen && data.capture_open === false) announce(section.dataset.textClosed);
          wasOpen = data.capture_open !== false;
          if (!data.changed) return;
          render(section, body, data, known);
          var ids = new Set(data.points.map(function (p) { return p.id; }));
          var changed = ids.size !== known.size || data.points.some(function (p) { return !known.has(p.id); });
          known = ids;
          if (changed) announce(section.dataset.textUpdated);
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ })
        .then(function () { window.setTimeout(poll, POLL_MS); });
    }
    window.setTimeout(poll, POLL_MS);
  }

  function start() {
    status = document.getElementById("points-status");
    var form = document.getElementById("capture-form");
    if (form) setUpShortcuts(form);
    var section = document.getElementById("points");
    if (section) setUpPolling(section);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
