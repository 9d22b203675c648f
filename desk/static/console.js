/*
 * Live console: the pages work without it (plain forms); this adds long-polled updates of the
 * queue and of the open conversation, canned answers into the reply box, replies sent
 * without reloading, and the review inbox's keyboard shortcuts (written on that page). Text is
 * always inserted with textContent.
 */
(function () {
  "use strict";
  var main = document.getElementById("contenu");
  if (!main) { return; }
  var page = main.getAttribute("data-page");
  var WHO = { shopper: "Client", bot: "Assistant", agent: "Conseiller", system: "Système" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.href = "/console/login?next=" + encodeURIComponent(location.pathname); }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  // ------------------------------------------------------------------ queue
  function renderQueue(rows) {
    var holder = document.getElementById("queue");
    holder.textContent = "";
    if (!rows.length) { holder.appendChild(el("p", "empty", "Aucune conversation en attente.")); return; }
    var table = el("table", "queue");
    var head = el("thead");
    var headRow = el("tr");
    ["Priorité", "Motif", "Dernier message", "Dossier", "À traiter avant", "État", ""].forEach(function (label) {
      var th = el("th", "", label); th.scope = "col"; headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr", row.overdue ? "overdue" : "");
      [row.priority_label, row.reason_label, row.last_text, row.ticket || "—",
        row.due + (row.overdue ? " (en retard)" : ""),
        row.mode_label + (row.claimed_by ? " (" + row.claimed_by + ")" : "")].forEach(function (value) {
        tr.appendChild(el("td", "", value));
      });
      var cell = el("td");
      var link = el("a", "open", "Ouvrir");
      link.href = "/console/conversations/" + encodeURIComponent(row.conversation_id);
      cell.appendChild(link);
      tr.appendChild(cell);
      body.appendChild(tr);
    });
    table.appendChild(body);
    holder.appendChild(table);
  }

  function pollQueue() {
    getJSON("/console/api/queue?wait=20")
      .then(function (data) { renderQueue(data.queue); setTimeout(pollQueue, 500); })
      .catch(function () { setTimeout(pollQueue, 5000); });
  }

  // ------------------------------------------------------------------ conversation
  function conversationPage() {
    var id = main.getAttribute("data-conversation");
    var csrf = main.getAttribute("data-csrf");
    var mode = main.getAttribute("data-mode");
    var last = parseInt(main.getAttribute("data-last-id") || "0", 10);
    var transcript = document.getElementById("transcript");
    var typing = document.getElementById("typing");
    var reply = document.getElementById("reply-form");
    var text = document.getElementById("reply-text");
    var canned = document.getElementById("canned");

    function append(message) {
      if (message.id <= last) { return; }
      last = message.id;
      var item = el("li", "msg " + message.author);
      item.setAttribute("data-id", String(message.id));
      item.appendChild(el("span", "who", (WHO[message.author] || "") + (message.agent ? " (" + message.agent + ")" : "")));
      item.appendChild(el("span", "text", message.text));
      if (message.buttons && message.buttons.length) {
        item.appendChild(el("span", "buttons", "Boutons : " + message.buttons.map(function (b) { return "[" + b.title + "]"; }).join(" ")));
      }
      if (message.intent) {
        var confidence = message.confidence === null ? "" : " · " + Math.round(message.confidence * 100) + " %";
        item.appendChild(el("span", "intent", message.intent + confidence));
      }
      transcript.appendChild(item);
      item.scrollIntoView({ block: "nearest" });
    }

    function poll() {
      getJSON("/console/api/conversations/" + encodeURIComponent(id) + "?wait=20&after=" + last)
        .then(function (data) {
          data.messages.forEach(append);
          if (typing) { typing.hidden = !data.typing; }
          if (data.mode !== mode && !(text && text.value.trim())) { window.location.reload(); return; }
          setTimeout(poll, 300);
        })
        .catch(function () { setTimeout(poll, 5000); });
    }

    transcript.scrollTop = transcript.scrollHeight;

    if (canned && text) {
      canned.addEventListener("change", function () {
        var option = canned.options[canned.selectedIndex];
        if (option && option.getAttribute("data-text")) {
          text.value = option.getAttribute("data-text");
          text.focus();
        }
      });
    }

    if (reply && text) {
      reply.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = { text: text.value, canned: canned ? canned.value : "" };
        fetch(reply.action, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify(body)
        }).then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        }).then(function (result) {
          var alert = document.getElementById("reply-error");
          if (!alert) {
            alert = el("p", "error");
            alert.id = "reply-error";
            alert.setAttribute("role", "alert");
            reply.appendChild(alert);
          }
          if (!result.ok) { alert.textContent = result.data.detail || "Envoi impossible."; return; }
          alert.textContent = "";
          text.value = "";
          if (canned) { canned.value = ""; }
          if (mode === "waiting_agent") { window.location.reload(); }
          text.focus();
        });
      });
      text.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { reply.requestSubmit(); }
      });
    }
    poll();
  }

  // ------------------------------------------------------------------ review inbox
  // j/k or arrows move between groups, 1-3 confirm a suggestion, o out of scope, n new FAQ
  // entry, / search, u undo: each key presses the group's own button, so the request is the
  // same as a click (POST, then the page comes back on the next group).
  function reviewPage() {
    var groups = Array.prototype.slice.call(document.querySelectorAll(".group"));
    var undo = document.getElementById("undo");
    var current = -1;
    var sent = false;

    function select(index) {
      if (!groups.length) { return; }
      index = Math.max(0, Math.min(groups.length - 1, index));
      if (current >= 0 && groups[current]) { groups[current].classList.remove("current"); }
      current = index;
      groups[current].classList.add("current");
      if (!groups[current].contains(document.activeElement)) {
        groups[current].focus();
        groups[current].scrollIntoView({ block: "nearest" });
      }
    }

    function press(button) {
      if (!button || sent) { return; }
      sent = true;  // one label per key press, even when the key repeats
      // The POST navigates; should it not (refused before sending), the keys come back.
      setTimeout(function () { sent = false; }, 3000);
      button.click();
    }
    // A page restored by the browser's back button is live again.
    window.addEventListener("pageshow", function () { sent = false; });

    groups.forEach(function (group, index) {
      group.addEventListener("focusin", function () {
        if (current !== index) { if (current >= 0) { groups[current].classList.remove("current"); } current = index; group.classList.add("current"); }
      });
    });

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var target = event.target;
      var typing = target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable);
      if (typing) {
        if (event.key === "Escape" && current >= 0) { target.blur(); groups[current].focus(); }
        return;
      }
      var group = groups[current];
      var key = event.key;
      if (key === "j" || key === "ArrowDown") { select(current + 1); }
      else if (key === "k" || key === "ArrowUp") { select(current - 1); }
      else if (key === "u") { press(undo); }
      else if (!group) { return; }
      else if (key === "/") { group.querySelector("[data-search]").focus(); }
      else if (/^[1-3on]$/.test(key)) { press(group.querySelector('[data-shortcut="' + key + '"]')); }
      else { return; }
      event.preventDefault();
    });

    var start = 0;
    if (location.hash) {
      var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target && groups.indexOf(target) >= 0) { start = groups.indexOf(target); }
    }
    select(start);
  }

  if (page === "queue") { pollQueue(); }
  if (page === "conversation") { conversationPage(); }
  if (page === "review") { reviewPage(); }
})();
