// The agent console: log in, see waiting cases live, accept, read the case, chat, work it, end or hand back.
//
// Live updates come over one WebSocket (/api/agent/ws); everything else is the JSON API. Chat lines are shown by
// sequence number once; after a reconnection the console asks for what it has not shown (after_seq). Replies
// wait in a localStorage outbox with a client id until the gateway acknowledges them, so a dropped connection
// or a restarted gateway neither loses nor doubles one.

import * as view from "./agent-view.js";

const $ = (id) => document.getElementById(id);
const BEAT_MS = 5000;
const TYPING_REFRESH_MS = 3000; // while the agent types, "typing" is said again this often
const TYPING_IDLE_MS = 4000; // ...and "stopped" after this long without a key
const CUSTOMER_TYPING_MS = 6000; // a customer typing indicator never outlives its last refresh

let me = null;
let socket = null;
let attempts = 0;
let beat = null;
let current = null; // the open case: {id, case}
let shown = new Set(); // sequence numbers shown in the open chat
let upTo = 0;
let typingSentAt = 0;
let typingIdle = null;
let customerTypingTimer = null;
let overviewTimer = null;
const TITLE = "Agent console";
const TAKEN = { accepted: "accepted", picked_up: "picked up" }; // console events of a case someone took

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.message || `HTTP ${response.status}`), { status: response.status, data });
  return data;
}

function notice(text) {
  $("notice").textContent = text || "";
}

// ---------------------------------------------------------------- login

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    await api("POST", "/api/auth/login", { username: $("username").value, password: $("password").value });
    $("password").value = "";
    await start();
  } catch (error) {
    $("login-error").textContent = error.message;
  }
});

$("logout").addEventListener("click", async () => {
  await api("POST", "/api/auth/logout").catch(() => {});
  location.reload();
});

async function start() {
  try {
    me = await api("GET", "/api/agent/me");
  } catch (error) {
    $("login").hidden = false;
    $("app").hidden = true;
    if (error.status === 403) $("login-error").textContent = error.message;
    return;
  }
  $("login").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  $("presence-box").hidden = false;
  $("presence").value = me.status;
  $("who").textContent = `${me.display_name} (${me.role}) · queues: ${me.queues.join(", ")}`;
  if (me.role === "supervisor" || me.role === "admin") {
    $("supervisor").hidden = false;
    refreshOverview();
    overviewTimer = setInterval(refreshOverview, 5000);
  }
  connect();
  refreshQueue();
}

$("presence").addEventListener("change", () => {
  const status = $("presence").value;
  api("PUT", "/api/agent/presence", { status }).catch((error) => notice(error.message));
});

