/*
 * Live console: the pages work without it (plain forms); this adds long-polled updates of the
 * queue and of the open conversation, canned answers into the reply box, and replies sent
 * without reloading. Text is always inserted with textContent.
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

  if (page === "queue") { pollQueue(); }
  if (page === "conversation") { conversationPage(); }
})();
