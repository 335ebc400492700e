/* Claim queue filters (outlet, channel, assignee): search by name instead of typing an id.
 *
 * Progressive enhancement of claims/queue_choosers.py's widget: without this script the
 * filter is a plain id input. With it, the id input is hidden and a search box asks the
 * chooser endpoint (GET <data-chooser-url>?q=...) for at most 20 matches after a pause in
 * typing; choosing one sets the id and fires "change", so Wagtail's filter form refreshes
 * the list. Every label is written as text. The search box's own input events stop here,
 * so typing in it does not refresh the list.
 */
(function () {
  "use strict";
  var WAIT_MS = 250;

  function upgrade(root) {
    if (root.hasAttribute("data-claim-chooser-ready") || !window.fetch) {
      return;
    }
    root.setAttribute("data-claim-chooser-ready", "");
    var idBox = root.querySelector("[data-claim-chooser-id]");
    var idInput = idBox && idBox.querySelector("input");
    var search = root.querySelector("[data-claim-chooser-search]");
    var query = root.querySelector("[data-claim-chooser-query]");
    var results = root.querySelector("[data-claim-chooser-results]");
    var empty = root.querySelector("[data-claim-chooser-empty]");
    var label = root.querySelector("[data-claim-chooser-label]");
    var clear = root.querySelector("[data-claim-chooser-clear]");
    var url = root.getAttribute("data-chooser-url");
    if (!idInput || !search || !query || !results || !url) {
      return;
    }
    idBox.hidden = true;
    search.hidden = false;
    var timer = null;
    var asked = null;
    var pending = null;

    function show(rows) {
      results.textContent = "";
      rows.forEach(function (row) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = String(row.label);
        button.setAttribute("data-id", String(row.id));
        item.appendChild(button);
        results.appendChild(item);
      });
      empty.hidden = rows.length > 0;
    }

    function ask() {
      var text = query.value.trim();
      if (text === asked) {
        return;
      }
      asked = text;
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          show(Array.isArray(data.results) ? data.results : []);
        })
        .catch(function () {
          /* aborted or offline: keep what is shown */
        });
    }

    function choose(id, text) {
      idInput.value = id;
      label.textContent = text;
      label.hidden = !text;
      results.textContent = "";
      empty.hidden = true;
      query.value = "";
      asked = null;
      idInput.dispatchEvent(new Event("change", { bubbles: true }));
    }

    ["input", "change", "keyup"].forEach(function (name) {
      query.addEventListener(name, function (event) {
        event.stopPropagation();
        if (name === "input") {
          window.clearTimeout(timer);
          timer = window.setTimeout(ask, WAIT_MS);
        }
      });
    });
    query.addEventListener("focus", ask);
    query.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var first = results.querySelector("button");
        if (first) {
          choose(first.getAttribute("data-id"), first.textContent);
        }
      }
    });
    results.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-id]");
      if (button) {
        choose(button.getAttribute("data-id"), button.textContent);
      }
    });
    if (clear) {
      clear.addEventListener("click", function () {
        choose("", "");
      });
    }
  }

  function upgradeAll(node) {
    if (node.querySelectorAll) {
      node.querySelectorAll("[data-claim-chooser]").forEach(upgrade);
    }
  }

  upgradeAll(document);
  // Wagtail re-renders the filter drawer when a filter pill is removed.
  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      mutation.addedNodes.forEach(upgradeAll);
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
