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
 * - its French texts are one generated block (TEXTS, from shop/voice/shopper.yml: python -m
 *   desk.widget_texts), inside this file: the widget still speaks when the desk is unreachable;
 * - « Effacer cette conversation » (after a confirmation) erases the transcript on the desk and
 *   forgets it in this browser, so a shared computer does not reopen it for the next person;
 * - the latest bot answer that asks for a rating gets 👍 / 👎 (one tap stores it; after 👎 an
 *   optional comment), and the notice closing a conversation an agent handled gets a 1–5
 *   radio group with an optional comment; what was given comes back with the history, so a
 *   reload shows it, and a failed send keeps the choice and says so.
 */
(function () {
  "use strict";

  // BEGIN texts generated from shop/voice/shopper.yml (python -m desk.widget_texts): do not edit
  var TEXTS = {
    "launcher": "Une question ?",
    "title": "Service client",
    "close": "Fermer la discussion",
    "privacy": "Vos messages sont enregistrés pour traiter votre demande et peuvent être lus par un conseiller.",
    "privacy_link": "Vos données",
    "erase": "Effacer cette conversation",
    "erase_question": "Effacer définitivement cette conversation ? Vos messages seront supprimés de nos serveurs et de ce navigateur.",
    "erase_yes": "Oui, effacer",
    "erase_no": "Annuler",
    "log": "Messages de la discussion",
    "input_label": "Votre message",
    "input_placeholder": "Écrivez votre message…",
    "send": "Envoyer",
    "restart": "Commencer une nouvelle conversation",
    "author_shopper": "Vous",
    "author_bot": "Assistant",
    "author_agent": "Conseiller",
    "author_system": "Information",
    "quick_replies": "Réponses suggérées",
    "status_bot": "Assistant en ligne",
    "status_waiting_agent": "En attente d'un conseiller",
    "status_agent": "Un conseiller vous répond",
    "status_closed": "Conversation terminée",
    "typing_bot": "L'assistant écrit…",
    "typing_agent": "Message envoyé…",
    "not_sent": "Votre message n'a pas pu être envoyé, réessayez.",
    "offline": "Connexion impossible pour le moment. Vérifiez votre réseau et réessayez.",
    "unavailable": "Le service de discussion est indisponible pour le moment. Réessayez plus tard.",
    "erase_failed": "L'effacement n'a pas abouti, réessayez dans un instant.",
    "erased": "Votre conversation a été effacée.",
    "answer_question": "Cette réponse vous a-t-elle aidé ?",
    "thumb_up": "👍 Oui",
    "thumb_up_label": "Oui, cette réponse m'a aidé",
    "thumb_down": "👎 Non",
    "thumb_down_label": "Non, elle ne m'a pas aidé",
    "answer_comment_label": "Qu'est-ce qui vous a manqué ? (facultatif)",
    "answer_comment_send": "Envoyer le commentaire",
    "comment_skip": "Passer",
    "agent_question": "Comment évaluez-vous l'aide de notre conseiller ?",
    "score_1": "1 sur 5, pas du tout satisfait",
    "score_2": "2 sur 5",
    "score_3": "3 sur 5",
    "score_4": "4 sur 5",
    "score_5": "5 sur 5, très satisfait",
    "score_hint": "1 : pas satisfait · 5 : très satisfait",
    "agent_comment_label": "Un commentaire ? (facultatif)",
    "agent_comment_send": "Envoyer mon avis",
    "score_missing": "Choisissez une note de 1 à 5.",
    "rating_sending": "Envoi…",
    "rating_thanks": "Merci pour votre avis.",
    "comment_thanks": "Merci, votre commentaire nous aide à nous améliorer.",
    "rating_not_sent": "Votre avis n'a pas pu être envoyé : votre choix est gardé, réessayez."
  };
  // END texts

  var script = document.currentScript || document.querySelector("script[data-desk]");
  if (!script || window.__bijouDeskWidget) { return; }
  window.__bijouDeskWidget = true;

  var DESK = (script.getAttribute("data-desk") || new URL(script.src).origin).replace(/\/+$/, "");
  var STORAGE_KEY = "bijou-desk-conversation:" + DESK;
  var TOKEN_KEY = "bijou-desk-token:" + DESK;
  var TOKEN_HEADER = "X-Conversation-Token";
  var WS_MAX_FAILURES = 3;
  var LABELS = {
    shopper: TEXTS.author_shopper, bot: TEXTS.author_bot, agent: TEXTS.author_agent,
    system: TEXTS.author_system
  };

  var state = {
    id: null, token: null, cursor: 0, mode: "bot", socket: null, failures: 0, polling: false,
    waitingBot: false, started: false, lastButtons: null, retryTimer: null, lastAsk: null,
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
  launcher.appendChild(el("span", {}, TEXTS.launcher));

  var panel = el("section", {
    id: "bj-panel", "class": "panel", role: "dialog", "aria-labelledby": "bj-title", hidden: ""
  });
  var header = el("header", { "class": "head" });
  var title = el("h2", { id: "bj-title" }, TEXTS.title);
  var status = el("p", { "class": "status" }, "");
  var close = el("button", { type: "button", "class": "close", "aria-label": TEXTS.close }, "×");
  header.appendChild(title);
  header.appendChild(status);
  header.appendChild(close);

  var privacy = el("p", { "class": "privacy" },
    TEXTS.privacy + " ");
  var privacyLink = el("a", { href: DESK + "/confidentialite", target: "_blank", rel: "noopener" },
    TEXTS.privacy_link);
  privacy.appendChild(privacyLink);
  privacy.appendChild(document.createTextNode(" · "));
  var eraseButton = el("button", {
    type: "button", "class": "erase", "aria-expanded": "false", "aria-controls": "bj-erase"
  }, TEXTS.erase);
  privacy.appendChild(eraseButton);
  var eraseBox = el("div", {
    id: "bj-erase", "class": "erase-confirm", role: "group", "aria-labelledby": "bj-erase-question", hidden: ""
  });
  eraseBox.appendChild(el("p", { id: "bj-erase-question" },
    TEXTS.erase_question));
  var eraseYes = el("button", { type: "button", "class": "erase-yes" }, TEXTS.erase_yes);
  var eraseNo = el("button", { type: "button", "class": "erase-no" }, TEXTS.erase_no);
  eraseBox.appendChild(eraseYes);
  eraseBox.appendChild(eraseNo);
  var notice = el("p", { "class": "notice", role: "status" }, "");

  var log = el("ol", { "class": "log", role: "log", "aria-live": "polite", "aria-label": TEXTS.log });
  var typing = el("p", { "class": "typing", hidden: "", "aria-live": "polite" }, "");
  var error = el("p", { "class": "error", role: "alert" }, "");

  var form = el("form", { "class": "composer" });
  var label = el("label", { "for": "bj-input", "class": "sr-only" }, TEXTS.input_label);
  var input = el("textarea", {
    id: "bj-input", rows: "1", maxlength: "2000", placeholder: TEXTS.input_placeholder,
    autocomplete: "off"
  });
  var send = el("button", { type: "submit", "class": "send" }, TEXTS.send);
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  var restart = el("button", { type: "button", "class": "restart", hidden: "" }, TEXTS.restart);

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
      item.appendChild(el("span", { "class": "who", "aria-hidden": "true" }, TEXTS.author_agent));
    }
    var body = el("span", { "class": "text" });
    linkify(body, message.text || "");
    item.appendChild(body);
    if (state.lastButtons) { state.lastButtons.remove(); state.lastButtons = null; }
    if (message.buttons && message.buttons.length) {
      var group = el("div", { "class": "quick", role: "group", "aria-label": TEXTS.quick_replies });
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
    if (message.feedback) { askRating(item, message); }
    log.appendChild(item);
    if (message.author !== "shopper") { setTyping(false); }
    else { typedStored(); }
    log.scrollTop = log.scrollHeight;
  }

  function setTyping(on) {
    if (on) {
      typing.textContent = state.mode === "bot" ? TEXTS.typing_bot : TEXTS.typing_agent;
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
    if (restart.hidden === closed) {
      restart.hidden = !closed;
      log.scrollTop = log.scrollHeight; // the button took room: the latest message stays in view
    }
    if (mode === "waiting_agent") { status.textContent = TEXTS.status_waiting_agent; }
    else if (mode === "agent") { status.textContent = TEXTS.status_agent; }
    else if (closed) { status.textContent = TEXTS.status_closed; }
    else { status.textContent = TEXTS.status_bot; }
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
          showError(result.data.detail || TEXTS.not_sent);
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
        showError(TEXTS.offline);
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
    state.lastAsk = null;
    return createConversation().then(function () { connect(); input.focus(); }).catch(function (e) {
      showError((e && e.detail) || TEXTS.unavailable);
    });
  }

  // ---------------------------------------------------------------- ratings
  var THANKS = TEXTS.rating_thanks;
  var NOT_SENT = TEXTS.rating_not_sent;
  var AGENT_SCORES = [TEXTS.score_1, TEXTS.score_2, TEXTS.score_3, TEXTS.score_4, TEXTS.score_5];

  function sendRating(body) {
    return request("POST", "/api/chat/" + encodeURIComponent(state.id) + "/feedback", body)
      .catch(function () { return { ok: false, status: 0, data: {} }; });
  }

  // One box per message that asks; its status line is reserved from the start (no jump).
  function ratingBox(item, message, question) {
    var key = "bj-rate-" + message.id;
    var box = el("div", { "class": "rating", role: "group", "aria-labelledby": key + "-q" });
    box.appendChild(el("p", { id: key + "-q", "class": "rating-q" }, question));
    var line = el("p", { "class": "rating-status", role: "status", "aria-live": "polite" }, "");
    return { key: key, box: box, status: line, item: item };
  }

  function tell(rating, text, failed) {
    rating.status.textContent = text || "";
    rating.status.classList.toggle("failed", !!failed);
  }

  function commentForm(rating, message, kind, onSent, withScore) {
    var form = el("form", { "class": "rating-comment" });
    var field = el("textarea", { id: rating.key + "-c", rows: "2", maxlength: "1000" });
    form.appendChild(el("label", { "for": rating.key + "-c" },
      kind === "agent" ? TEXTS.agent_comment_label : TEXTS.answer_comment_label));
    form.appendChild(field);
    var actions = el("div", { "class": "rating-actions" });
    var submit = el("button", { type: "submit", "class": "rating-send" },
      kind === "agent" ? TEXTS.agent_comment_send : TEXTS.answer_comment_send);
    actions.appendChild(submit);
    if (kind !== "agent") {
      var skip = el("button", { type: "button", "class": "rating-skip" }, TEXTS.comment_skip);
      skip.addEventListener("click", function () { form.hidden = true; input.focus(); });
      actions.appendChild(skip);
    }
    form.appendChild(actions);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = field.value.trim();
      var body = kind === "agent" ? { kind: "agent" } : { message_id: message.id };
      var score = withScore ? withScore() : null;
      if (score !== null) { body.score = score; }
      if (text) { body.comment = text; }
      if (kind === "agent" && score === null) { return tell(rating, TEXTS.score_missing, true); }
      if (score === null && !text) { form.hidden = true; input.focus(); return; } // nothing to add
      submit.disabled = true;
      sendRating(body).then(function (result) {
        submit.disabled = false;
        if (!result.ok) {
          tell(rating, (result.status && result.data.detail) || NOT_SENT, true);
          return;
        }
        form.hidden = true;
        tell(rating, text ? TEXTS.comment_thanks : THANKS, false);
        onSent(result.data.feedback);
      });
    });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : submit.click();
      } else if (event.key === "Escape" && kind !== "agent") {
        event.stopPropagation();
        form.hidden = true;
        input.focus();
      }
    });
    return form;
  }

  function askRating(item, message) {
    if (message.feedback.kind === "agent") { return askAgentRating(item, message); }
    if (state.lastAsk && !state.lastAsk.given) { state.lastAsk.box.remove(); }
    var rating = ratingBox(item, message, TEXTS.answer_question);
    var feedback = message.feedback;
    var choices = el("div", { "class": "rating-choices" });
    var up = el("button", { type: "button", "class": "thumb", "aria-label": TEXTS.thumb_up_label,
      "aria-pressed": "false" }, TEXTS.thumb_up);
    var down = el("button", { type: "button", "class": "thumb", "aria-label": TEXTS.thumb_down_label,
      "aria-pressed": "false" }, TEXTS.thumb_down);
    choices.appendChild(up);
    choices.appendChild(down);
    rating.box.appendChild(choices);
    rating.box.appendChild(rating.status);
    var comment = commentForm(rating, message, "answer", function () {}, null);
    comment.hidden = true;
    rating.box.appendChild(comment);
    rating.given = feedback.given;

    function settle(score) {
      up.setAttribute("aria-pressed", String(score === 1));
      down.setAttribute("aria-pressed", String(score === -1));
      up.disabled = down.disabled = true;
      rating.given = true;
    }
    function choose(score) {
      up.setAttribute("aria-pressed", String(score === 1));
      down.setAttribute("aria-pressed", String(score === -1));
      up.disabled = down.disabled = true;
      tell(rating, TEXTS.rating_sending, false);
      sendRating({ message_id: message.id, score: score }).then(function (result) {
        if (!result.ok && result.status !== 409) {
          up.disabled = down.disabled = false; // the choice stays marked: one tap sends it again
          tell(rating, (result.status && result.data.detail) || NOT_SENT, true);
          return;
        }
        settle(score);
        tell(rating, result.ok ? THANKS : result.data.detail, false);
        if (result.ok && score === -1) {
          comment.hidden = false;
          comment.scrollIntoView({ block: "nearest" });
          comment.querySelector("textarea").focus();
        }
      });
    }
    up.addEventListener("click", function () { choose(1); });
    down.addEventListener("click", function () { choose(-1); });
    if (feedback.given) {
      settle(feedback.score);
      tell(rating, THANKS, false);
    }
    item.appendChild(rating.box);
    state.lastAsk = rating;
  }

  function askAgentRating(item, message) {
    var rating = ratingBox(item, message, TEXTS.agent_question);
    var feedback = message.feedback;
    var group = el("div", { "class": "rating-scale", role: "radiogroup", "aria-labelledby": rating.key + "-q" });
    var chosen = feedback.given ? feedback.score : null;
    var radios = AGENT_SCORES.map(function (name, index) {
      var radio = el("button", { type: "button", role: "radio", "class": "score", "aria-label": name,
        "aria-checked": "false", tabindex: index === 0 ? "0" : "-1" }, String(index + 1));
      radio.addEventListener("click", function () { check(index + 1, true); });
      radio.addEventListener("keydown", function (event) {
        var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        if (step === undefined && event.key !== "Home" && event.key !== "End") { return; }
        event.preventDefault();
        var next = event.key === "Home" ? 1 : event.key === "End" ? 5 : ((index + step + 5) % 5) + 1;
        check(next, true);
      });
      group.appendChild(radio);
      return radio;
    });
    function check(score, focus) {
      if (rating.given) { return; }
      chosen = score;
      radios.forEach(function (radio, index) {
        radio.setAttribute("aria-checked", String(index + 1 === score));
        radio.setAttribute("tabindex", index + 1 === score ? "0" : "-1");
      });
      if (focus) { radios[score - 1].focus(); }
    }
    rating.box.appendChild(group);
    rating.box.appendChild(el("p", { "class": "rating-hint", "aria-hidden": "true" }, TEXTS.score_hint));
    rating.box.appendChild(rating.status);
    var comment = commentForm(rating, message, "agent", function () {
      rating.given = true;
      radios.forEach(function (radio) { radio.setAttribute("aria-disabled", "true"); });
    }, function () { return chosen; });
    rating.box.appendChild(comment);
    if (feedback.given) {
      check(feedback.score, false);
      rating.given = true;
      radios.forEach(function (radio) { radio.setAttribute("aria-disabled", "true"); });
      comment.hidden = true;
      tell(rating, THANKS, false);
    }
    item.appendChild(rating.box);
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
          showError(result.data.detail || TEXTS.erase_failed);
          return;
        }
        eraseBox.hidden = true;
        eraseButton.setAttribute("aria-expanded", "false");
        showError("");
        setTyping(false);
        restartConversation();
        notice.textContent = result.status === 401 ? result.data.detail : TEXTS.erased;
      })
      .catch(function () {
        eraseYes.disabled = false;
        showError(TEXTS.offline);
      });
  }

  // ---------------------------------------------------------------- opening and events
  function start() {
    if (state.started) { return Promise.resolve(); }
    state.started = true;
    request("GET", "/api/widget/config").then(function (result) {
      if (!result.ok) { return; }
      title.textContent = TEXTS.title + " · " + result.data.shop;
      if (result.data.privacy_url) { privacyLink.href = new URL(result.data.privacy_url, DESK + "/").href; }
    }).catch(function () { /* keep the defaults */ });
    return ensureConversation().then(connect).catch(function (e) {
      state.started = false;
      showError((e && e.detail) || TEXTS.unavailable);
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
