// The web chat's behaviour: one conversation per browser, kept across reloads and dropped connections.
//
// localStorage keeps the session id (the conversation's id and its token, as the server issued them) and an
// outbox of messages not yet acknowledged, each with a client id. The server keeps the history; the page
// asks for what it has not seen (after_seq) on every (re)connection, shows entries by sequence number once,
// and resends the outbox in order: the server ignores a client id it already has, so nothing is doubled.

import { Socket, SocketClosed } from "./socket.js";
import * as view from "./render.js";
import { Surveys } from "./survey.js";

const SESSION_KEY = "triage.chat.session";
const OUTBOX_KEY = "triage.chat.outbox";
const TYPING_SAFETY_MS = 60000; // the assistant's typing indicator never outlives a lost "stopped typing"
const AGENT_TYPING_SAFETY_MS = 8000; // an agent's is refreshed every 3 s while they type: gone 8 s, it is stale
const TYPING_REFRESH_MS = 3000; // while the customer types to a person, "typing" is said again this often
const TYPING_IDLE_MS = 4000; // ...and "stopped" after this long without a key
const WITHDRAW = "/withdraw_request"; // the intent's payload: leaves the queue even when the NLU is not answering

const page = document.body.dataset;
const maxChars = Number(page.maxChars) || 2000;
const form = document.getElementById("composer");
const input = document.getElementById("message");
const counter = document.getElementById("counter");
const leaveQueue = document.getElementById("leave-queue");

const storage = (() => {
  try {
    localStorage.setItem("triage.chat.probe", "1");
    localStorage.removeItem("triage.chat.probe");
    return localStorage;
  } catch (error) {
    const memory = new Map();
    return { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => memory.set(k, v), removeItem: (k) => memory.delete(k) };
  }
})();

let sessionId = storage.getItem(SESSION_KEY);
let outbox = readOutbox();
let seen = new Set(); // sequence numbers shown (or deliberately not shown)
let upTo = 0; // every entry up to this sequence number is shown: what to ask for after a reconnection
let flushing = false;
let joined = false; // this connection's session is confirmed: only then may the outbox go
let typingTimer = null;
let holder = "bot";
const socket = new Socket(page.socketioPath || "/socket.io");
const surveys = new Surveys(storage, session, view.place);

// The conversation's id and token, from the session id the server issued ("<conversation id>.<token>").
function session() {
  const [conversationId, ...rest] = String(sessionId || "").split(".");
  return { conversationId, token: rest.join(".") };
}

function readOutbox() {
  try {
    const kept = JSON.parse(storage.getItem(OUTBOX_KEY) || "[]");
    return Array.isArray(kept) ? kept.filter((m) => m && typeof m.message === "string" && m.client_id) : [];
  } catch (error) {
    return []; // damaged by hand or by another script: start clean rather than break the page
  }
}

function saveOutbox() {
  storage.setItem(OUTBOX_KEY, JSON.stringify(outbox));
}

function clientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// The state line after a (re)connection, until the history replayed says more.
function stateText() {
  if (holder === "waiting") return "Waiting for an agent";
  if (holder === "agent") return "Talking to a person";
  return view.ASSISTANT; // the bot, or closed: the next message goes to the assistant
}

// Every change of who holds the conversation goes through here: the state line says who is talking now, and
// the way out of the queue is offered exactly while the customer waits for a person.
function setHolder(next, line) {
  holder = next;
  view.setState(line);
  leaveQueue.hidden = holder !== "waiting";
  leaveQueue.disabled = false;
}

// ---------------------------------------------------------------- showing entries

function see(seq) {
  if (seq === undefined) return;
  seen.add(seq);
  while (seen.has(upTo + 1)) upTo += 1;
}