// ---------------------------------------------------------------- the live channel

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/api/agent/ws`);
  socket = ws;
  ws.onopen = () => {
    attempts = 0;
    $("connection").textContent = "";
    clearInterval(beat);
    beat = setInterval(() => send({ type: "beat" }), BEAT_MS);
    refreshQueue();
    if (current) syncChat();
    flushOutbox();
  };
  ws.onmessage = (message) => {
    let data;
    try {
      data = JSON.parse(message.data);
    } catch (error) {
      return;
    }
    receive(data);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    clearInterval(beat);
    $("connection").textContent = "Connection lost: reconnecting…";
    const delay = Math.min(8000, 500 * 2 ** attempts++);
    setTimeout(connect, delay / 2 + Math.random() * (delay / 2));
  };
}

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ v: 1, ...frame }));
}

function receive(message) {
  if (message.type === "case") {
    refreshQueue();
    const id = message.case && message.case.case_id;
    if (current && id === current.id && TAKEN[message.event] && message.agent !== me.name) {
      notice(`${message.agent} ${TAKEN[message.event]} the case you are reading.`);
      openCase(id);
    } else if (current && id === current.id && message.event === "withdrawn") {
      notice("The customer no longer needs a person: they left the queue and are back with the assistant.");
      openCase(id);
    }
  } else if (message.type === "chat" && current && message.case_id === current.id) {
    showEntries(message.entries || []);
    if ((message.entries || []).some((e) => e.kind === "customer")) customerTyping(false);
  } else if (message.type === "typing" && current && message.case_id === current.id) {
    customerTyping(message.typing);
  } else if (message.type === "presence" && !$("supervisor").hidden) {
    refreshOverview();
  }
}

function customerTyping(typing) {
  clearTimeout(customerTypingTimer);
  $("customer-typing").textContent = typing ? "Customer is typing…" : "";
  $("customer-typing").hidden = !typing;
  if (typing) customerTypingTimer = setTimeout(() => customerTyping(false), CUSTOMER_TYPING_MS);
}

// ---------------------------------------------------------------- the lists

let refreshing = null;
async function refreshQueue() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      const data = await api("GET", "/api/agent/queue");
      const waiting = $("waiting");
      waiting.replaceChildren(...data.waiting.map((s) => view.caseItem(s, { onOpen: openCase, onAccept: accept, active: current && s.case_id === current.id })));
      $("waiting-count").textContent = `(${data.waiting.length})`;
      document.title = data.waiting.length ? `(${data.waiting.length}) ${TITLE}` : TITLE; // seen from another tab
      $("mine").replaceChildren(...data.mine.map((s) => view.caseItem(s, { onOpen: openCase, active: current && s.case_id === current.id })));
      const parked = data.parked || [];
      $("parked").replaceChildren(...parked.map((s) => view.caseItem(s, { onOpen: openCase, onPickUp: pickUp, active: current && s.case_id === current.id })));
      $("parked-count").textContent = `(${parked.length})`;
    } catch (error) {
      if (error.status === 401) location.reload();
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function accept(caseId, action = "accept") {
  notice("");
  try {
    await api("POST", `/api/agent/cases/${encodeURIComponent(caseId)}/${action}`);
    await openCase(caseId);
  } catch (error) {
    notice(error.message);
  }
  refreshQueue();
}

// A callback or ticket the customer left: taken like a waiting case, then a chat like any other.
function pickUp(caseId) {
  return accept(caseId, "pick-up");
}

// ---------------------------------------------------------------- the open case

async function openCase(caseId) {
  let data;
  try {
    data = await api("GET", `/api/agent/cases/${encodeURIComponent(caseId)}`);
  } catch (error) {
    notice(error.message);
    return;
  }
  const same = current && current.id === caseId;
  current = { id: caseId, case: data.case };
  const c = data.case;
  $("case").hidden = false;
  $("case-title").textContent = `${c.identity && c.identity.name ? c.identity.name : "Unverified customer"} · ${view.words(c.reason)}`;
  const status = c.status === "accepted" ? `with ${c.agent}` : c.status === "waiting" ? `waiting${data.position ? ` (#${data.position})` : ""}` : view.words(c.status);
  $("case-status").textContent = `${c.case_id} · ${c.queue} · ${c.priority} · ${status}`;
  $("case-view").replaceChildren(view.caseView(c));
  const mine = c.status === "accepted" && c.agent === me.name;
  $("composer").hidden = !mine;
  $("actions").hidden = !mine;
  if (!same) {
    shown = new Set();
    upTo = 0;
    $("chat-log").replaceChildren();
    customerTyping(false);
  }
  await syncChat();
  refreshQueue();
}

async function syncChat() {
  if (!current) return;
  const id = current.id;
  try {
    const data = await api("GET", `/api/agent/cases/${encodeURIComponent(id)}/history?after_seq=${upTo}`);
    if (current && current.id === id) showEntries(data.entries);
  } catch (error) {
    notice(error.message);
  }
}

function showEntries(entries) {
  const log = $("chat-log");
  for (const entry of entries) {
    if (entry.seq !== undefined && shown.has(entry.seq)) continue;
    if (entry.seq !== undefined) {
      shown.add(entry.seq);
      while (shown.has(upTo + 1)) upTo += 1;
    }
    const line = view.chatLine(entry);
    if (!line) continue;
    line.dataset.seq = String(entry.seq);
    if (entry.kind === "message" && entry.from === "agent") document.querySelectorAll(".line--pending").forEach((p) => p.textContent === entry.body.text && p.remove());
    const after = Array.from(log.children).find((other) => other.dataset.seq && Number(other.dataset.seq) > entry.seq);
    log.insertBefore(line, after || null);
  }
  log.lastElementChild && log.lastElementChild.scrollIntoView({ block: "end" });
}

// ---------------------------------------------------------------- replying, with an outbox

function outboxKey() {
  return `triage.agent.outbox.${me.name}`;
}

function readOutbox() {
  try {
    const kept = JSON.parse(localStorage.getItem(outboxKey()) || "[]");
    return Array.isArray(kept) ? kept : [];
  } catch (error) {
    return [];
  }
}

function writeOutbox(items) {
  localStorage.setItem(outboxKey(), JSON.stringify(items));
}

function clientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

let flushing = false;
async function flushOutbox() {
  if (flushing) return;
  flushing = true;
  try {
    let items = readOutbox();
    while (items.length) {
      const item = items[0];
      try {
        await api("POST", `/api/agent/cases/${encodeURIComponent(item.case_id)}/messages`, { client_id: item.client_id, text: item.text });
      } catch (error) {
        if (!error.status || error.status >= 500) return; // offline or gateway down: kept for the next try
        notice(`Not sent: ${error.message}`);
      }
      items = readOutbox().filter((m) => m.client_id !== item.client_id);
      writeOutbox(items);
    }
    if (current) await syncChat();
  } finally {
    flushing = false;
  }
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("reply").value.trim();
  if (!text || !current) return;
  writeOutbox([...readOutbox(), { case_id: current.id, client_id: clientId(), text }]);
  const pending = view.el("li", "line line--agent line--pending", text);
  $("chat-log").append(pending);
  $("reply").value = "";
  stopTyping();
  flushOutbox();
});

$("reply").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

$("reply").addEventListener("input", () => {
  if (!current) return;
  const now = Date.now();
  if (now - typingSentAt > TYPING_REFRESH_MS) {
    typingSentAt = now;
    send({ type: "typing", case_id: current.id, typing: true });
  }
  clearTimeout(typingIdle);
  typingIdle = setTimeout(stopTyping, TYPING_IDLE_MS);
});

function stopTyping() {
  clearTimeout(typingIdle);
  if (typingSentAt && current) send({ type: "typing", case_id: current.id, typing: false });
  typingSentAt = 0;
}

// ---------------------------------------------------------------- working the case

async function act(path, body, after) {
  if (!current) return;
  notice("");
  const id = current.id;
  try {
    const result = await api("POST", `/api/agent/cases/${encodeURIComponent(id)}/${path}`, body);
    if (after) after(result);
  } catch (error) {
    notice(error.message);
  }
  if (current && current.id === id) await openCase(id);
}

$("diag-run").addEventListener("click", () => act("diagnostics", { kind: $("diag-kind").value }));
$("note-add").addEventListener("click", () => {
  const text = $("note").value.trim();
  if (text) act("notes", { text }, () => ($("note").value = ""));
});
$("ticket-go").addEventListener("click", () => {
  const body = { action: $("ticket-action").value, text: $("ticket-text").value.trim() || "Updated from the chat", severity: $("ticket-severity").value };
  if (body.action === "update") body.ticket_id = $("ticket-id").value.trim();
  act("tickets", body, (result) => notice(`Ticket ${result.ticket.id} ${result.action.action}.`));
});
$("transfer").addEventListener("click", () => act("transfer", { queue: $("transfer-queue").value }));
$("hand-back").addEventListener("click", () => act("hand-back", {}, () => notice("Handed back to the bot.")));
$("end-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData($("end-form"));
  act("end", { resolution: form.get("resolution"), root_cause: $("root-cause").value, bot_could_handle: form.get("bot") === "yes" },
    () => notice("Chat ended; the disposition is recorded."));
});

// ---------------------------------------------------------------- supervisor

async function refreshOverview() {
  try {
    const data = await api("GET", "/api/supervisor/overview");
    $("sup-queues").replaceChildren(...data.queues.map((q) => row([q.queue, q.waiting, view.minutes(q.longest_wait_s), q.overdue, q.agents_online])));
    $("sup-agents").replaceChildren(...data.agents.map((a) => row([a.name, a.role, a.connected ? a.status : "disconnected", `${a.holding}/${a.capacity}`, a.queues.join(", ")])));
    $("sup-callbacks").textContent = `Callbacks requested: ${data.callbacks_requested} · tickets left: ${data.tickets_requested}`;
  } catch (error) {
    clearInterval(overviewTimer);
  }
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) tr.append(view.el("td", "", cell));
  return tr;
}

start();
