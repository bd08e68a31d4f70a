// The agent console: log in, see waiting cases live, accept, read the case, chat, work it, end or hand back.
//
// Live updates come over one WebSocket (/api/agent/ws); everything else is the JSON API. Chat lines are shown by
// sequence number once; after a reconnection the console asks for what it has not shown (after_seq). Replies
// wait in a localStorage outbox with a client id until the gateway acknowledges them, so a dropped connection
// or a restarted gateway neither loses nor doubles one.

import * as view from "./agent-view.js";
import { mountLookup } from "./agent-lookup.js";
import * as alerts from "./agent-alerts.js";
import { installCannedAdmin, installPicker } from "./agent-canned.js";
import { installShortcuts } from "./agent-keys.js";
import * as incidents from "./incidents-view.js";

const $ = (id) => document.getElementById(id);
const BEAT_MS = 5000;
const TYPING_REFRESH_MS = 3000; // while the agent types, "typing" is said again this often
const TYPING_IDLE_MS = 4000; // ...and "stopped" after this long without a key
const CUSTOMER_TYPING_MS = 6000; // a customer typing indicator never outlives its last refresh
const NOTICE_MS = 8000; // a notice says what just happened; it is gone before it can mislead
const TICK_MS = 1000; // waiting times in the lists count up by themselves
const ARRIVALS = new Set(["queued", "requeued", "transferred"]); // announcements of a case new to a queue

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
let noticeTimer = null;
let picker = null;
let cannedFor = null; // the queue whose canned replies the picker holds
const TITLE = "Agent console";
const TAKEN = { accepted: "accepted", picked_up: "picked up" }; // console events of a case someone took

// The console's JSON fetch: same-origin, and every write sent as application/json (an empty object when it
// carries nothing), which the gateway's same-origin rule for cookie-authenticated writes asks for.
async function api(method, path, body) {
  const writes = method !== "GET" && method !== "HEAD";
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: writes ? { "Content-Type": "application/json" } : {},
    body: writes ? JSON.stringify(body === undefined ? {} : body) : undefined,
  });
  const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.message || `HTTP ${response.status}`), { status: response.status, data });
  return data;
}

// What just happened, gone after a while; one that carries the agent's unsent text stays until the next notice.
function notice(text, { stay = false } = {}) {
  clearTimeout(noticeTimer);
  $("notice").textContent = text || "";
  if (text && !stay) noticeTimer = setTimeout(() => ($("notice").textContent = ""), NOTICE_MS);
}

// ---------------------------------------------------------------- login

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  alerts.unlockSound();
  try {
    await api("POST", "/api/auth/login", { username: $("username").value, password: $("password").value });
    $("password").value = "";
    await start();
  } catch (error) {
    $("login-error").textContent = error.message;
  }
});

// Logging out gives the chats held back to their queues first: no customer is left reading "Talking to Dana".
$("logout").addEventListener("click", async () => {
  await api("POST", "/api/agent/sign-off").catch(() => {});
  await api("POST", "/api/auth/logout").catch(() => {});
  location.reload();
});

// Logged in with a role the console is not for (a product owner): where to go instead, and a way out.
const HOME = { product_owner: ["/insights", "the insights dashboard"] };

async function refuse() {
  const who = await api("GET", "/api/auth/me").catch(() => null);
  if (!who) return showLogin();
  const [href, place] = HOME[who.role] || ["/", "the home page"];
  $("refused-text").textContent = `You are logged in as ${who.name} (${who.role.replace("_", " ")}). The agent console is for agents and supervisors.`;
  $("refused-link").href = href;
  $("refused-link").textContent = `Go to ${place}`;
  $("login").hidden = true;
  $("app").hidden = true;
  $("refused").hidden = false;
}

function showLogin() {
  $("refused").hidden = true;
  $("app").hidden = true;
  $("login").hidden = false;
}

$("refused-logout").addEventListener("click", async () => {
  await api("POST", "/api/auth/logout").catch(() => {});
  $("username").value = "";
  showLogin();
  $("username").focus();
});

async function start() {
  try {
    me = await api("GET", "/api/agent/me");
  } catch (error) {
    if (error.status === 403) return refuse();
    showLogin();
    return;
  }
  $("refused").hidden = true;
  $("login").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  $("presence-box").hidden = false;
  $("presence").value = me.status;
  $("shortcuts-show").hidden = false;
  $("who").textContent = `${me.display_name} (${me.role}) · queues: ${me.queues.join(", ")}`;
  if (me.role === "supervisor" || me.role === "admin") {
    $("supervisor-link").hidden = false;
    installCannedAdmin($, api);
  }
  showNotificationState();
  setInterval(() => view.tickWaits($("app")), TICK_MS);
  // An incident that opens, grows or closes is shown on the open case and marks the cases in the lists.
  incidents.watch(api, (open) => incidents.renderHeader($("incidents"), $("incidents-title"), $("incidents-list"), open),
    () => (current ? openCase(current.id) : refreshQueue()));
  connect();
  refreshQueue();
}

