/* Tip form: as the reader types a claim, show earlier debunks that may already answer it.
 *
 * Progressive enhancement: without this script the form posts as usual. The suggestions
 * come from the public match API (GET /api/v1/match/?text=...&limit=3), asked at most
 * once per pause in typing; every value is written as text, and only http(s) or
 * same-site links become an href.
 */
(function () {
  "use strict";
  var box = document.querySelector("[data-tip-suggestions]");
  var form = box && box.closest("form");
  var field = form && form.querySelector("textarea[name=text]");
  if (!box || !field || !window.fetch) {
    return;
  }
  var list = box.querySelector("ul");
  var endpoint = box.getAttribute("data-match-url");
  var MIN_CHARS = 15;
  var MAX_CHARS = 1000;
  var WAIT_MS = 400;
  var timer = null;
  var asked = "";
  var pending = null;

  function safeHref(url) {
    try {
      var parsed = new URL(url, window.location.href);
      if (parsed.protocol === "http:" || parsed.protocol === "https:") {
        return parsed.href;
      }
    } catch (e) {
      /* not a URL: no link */
    }
    return null;
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (result) {
      var href = safeHref(result.url || "");
      if (!href) {
        return;
      }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = href;
      link.textContent = result.title || result.claim_reviewed || href;
      item.appendChild(link);
      if (result.rating && result.rating.label) {
        var badge = document.createElement("span");
        badge.className = "rating-badge verdict-" + String(result.rating.verdict || "other").replace(/[^a-z_-]/g, "");
        badge.textContent = result.rating.label;
        item.appendChild(document.createTextNode(" "));
        item.appendChild(badge);
      }
      list.appendChild(item);
    });
    box.hidden = list.children.length === 0;
  }

  function ask() {
    var text = field.value.trim().slice(0, MAX_CHARS);
    if (text.length < MIN_CHARS) {
      show([]);
      asked = "";
      return;
    }
    if (text === asked) {
      return;
    }
    asked = text;
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    var url = endpoint + "?limit=3&text=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" }, signal: pending.signal })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (data) {
        if (text === asked) {
          show((data && data.results) || []);
        }
      })
      .catch(function () {
        /* aborted or offline: the form still works */
      });
  }

  field.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, WAIT_MS);
  });
})();
