/*
 * The shop's chat widget: one <script src=".../static/widget.js" data-desk="..." defer> tag.
 *
 * Why it is built this way:
 * - a Shadow DOM keeps the shop's CSS out of the widget and the widget's CSS out of the shop;
 * - the conversation id lives in localStorage, so a reload shows the same conversation (the
 *   history is fetched again from the desk, which is the only source of truth), with the token
 *   the desk signed for it: sent on every call (a header over HTTP, the first frame of the
 *   WebSocket), it is what lets this browser, and no other, read and write the conversation;
 *   refused (an old conversation, another browser's id), the widget starts a new one;
 * - a WebSocket carries messages both ways; when it drops it reconnects with exponential
 *   back-off, and after a few failures the widget falls back to HTTP (long poll + POST);
 * - every message is rendered with textContent (never innerHTML): shopper and bot text are data;
 * - « Effacer cette conversation » (after a confirmation) erases the transcript on the desk and
 *   forgets it in this browser, so a shared computer does not reopen it for the next person.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector("script[data-desk]");
  if (!script || window.__bijouDeskWidget) { return; }
  window.__bijouDeskWidget = true;

  var DESK = (script.getAttribute("data-desk") || new URL(script.src).origin).replace(/\/+$/, "");
  var STORAGE_KEY = "bijou-desk-conversation:" + DESK;
  var TOKEN_KEY = "bijou-desk-token:" + DESK;
  var TOKEN_HEADER = "X-Conversation-Token";
  var WS_MAX_FAILURES = 3;
  var LABELS = { shopper: "Vous", bot: "Assistant", agent: "Conseiller", system: "Information" };

  var state = {
    id: null, token: null, cursor: 0, mode: "bot", socket: null, failures: 0, polling: false,
    waitingBot: false, started: false, lastButtons: null, retryTimer: null,
    typed: null // text sent from the input, kept there until the desk has stored it
  };

  // ---------------------------------------------------------------- DOM
  var host = document.createElement("div");
  host.id = "bijou-chat";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  var style = el("link", { rel: "stylesheet", href: DESK + "/static/widget.css" });
  var launcher = el("button", {
    type: "button", "class": "launcher", "aria-expanded": "false", "aria-controls": "bj-panel"
  });
  launcher.appendChild(el("span", { "aria-hidden": "true", "class": "launcher-icon" }, "💬"));
  launcher.appendChild(el("span", {}, "Une question ?"));

  var panel = el("section", {
    id: "bj-panel", "class": "panel", role: "dialog", "aria-labelledby": "bj-title", hidden: ""
  });
  var header = el("header", { "class": "head" });
  var title = el("h2", { id: "bj-title" }, "Service client");
  var status = el("p", { "class": "status" }, "");
  var close = el("button", { type: "button", "class": "close", "aria-label": "Fermer la discussion" }, "×");
  header.appendChild(title);
  header.appendChild(status);
  header.appendChild(close);

  var privacy = el("p", { "class": "privacy" },
    "Vos messages sont enregistrés pour traiter votre demande et peuvent être lus par un conseiller. ");
  var privacyLink = el("a", { href: DESK + "/confidentialite", target: "_blank", rel: "noopener" },
    "Vos données");
  privacy.appendChild(privacyLink);
  privacy.appendChild(document.createTextNode(" · "));
  var eraseButton = el("button", {
    type: "button", "class": "erase", "aria-expanded": "false", "aria-controls": "bj-erase"
  }, "Effacer cette conversation");
  privacy.appendChild(eraseButton);
  var eraseBox = el("div", {
    id: "bj-erase", "class": "erase-confirm", role: "group", "aria-labelledby": "bj-erase-question", hidden: ""
  });
  eraseBox.appendChild(el("p", { id: "bj-erase-question" },
    "Effacer définitivement cette conversation ? Vos messages seront supprimés de nos serveurs et de ce navigateur."));
  var eraseYes = el("button", { type: "button", "class": "erase-yes" }, "Oui, effacer");
  var eraseNo = el("button", { type: "button", "class": "erase-no" }, "Annuler");
  eraseBox.appendChild(eraseYes);
  eraseBox.appendChild(eraseNo);
  var notice = el("p", { "class": "notice", role: "status" }, "");

  var log = el("ol", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Messages de la discussion" });
  var typing = el("p", { "class": "typing", hidden: "", "aria-live": "polite" }, "");
  var error = el("p", { "class": "error", role: "alert" }, "");

  var form = el("form", { "class": "composer" });
  var label = el("label", { "for": "bj-input", "class": "sr-only" }, "Votre message");
  var input = el("textarea", {
    id: "bj-input", rows: "1", maxlength: "2000", placeholder: "Écrivez votre message…",
    autocomplete: "off"
  });
  var send = el("button", { type: "submit", "class": "send" }, "Envoyer");
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  var restart = el("button", { type: "button", "class": "restart", hidden: "" }, "Commencer une nouvelle conversation");

  [header, privacy, eraseBox, notice, log, typing, error, restart, form].forEach(function (n) { panel.appendChild(n); });
  [style, launcher, panel].forEach(function (n) { root.appendChild(n); });
  document.body.appendChild(host);

  // ---------------------------------------------------------------- rendering
  function linkify(container, text) {
    var parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
    parts.forEach(function (part, index) {
      if (index % 2 === 1) {
        var link = el("a", { href: part, target: "_blank", rel: "noopener noreferrer" }, part);
        container.appendChild(link);
      } else if (part) {
        container.appendChild(document.createTextNode(part));
      }
    });
  }

  function render(message) {
    if (message.id <= state.cursor) { return; }
    state.cursor = message.id;
    var item = el("li", { "class": "msg " + message.author, "data-id": String(message.id) });
    item.appendChild(el("span", { "class": "sr-only" }, (LABELS[message.author] || "") + " : "));
    if (message.author === "agent") {
      item.appendChild(el("span", { "class": "who", "aria-hidden": "true" }, "Conseiller"));
    }
    var body = el("span", { "class": "text" });
    linkify(body, message.text || "");
    item.appendChild(body);
    if (state.lastButtons) { state.lastButtons.remove(); state.lastButtons = null; }
    if (message.buttons && message.buttons.length) {
      var group = el("div", { "class": "quick", role: "group", "aria-label": "Réponses suggérées" });
      message.buttons.forEach(function (button) {
        var quick = el("button", { type: "button", "class": "quick-reply" }, button.title);
        quick.addEventListener("click", function () {
          sendMessage(button.title, button.payload);
          input.focus();
        });
        group.appendChild(quick);
      });
      item.appendChild(group);
      state.lastButtons = group;
    }
    log.appendChild(item);
    if (message.author !== "shopper") { setTyping(false); }
    else { typedStored(); }
    log.scrollTop = log.scrollHeight;
  }

  function setTyping(on) {
    if (on) {
      typing.textContent = state.mode === "bot" ? "L'assistant écrit…" : "Message envoyé…";
      typing.hidden = false;
    } else {
      typing.hidden = true;
      typing.textContent = "";
    }
  }

  function setMode(mode) {
    state.mode = mode;
    var closed = mode === "closed";
    input.disabled = closed;
    send.disabled = closed;
    restart.hidden = !closed;
    if (mode === "waiting_agent") { status.textContent = "En attente d'un conseiller"; }
    else if (mode === "agent") { status.textContent = "Un conseiller vous répond"; }
    else if (closed) { status.textContent = "Conversation terminée"; }
    else { status.textContent = "Assistant en ligne"; }
  }

  function showError(text) {
    error.textContent = text || "";
  }

  // ---------------------------------------------------------------- HTTP helpers
  function request(method, path, body) {
    var options = { method: method, headers: {} };
    if (state.token && path.indexOf("/api/chat/") === 0) { options.headers[TOKEN_HEADER] = state.token; }
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(DESK + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  function createConversation() {
    return request("POST", "/api/chat").then(function (result) {
      if (!result.ok) { var failure = new Error("create"); failure.detail = result.data.detail; throw failure; }
      state.id = result.data.id;
      state.token = result.data.token;
      state.cursor = 0;
      try {
        localStorage.setItem(STORAGE_KEY, state.id);
        localStorage.setItem(TOKEN_KEY, state.token);
      } catch (e) { /* private mode */ }
      setMode("bot");
    });
  }

  function loadHistory() {
    return request("GET", "/api/chat/" + encodeURIComponent(state.id) + "/messages?after=0")
      .then(function (result) {
        if (result.status === 404 || result.status === 401) { return createConversation(); }
        if (!result.ok) { throw new Error("history"); }
        result.data.messages.forEach(render);
        setMode(result.data.mode);
      });
  }

  function ensureConversation() {
    try {
      state.id = localStorage.getItem(STORAGE_KEY);
      state.token = localStorage.getItem(TOKEN_KEY);
    } catch (e) { state.id = null; }
    return state.id && state.token ? loadHistory() : createConversation();
  }

  // ---------------------------------------------------------------- transports
  function connect() {
    if (!state.id || state.socket) { return; }
    var url = DESK.replace(/^http/, "ws") + "/ws/" + encodeURIComponent(state.id) + "?after=" + state.cursor;
    var socket;
    try { socket = new WebSocket(url); } catch (e) { return fallBack(); }
    state.socket = socket;
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "auth", token: state.token })); // never in the URL: logs keep URLs
      state.failures = 0;
      state.polling = false;
      showError("");
    };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "message") { render(data.message); }
      else if (data.type === "mode") { setMode(data.mode); }
      else if (data.type === "typing") { if (data.on) { setTyping(true); } }
      else if (data.type === "error") {
        if (data.code === "not_found" || data.code === "unauthorized") {
          state.socket = null; socket.close(); typedRefused(); restartConversation();
        }
        else { showError(data.detail); setTyping(false); typedRefused(); }
      }
    };
    socket.onclose = function () {
      if (state.socket !== socket) { return; }
      typedRefused();
      state.socket = null;
      state.failures += 1;
      if (state.failures >= WS_MAX_FAILURES) { return fallBack(); }
      var delay = Math.min(1000 * Math.pow(2, state.failures), 15000);
      state.retryTimer = setTimeout(connect, delay);
    };
  }

  function fallBack() {
    if (state.polling) { return; }
    state.polling = true;
    poll();
    state.retryTimer = setTimeout(function retry() {
      // Keep trying the WebSocket now and then; it wins again as soon as it opens.
      state.failures = 0;
      connect();
    }, 60000);
  }

  function poll() {
    if (!state.polling || !state.id) { return; }
    request("GET", "/api/chat/" + encodeURIComponent(state.id) + "/messages?wait=20&after=" + state.cursor)
      .then(function (result) {
        if (result.status === 401) { state.polling = false; return restartConversation(); }
        if (result.ok) {
          result.data.messages.forEach(render);
          setMode(result.data.mode);
          if (result.data.typing) { setTyping(true); }
        }
        setTimeout(poll, result.ok ? 0 : 3000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }

  // The input is cleared only once the desk has stored the message (its own copy comes back):
  // refused or lost on the way, the text stays in the input for the shopper to send again.
  function typedStored() {
    if (state.typed === null) { return; }
    if (input.value.trim() === state.typed) { input.value = ""; }
    state.typed = null;
  }

  function typedRefused() { state.typed = null; }

  function sendMessage(text, payload, fromInput) {
    text = (text || "").trim();
    if (!text || !state.id || state.mode === "closed") { return; }
    if (fromInput) {
      if (state.typed === text) { return; } // already on its way
      state.typed = text;
    }
    showError("");
    notice.textContent = "";
    if (state.mode === "bot") { setTyping(true); }
    var body = { type: "message", text: text };
    if (payload) { body.payload = payload; }
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(body));
      return;
    }
    request("POST", "/api/chat/" + encodeURIComponent(state.id) + "/messages", { text: text, payload: payload || null })
      .then(function (result) {
        if (!result.ok) {
          setTyping(false);
          typedRefused();
          showError(result.data.detail || "Votre message n'a pas pu être envoyé, réessayez.");
          if (result.status === 401) { restartConversation(); } // the text stays in the input
          return;
        }
        if (fromInput) { typedStored(); }
        result.data.messages.forEach(render);
        if (result.data.mode) { setMode(result.data.mode); }
        setTyping(false);
      })
      .catch(function () {
        setTyping(false);
        typedRefused();
        showError("Connexion impossible pour le moment. Vérifiez votre réseau et réessayez.");
      });
  }

  function restartConversation() {
    try {
      localStorage.removeItem(STORAGE_KEY);
      localStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* ignore */ }
    state.token = null;
    if (state.socket) { var s = state.socket; state.socket = null; s.close(); }
    while (log.firstChild) { log.removeChild(log.firstChild); }
    state.cursor = 0;
    state.lastButtons = null;
    return createConversation().then(function () { connect(); input.focus(); }).catch(function (e) {
      showError((e && e.detail) || "Le service de discussion est indisponible pour le moment. Réessayez plus tard.");
    });
  }

  // ---------------------------------------------------------------- erasing the conversation
  function askErase() {
    eraseBox.hidden = false;
    eraseButton.setAttribute("aria-expanded", "true");
    eraseYes.focus();
  }

  function cancelErase() {
    eraseBox.hidden = true;
    eraseButton.setAttribute("aria-expanded", "false");
    eraseButton.focus();
  }

  function eraseConversation() {
    if (!state.id) { return cancelErase(); }
    eraseYes.disabled = true;
    request("POST", "/api/chat/" + encodeURIComponent(state.id) + "/erase")
      .then(function (result) {
        eraseYes.disabled = false;
        // 401: this browser no longer holds the conversation (it cannot show it either).
        var forgotten = result.status === 404 || result.status === 401;
        if (!result.ok && !forgotten) {
          showError(result.data.detail || "L'effacement n'a pas abouti, réessayez dans un instant.");
          return;
        }
        eraseBox.hidden = true;
        eraseButton.setAttribute("aria-expanded", "false");
        showError("");
        setTyping(false);
        restartConversation();
        notice.textContent = result.status === 401 ? result.data.detail : "Votre conversation a été effacée.";
      })
      .catch(function () {
        eraseYes.disabled = false;
        showError("Connexion impossible pour le moment. Vérifiez votre réseau et réessayez.");
      });
  }

  // ---------------------------------------------------------------- opening and events
  function start() {
    if (state.started) { return Promise.resolve(); }
    state.started = true;
    request("GET", "/api/widget/config").then(function (result) {
      if (!result.ok) { return; }
      title.textContent = "Service client · " + result.data.shop;
      if (result.data.privacy_url) { privacyLink.href = new URL(result.data.privacy_url, DESK + "/").href; }
    }).catch(function () { /* keep the defaults */ });
    return ensureConversation().then(connect).catch(function (e) {
      state.started = false;
      showError((e && e.detail) || "Le service de discussion est indisponible pour le moment. Réessayez plus tard.");
    });
  }

  function openPanel(takeFocus) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    host.classList.add("open");
    start();
    if (takeFocus !== false) { input.focus(); }
  }

  function closePanel() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    host.classList.remove("open");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) { openPanel(); } else { closePanel(); } });
  close.addEventListener("click", closePanel);
  restart.addEventListener("click", restartConversation);
  eraseButton.addEventListener("click", function () { if (eraseBox.hidden) { askErase(); } else { cancelErase(); } });
  eraseYes.addEventListener("click", eraseConversation);
  eraseNo.addEventListener("click", cancelErase);
  eraseBox.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.stopPropagation(); cancelErase(); }
  });
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") { closePanel(); } });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendMessage(input.value, null, true);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  // A shopper who already talked gets the conversation back, open, after a reload.
  try { if (localStorage.getItem(STORAGE_KEY)) { openPanel(false); } } catch (e) { /* ignore */ }
})();