// ---------------------------------------------------------------- sound and notifications

function showNotificationState() {
  const supported = alerts.notificationsSupported();
  const permission = supported ? Notification.permission : "unsupported";
  $("notify-ask").hidden = permission !== "default";
  $("notify-state").hidden = permission === "default";
  $("notify-state").textContent = { granted: "Notifications on", denied: "Notifications blocked in the browser", unsupported: "" }[permission] || "";
}

$("notify-ask").addEventListener("click", async () => {
  await alerts.askForNotifications();
  showNotificationState();
});
document.addEventListener("pointerdown", alerts.unlockSound, { once: true });
document.addEventListener("keydown", alerts.unlockSound, { once: true });

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
    if (ARRIVALS.has(message.event) && message.case && message.case.status === "waiting") alerts.caseArrived(message.case, (caseId) => openCase(caseId, { focus: true }));
    const movedBySupervisor = message.by && message.by !== me.name
      && (message.reassigned_from === me.name || (message.event === "transferred_out" && message.agent === me.name));
    if (current && id === current.id && movedBySupervisor) {
      openCase(id).then(() => notice(movedSaying(message)));
    } else if (current && id === current.id && TAKEN[message.event] && message.agent !== me.name) {
      openCase(id).then(() => notice(`${(current && current.agentName) || message.agent} ${TAKEN[message.event]} the case you are reading.`));
    } else if (current && id === current.id && (message.event === "updated" || (message.agent === me.name && current.mine && !TAKEN[message.event]))) {
      openCase(id); // the case changed, or this chat left my hands (another tab of mine, a supervisor): shown as it is now
    } else if (movedBySupervisor) {
      notice(movedSaying(message).replace("this chat", "one of your chats")); // not the one on screen: say so anyway
    } else if (current && id === current.id && message.event === "withdrawn") {
      notice("The customer no longer needs a person: they left the queue and are back with the assistant.");
      openCase(id);
    }
  } else if (message.type === "chat" && current && message.case_id === current.id) {
    showEntries(message.entries || []);
    if ((message.entries || []).some((e) => e.kind === "customer")) customerTyping(false);
  } else if (message.type === "typing" && current && message.case_id === current.id) {
    customerTyping(message.typing);
  }
}

// What a supervisor did to the open chat, in the names people go by: "Sam took over this chat".
function movedSaying(message) {
  const by = message.by_name || message.by;
  if (message.event === "transferred_out") return `${by} moved this chat to ${message.to_queue ? `the ${message.to_queue} queue` : "another queue"}.`;
  if (message.agent === message.by) return `${by} took over this chat.`;
  return `${by} reassigned this chat to ${message.agent_name || message.agent}.`;
}

function customerTyping(typing) {
  clearTimeout(customerTypingTimer);
  $("customer-typing").textContent = typing ? "Customer is typing…" : "";
  $("customer-typing").hidden = !typing;
  if (typing) customerTypingTimer = setTimeout(() => customerTyping(false), CUSTOMER_TYPING_MS);
}

// ---------------------------------------------------------------- the lists

// Opened from a list: the reply box takes the focus when the chat is the agent's.
function openByHand(caseId) {
  return openCase(caseId, { focus: true });
}

let refreshing = null;
async function refreshQueue() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      const data = await api("GET", "/api/agent/queue");
      const waiting = $("waiting");
      waiting.replaceChildren(...data.waiting.map((s) => view.caseItem(s, { onOpen: openByHand, onAccept: accept, active: current && s.case_id === current.id })));
      $("waiting-count").textContent = `(${data.waiting.length})`;
      document.title = data.waiting.length ? `(${data.waiting.length}) ${TITLE}` : TITLE; // seen from another tab
      $("mine").replaceChildren(...data.mine.map((s) => view.caseItem(s, { onOpen: openByHand, active: current && s.case_id === current.id })));
      const parked = data.parked || [];
      $("parked").replaceChildren(...parked.map((s) => view.caseItem(s, { onOpen: openByHand, onPickUp: pickUp, active: current && s.case_id === current.id })));
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
    await openCase(caseId, { focus: true });
  } catch (error) {
    notice(error.message);
  }
  refreshQueue();
}