function show(entry) {
  if (entry.seq !== undefined && seen.has(entry.seq)) return;
  if (entry.kind === "customer") {
    const waiting = view.findCustomer(entry.client_id);
    if (waiting && !waiting.dataset.seq) {
      waiting.remove();
      view.markKept(waiting);
      view.place(waiting, entry.seq);
      dropFromOutbox(entry.client_id);
    } else if (!waiting) {
      view.place(view.entryItem(entry, choose), entry.seq);
    }
  } else {
    const item = view.entryItem(entry, choose);
    if (item) view.place(item, entry.seq);
    else if (entry.seq !== undefined) view.place(marker(), entry.seq);
    surveys.offer(entry); // an end of the chat: "How did we do?"
    followState(entry);
  }
  see(entry.seq);
}

// An entry with nothing to show still takes its place, so it is recognised when sent again.
function marker() {
  const item = document.createElement("li");
  item.hidden = true;
  return item;
}

function followState(entry) {
  if (entry.kind === "message" && entry.body && entry.body.custom && entry.body.custom.handoff) {
    setHolder("waiting", "Waiting for an agent");
  } else if (entry.kind === "message" && entry.from === "bot" && holder === "closed") {
    setHolder("bot", view.ASSISTANT);
  } else if (entry.kind === "handoff") {
    const event = entry.event;
    if (event.type !== "agent_joined") typing("");
    const after = view.stateAfter(event);
    if (after) setHolder(after.holder, after.line);
  }
}

function showAll(entries) {
  // The server sends at most the latest few hundred entries: older ones count as seen.
  if (entries.length && entries[0].seq > upTo + 1) upTo = entries[0].seq - 1;
  for (const entry of entries) show(entry);
  view.refreshQuickReplies();
  view.scrollToEnd();
}

// ---------------------------------------------------------------- sending

function send(text, display) {
  const message = { client_id: clientId(), message: text, ts: Date.now() };
  if (display) message.display = display;
  outbox.push(message);
  saveOutbox();
  showWaiting(message);
  view.refreshQuickReplies();
  view.scrollToEnd();
  flush();
}

function showWaiting(message) {
  const item = view.entryItem({ kind: "customer", text: message.message, display: message.display, client_id: message.client_id, ts: message.ts }, choose);
  view.markPending(item, joined ? "Sending…" : "Not sent yet: it will go when the connection is back");
  view.place(item);
}