function listed() {
  return ["mine", "waiting", "parked"].flatMap((id) => Array.from($(id).querySelectorAll(".case-item"), (item) => item.dataset.caseId));
}

// Alt+A: the open case if it waits, else the first one waiting.
function acceptShortcut() {
  if (current && current.case.status === "waiting") return accept(current.id);
  const first = $("waiting").querySelector(".case-item");
  if (first) return accept(first.dataset.caseId);
  notice("No case is waiting.");
}

// Alt+N / Alt+J: the case after the open one in the lists (my chats first), round to the top.
function nextCase() {
  const ids = [...new Set(listed())];
  if (!ids.length) return notice("No case to open.");
  const at = current ? ids.indexOf(current.id) : -1;
  return openCase(ids[(at + 1) % ids.length], { focus: true });
}

function toggleShortcuts(show = $("shortcuts").hidden) {
  $("shortcuts").hidden = !show;
  if (show) $("shortcuts-close").focus();
}
$("shortcuts-show").addEventListener("click", () => toggleShortcuts());
$("shortcuts-close").addEventListener("click", () => toggleShortcuts(false));
installShortcuts({ accept: acceptShortcut, next: nextCase, help: () => toggleShortcuts(), close: () => toggleShortcuts(false) });

// A callback or ticket the customer left: taken like a waiting case, then a chat like any other.
function pickUp(caseId) {
  return accept(caseId, "pick-up");
}

// ---------------------------------------------------------------- the open case

const PARKED_STATUSES = new Set(["callback_requested", "ticket_requested"]);

// Why there is no reply box, in the words of what to do about it.
function composerOff(c, agentName) {
  if (c.status === "waiting") return "Accept this case (Alt+A) to chat with the customer.";
  if (PARKED_STATUSES.has(c.status)) return "Pick it up to chat with the customer.";
  if (c.status === "accepted") return `${agentName || c.agent} is chatting with this customer.`;
  return "This chat is over: nothing more can be sent to the customer here.";
}