function dropFromOutbox(id) {
  outbox = outbox.filter((m) => m.client_id !== id);
  saveOutbox();
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Send the outbox oldest first, one at a time, so the server keeps them in the order they were typed.
async function flush() {
  if (flushing || !socket.connected || !joined) return;
  flushing = true;
  try {
    while (outbox.length && socket.connected) {
      const message = outbox[0];
      const ack = await socket.emit("user_uttered", { ...message, session_id: sessionId });
      const item = view.findCustomer(message.client_id);
      if (ack && ack.error === "rate_limited") {
        if (item) view.markPending(item, "Waiting a moment before sending");
        await pause(1000 * (ack.retry_after_s || 5));
        continue;
      }
      if (ack && ack.error === "unavailable") {
        await pause(2000);
        continue;
      }
      dropFromOutbox(message.client_id);
      if (ack && ack.error) {
        if (item) view.markPending(item, "Not sent");
      } else if (item && !item.dataset.seq) {
        item.remove();
        view.markKept(item);
        view.place(item, ack.seq);
        see(ack.seq);
      }
    }
  } catch (error) {
    if (!(error instanceof SocketClosed)) throw error;
  } finally {
    flushing = false;
  }
}

function choose(payload, title) {
  send(payload, title);
  input.focus();
}

// ---------------------------------------------------------------- the connection

socket.on("connect", () => {
  view.setConnection("");
  join();
});

// Ask for this browser's conversation (or a new one) and what it has not shown yet; retry while the gateway
// cannot reach its storage, without sending anything meanwhile.
async function join() {
  let ack;
  try {
    ack = await socket.emit("session_request", { session_id: sessionId, after_seq: upTo });
  } catch (error) {
    return; // disconnected: the next connection asks again
  }
  if (!ack || ack.error) {
    setTimeout(() => socket.connected && join(), 2000);
    return;
  }
  if (ack.session_id !== sessionId) {
    // A new conversation (first visit, or the old one expired): nothing shown so far belongs to it.
    sessionId = ack.session_id;
    storage.setItem(SESSION_KEY, sessionId);
    seen = new Set();
    upTo = 0;
    view.clearLog();
    for (const message of outbox) showWaiting(message);
  }
  holder = ack.holder || "bot";
  setHolder(holder, stateText());
  showAll(ack.history || []);
  for (const item of document.querySelectorAll(".msg--customer:not([data-seq]) .msg__status")) item.textContent = "Sending…";
  joined = true;
  flush();
}

socket.on("disconnect", () => {
  joined = false;
  view.setConnection("Connection lost. Reconnecting… Anything you send now will go when it's back.");
  view.setTyping("");
  for (const item of document.querySelectorAll(".msg--customer:not([data-seq]) .msg__status")) {
    item.textContent = "Not sent yet: it will go when the connection is back";
  }
});

socket.on("bot_uttered", (payload) => {
  if (!payload || typeof payload !== "object") return;
  const { metadata = {}, ...body } = payload;
  if (metadata.notice) {
    view.notice(String(body.text || ""), metadata.ts);
  } else {
    if (metadata.from === "agent") typing("");
    show({ kind: "message", seq: metadata.seq, ts: metadata.ts || Date.now(), from: metadata.from || "bot", agent_name: metadata.agent_name, body });
    view.refreshQuickReplies();
  }
  view.scrollToEnd();
});

socket.on("handoff", (event) => {
  if (!event || typeof event !== "object") return;
  if (event.type === "agent_typing") {
    typing(event.typing ? `${event.agent_name || "The agent"} is typing…` : "", AGENT_TYPING_SAFETY_MS);
    return;
  }
  const { v, seq, ts, ...rest } = event;
  show({ kind: "handoff", seq, ts: ts || Date.now(), event: rest });
  view.refreshQuickReplies();
  view.scrollToEnd();
});

socket.on("typing", (event) => {
  typing(event && event.typing ? "The assistant is typing…" : "");
});

function typing(text, safetyMs = TYPING_SAFETY_MS) {
  clearTimeout(typingTimer);
  view.setTyping(text);
  if (text) typingTimer = setTimeout(() => view.setTyping(""), safetyMs);
}

// While a person holds the chat, they see when the customer is typing (never stale: refreshed, then stopped).
let typingSentAt = 0;
let typingIdle = null;

function customerTyping() {
  if (holder !== "agent" || !joined) return;
  const now = Date.now();
  if (now - typingSentAt > TYPING_REFRESH_MS) {
    typingSentAt = now;
    socket.emit("customer_typing", { typing: true }).catch(() => {});
  }
  clearTimeout(typingIdle);
  typingIdle = setTimeout(stopTyping, TYPING_IDLE_MS);
}

function stopTyping() {
  clearTimeout(typingIdle);
  if (typingSentAt && joined) socket.emit("customer_typing", { typing: false }).catch(() => {});
  typingSentAt = 0;
}

// ---------------------------------------------------------------- leaving the queue

leaveQueue.addEventListener("click", () => {
  leaveQueue.disabled = true; // until the gateway says where the customer stands
  send(WITHDRAW, leaveQueue.textContent.trim());
  input.focus();
});

// ---------------------------------------------------------------- the composer

function updateCounter() {
  const left = maxChars - input.value.length;
  counter.textContent = left < 200 ? `${left} characters left` : "";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  send(text.slice(0, maxChars));
  stopTyping();
  input.value = "";
  updateCounter();
  input.focus();
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

input.addEventListener("input", () => {
  updateCounter();
  customerTyping();
});
input.maxLength = maxChars;

for (const message of outbox) showWaiting(message);
view.setConnection("Connecting…");
socket.open();