async function openCase(caseId, { focus = false } = {}) {
  const wasOpen = Boolean(current && current.id === caseId);
  let data;
  try {
    data = await api("GET", `/api/agent/cases/${encodeURIComponent(caseId)}`);
  } catch (error) {
    if (!wasOpen || (error.status !== 403 && error.status !== 404)) notice(error.message);
    else if (current && current.id === caseId) closeCase(); // gone where this agent cannot follow: said by the caller
    return;
  }
  const same = current && current.id === caseId;
  if (!same) notice("");
  const c = data.case;
  const mine = c.status === "accepted" && c.agent === me.name;
  const wasMine = same && current.mine;
  current = { id: caseId, case: c, mine, agentName: data.agent_name };
  $("case").hidden = false;
  $("case-title").textContent = `${c.identity && c.identity.name ? c.identity.name : "Unverified customer"} · ${view.words(c.reason)}`;
  const status = c.status === "accepted" ? `with ${data.agent_name || c.agent}` : c.status === "waiting" ? `waiting${data.position ? ` (#${data.position})` : ""}` : view.words(c.status);
  $("case-status").textContent = `${c.case_id} · ${c.queue} · ${c.priority} · ${status}`;
  if (!same) {
    // A transfer goes elsewhere: no queue chosen for the agent, and not the one the case is in.
    $("transfer-queue").value = "";
    for (const option of $("transfer-queue").options) option.disabled = option.value === c.queue;
  }
  $("case-accept").hidden = !(c.status === "waiting" || PARKED_STATUSES.has(c.status));
  $("case-accept").textContent = c.status === "waiting" ? "Accept" : "Pick up";
  const names = { [me.name]: me.display_name, ...(c.agent && data.agent_name ? { [c.agent]: data.agent_name } : {}) };
  const note = view.transferNote(c, names);
  $("transfer-note-shown").hidden = !note;
  $("transfer-note-shown").replaceChildren(...(note ? [note] : []));
  incidents.caseBlock($("case-incident"), data.incident);
  $("case-view").replaceChildren(view.caseView(c, data.agent_name, names));
  $("composer").hidden = !mine;
  $("actions").hidden = !mine;
  $("composer-off").hidden = mine;
  const kept = readDraft(caseId);
  $("composer-off").textContent = mine ? "" : composerOff(c, data.agent_name) + (kept ? ` Your unsent text is kept: “${kept}”` : "");
  if (!same) {
    shown = new Set();
    upTo = 0;
    $("chat-log").replaceChildren();
    customerTyping(false);
    $("composer-error").hidden = true;
  }
  if (!same || !wasMine) $("reply").value = kept;
  if (mine && (!same || !wasMine)) {
    mountLookup($("lookup"), caseId, api);
    loadCanned(c.queue);
  }
  if (mine && focus) $("reply").focus();
  await syncChat();
  refreshQueue();
}

// The open case went where this agent cannot follow (transferred to a queue they don't serve).
function closeCase() {
  current = null;
  $("case").hidden = true;
  $("chat-log").replaceChildren();
  refreshQueue();
}

$("case-accept").addEventListener("click", () => {
  if (current) accept(current.id, current.case.status === "waiting" ? "accept" : "pick-up");
});

async function loadCanned(queue) {
  if (cannedFor === queue) return;
  try {
    const data = await api("GET", `/api/agent/canned/${encodeURIComponent(queue)}`);
    cannedFor = queue;
    picker.setReplies(data.replies);
  } catch (error) {
    picker.setReplies([]);
  }
}

// ---------------------------------------------------------------- drafts: typed text is never lost

function draftKey(caseId) {
  return `triage.agent.draft.${me.name}.${caseId}`;
}

function readDraft(caseId) {
  return localStorage.getItem(draftKey(caseId)) || "";
}

function writeDraft(caseId, text) {
  if (text) localStorage.setItem(draftKey(caseId), text);
  else localStorage.removeItem(draftKey(caseId));
}

// A reply the gateway refused (the chat left the agent's hands): back into the case's draft, and said where
// the agent is looking, with the text itself when the reply box is gone.
function keepUnsent(item, error) {
  const draft = readDraft(item.case_id);
  writeDraft(item.case_id, draft ? `${draft}\n${item.text}` : item.text);
  document.querySelectorAll(".line--pending").forEach((p) => p.textContent === item.text && p.remove());
  if (!current || current.id !== item.case_id) {
    notice(`Not sent: ${error.message} Your text is kept with the case.`);
    return;
  }
  if (!$("composer").hidden) $("reply").value = readDraft(item.case_id);
  $("composer-error").hidden = false;
  $("composer-error").textContent = $("composer").hidden
    ? `Not sent: ${error.message} Your text: “${item.text}”`
    : `Not sent: ${error.message} Your text is back in the reply box.`;
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
        keepUnsent(item, error);
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
  writeDraft(current.id, "");
  $("composer-error").hidden = true;
  stopTyping();
  flushOutbox();
});

picker = installPicker($("reply"), $("canned-picker"));

$("reply").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

$("reply").addEventListener("input", () => {
  if (!current) return;
  writeDraft(current.id, $("reply").value);
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
  act("tickets", body, (result) => {
    // Saved: the form is emptied so the same text is not saved twice; after a failure it stays to retry.
    $("ticket-text").value = "";
    $("ticket-id").value = "";
    notice(`Ticket ${result.ticket.id} ${result.action.action}.`);
  });
});
$("transfer-note").addEventListener("input", () => {
  const n = $("transfer-note").value.trim().length;
  $("transfer-note-count").textContent = `${n}/1000`;
  $("transfer-note-count").classList.toggle("error", n > 1000);
});
$("transfer").addEventListener("click", () => {
  const note = $("transfer-note").value.trim();
  if (note.length > 1000) return notice(`The note is ${note.length} characters; at most 1000.`);
  if (!$("transfer-queue").value) return notice("Choose the queue to transfer this chat to.");
  const body = { queue: $("transfer-queue").value };
  if (note) body.note = note;
  const caseId = current && current.id;
  act("transfer", body, () => {
    $("transfer-note").value = "";
    $("transfer-note-count").textContent = "0/1000";
    const kept = caseId ? readDraft(caseId) : "";
    const done = `Transferred to ${body.queue}${note ? ", with your note" : ""}.`;
    notice(kept ? `${done} Your unsent text: “${kept}”` : done, { stay: Boolean(kept) });
  });
});
// One disposition, then either button: ending the chat, or handing the customer back to the bot.
$("end-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const then = event.submitter && event.submitter.value === "hand-back" ? "hand-back" : "end";
  const form = new FormData($("end-form"));
  const body = { resolution: form.get("resolution"), root_cause: $("root-cause").value, bot_could_handle: form.get("bot") === "yes" };
  act(then, body, () => {
    $("end-form").reset();
    notice(then === "end" ? "Chat ended; the disposition is recorded." : "Handed back to the bot; the disposition is recorded.");
  });
});

start();
