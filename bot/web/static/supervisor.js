// The supervisor's view: every chat held now (ticking), queues and agents, a chat read-only with its live
// transcript, reassign or take over, and the figures of a period. Live data is polled every few seconds; every
// text is put in the page with textContent only (agent-view.js), never parsed as HTML.

import * as view from "./agent-view.js";
import * as incidents from "./incidents-view.js";

const $ = (id) => document.getElementById(id);
const LIVE_MS = 3000;
const TICK_MS = 1000;
const DAY_MS = 86400000;
const HOME = { agent: ["/agent", "the agent console"], product_owner: ["/insights", "the insights dashboard"] };

let me = null;
let live = null; // the last /api/supervisor/live answer
let skewS = 0; // server clock minus this browser's, so times tick from the server's
let liveTimer = null;
let tickTimer = null;
let open = null; // the chat shown: {id, case}
let upTo = 0;
let shown = new Set();

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

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

function notice(text) {
  $("notice").textContent = text || "";
}

function show(section) {
  for (const id of ["login", "refused", "app"]) $(id).hidden = id !== section;
  $("logout").hidden = section !== "app";
  $("nav").hidden = section !== "app";
}

// ---------------------------------------------------------------- who is here

async function start() {
  try {
    me = await api("GET", "/api/auth/me");
  } catch (error) {
    clearInterval(liveTimer);
    clearInterval(tickTimer);
    show("login");
    return;
  }
  if (me.role !== "supervisor" && me.role !== "admin") {
    const [href, place] = HOME[me.role] || ["/", "the home page"];
    $("refused-text").textContent = `You are logged in as ${me.name} (${me.role.replace("_", " ")}). This page is for supervisors and admins.`;
    $("refused-link").href = href;
    $("refused-link").textContent = `Go to ${place}`;
    clearInterval(liveTimer);
    clearInterval(tickTimer);
    show("refused");
    return;
  }
  $("who").textContent = `${me.name} (${me.role})`;
  show("app");
  await refreshLive();
  clearInterval(liveTimer);
  clearInterval(tickTimer);
  liveTimer = setInterval(refreshLive, LIVE_MS);
  tickTimer = setInterval(tick, TICK_MS);
  choosePreset("today");
}

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

async function logOut() {
  await api("POST", "/api/auth/logout").catch(() => {});
  clearInterval(liveTimer);
  clearInterval(tickTimer);
  me = null;
  open = null;
  $("chat").hidden = true;
  show("login");
}

$("logout").addEventListener("click", logOut);
$("refused-logout").addEventListener("click", logOut);

// ---------------------------------------------------------------- live

async function refreshLive() {
  try {
    live = await api("GET", "/api/supervisor/live");
    skewS = live.now - Date.now() / 1000;
    $("connection").textContent = "";
  } catch (error) {
    if (error.status === 401 || error.status === 403) return start();
    $("connection").textContent = "Not updating: the gateway does not answer. Retrying…";
    return;
  }
  renderHeld();
  $("queues").replaceChildren(...live.queues.map((q) => row([q.queue, q.waiting, q.waiting ? duration(q.longest_wait_s) : "—", q.held, q.agents_online])));
  $("agents").replaceChildren(...live.agents.map((a) => row([`${a.display_name} (${a.name})`, a.status, `${a.holding}/${a.capacity}`, a.queues.join(", ")])));
  $("live-updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
  incidents.refreshTable($, api); // open network incidents with their size
  if (open) {
    syncChat();
    fillAgents();
  }
}

function renderHeld() {
  const byAgent = new Map();
  for (const chat of live.chats) {
    if (!byAgent.has(chat.agent)) byAgent.set(chat.agent, []);
    byAgent.get(chat.agent).push(chat);
  }
  const blocks = [];
  for (const [agent, chats] of byAgent) {
    const info = live.agents.find((a) => a.name === agent);
    const block = view.el("section", "held__agent");
    block.dataset.agent = agent;
    const load = info ? ` · ${info.holding}/${info.capacity} · ${info.status}` : "";
    block.append(view.el("h4", "", `${chats[0].display_name} (${agent})${load}`));
    const list = view.el("ul", "held__list");
    for (const chat of chats) {
      const item = view.el("li", `held__chat case-item case-item--${chat.priority}`);
      item.dataset.caseId = chat.case_id;
      item.dataset.conversationId = chat.conversation_id;
      item.append(view.el("strong", "", chat.customer || "Unverified customer"), ` · ${chat.queue} · ${view.words(chat.reason)}`);
      const times = view.el("div", "case-item__meta");
      const wait = view.el("span", "held__wait", `waited ${duration(chat.wait_s)}`);
      const handle = view.el("span", "held__handle", `handling ${duration(Date.now() / 1000 + skewS - chat.accepted_at)}`);
      handle.dataset.since = String(chat.accepted_at);
      times.append(wait, " · ", handle);
      const button = view.el("button", "", "Open");
      button.type = "button";
      button.addEventListener("click", () => openChat(chat.case_id));
      item.append(times, button);
      list.append(item);
    }
    block.append(list);
    blocks.push(block);
  }
  $("held").replaceChildren(...blocks);
  $("held-count").textContent = `(${live.chats.length})`;
  $("held-empty").hidden = live.chats.length > 0;
  $("waiting").replaceChildren(...live.waiting.map((summary) => {
    const item = view.el("li", `case-item case-item--${summary.priority}`);
    item.dataset.caseId = summary.case_id;
    item.dataset.conversationId = summary.conversation_id;
    item.append(view.el("strong", "", summary.customer || "Unverified customer"), ` · ${summary.queue} · ${view.words(summary.reason)}`);
    const since = Date.now() / 1000 + skewS - summary.waited_s;
    const wait = view.el("span", "waiting__for", `waiting ${duration(summary.waited_s)}`);
    wait.dataset.since = String(since);
    const meta = view.el("div", "case-item__meta");
    meta.append(`#${summary.position} · `, wait);
    const button = view.el("button", "", "Open");
    button.type = "button";
    button.addEventListener("click", () => openChat(summary.case_id));
    item.append(meta, button);
    return item;
  }));
  $("waiting-count").textContent = `(${live.waiting.length})`;
  $("waiting-empty").hidden = live.waiting.length > 0;
}

function tick() {
  const now = Date.now() / 1000 + skewS;
  document.querySelectorAll(".held__handle").forEach((span) => {
    span.textContent = `handling ${duration(now - Number(span.dataset.since))}`;
  });
  document.querySelectorAll(".waiting__for").forEach((span) => {
    span.textContent = `waiting ${duration(now - Number(span.dataset.since))}`;
  });
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) tr.append(view.el("td", "", cell));
  return tr;
}

// ---------------------------------------------------------------- one chat, read-only

async function openChat(caseId) {
  let data;
  try {
    data = await api("GET", `/api/supervisor/chats/${encodeURIComponent(caseId)}`);
  } catch (error) {
    notice(error.message);
    return;
  }
  const same = open && open.id === caseId;
  open = { id: caseId, case: data.case, holder: data.holder_display_name };
  const c = data.case;
  $("chat").hidden = false;
  $("chat-title").textContent = `${c.identity && c.identity.name ? c.identity.name : "Unverified customer"} · ${view.words(c.reason)}`;
  const status = c.status === "accepted" ? `with ${data.holder_display_name} (${c.agent})` : view.words(c.status);
  $("chat-status").textContent = `${c.case_id} · ${c.queue} · ${c.priority} · ${status}`;
  const names = Object.fromEntries(((live && live.agents) || []).map((a) => [a.name, a.display_name]));
  $("chat-view").replaceChildren(view.caseView(c, undefined, names));
  incidents.caseBlock($("chat-incident"), data.incident);
  $("move-form").hidden = c.status !== "accepted";
  for (const option of $("move-queue").options) option.disabled = option.value === c.queue;
  if (!same) {
    shown = new Set();
    upTo = 0;
    $("chat-log").replaceChildren();
    $("move-result").textContent = "";
  }
  fillAgents();
  await syncChat();
  $("chat").scrollIntoView({ block: "start" });
}

$("chat-close").addEventListener("click", () => {
  open = null;
  $("chat").hidden = true;
});

async function syncChat() {
  if (!open) return;
  const id = open.id;
  try {
    const data = await api("GET", `/api/supervisor/chats/${encodeURIComponent(id)}/history?after_seq=${upTo}`);
    if (!open || open.id !== id) return;
    const log = $("chat-log");
    for (const entry of data.entries) {
      if (shown.has(entry.seq)) continue;
      shown.add(entry.seq);
      while (shown.has(upTo + 1)) upTo += 1;
      const line = view.chatLine(entry);
      if (line) log.append(line);
    }
    if (data.entries.length && log.lastElementChild) log.lastElementChild.scrollIntoView({ block: "nearest" });
  } catch (error) {
    notice(error.message);
  }
}

// The agents a chat can go to: online, serving its queue (supervisors serve every queue), not its holder.
function fillAgents() {
  if (!open || !live) return;
  const c = open.case;
  const select = $("move-agent");
  const chosen = select.value;
  const options = [new Option("—", "")];
  for (const a of live.agents) {
    if (a.name === c.agent || !a.available) continue;
    if (!a.queues.includes(c.queue)) continue;
    const full = a.holding >= a.capacity;
    const option = new Option(`${a.display_name} (${a.name}) · ${a.holding}/${a.capacity}${full ? " · full" : ""}`, a.name);
    option.disabled = full;
    options.push(option);
  }
  select.replaceChildren(...options);
  $("move-agent-hint").hidden = options.some((o) => o.value && !o.disabled);
  if ([...select.options].some((o) => o.value === chosen && !o.disabled)) select.value = chosen;
}

async function move(path, body, done) {
  $("move-result").textContent = "";
  const id = open.id;
  try {
    await api("POST", `/api/supervisor/chats/${encodeURIComponent(id)}/${path}`, { expected_agent: open.case.agent, note: $("move-note").value, ...body });
    $("move-note").value = "";
    $("move-result").textContent = done;
  } catch (error) {
    $("move-result").textContent = `Not moved: ${error.message}`;
  }
  await refreshLive();
  if (open && open.id === id) {
    const result = $("move-result").textContent;
    await openChat(id);
    $("move-result").textContent = result;
  }
}

$("move-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!open) return;
  const agent = $("move-agent").value;
  const queue = $("move-queue").value;
  if (Boolean(agent) === Boolean(queue)) {
    $("move-result").textContent = "Choose an agent or a queue (one of them).";
    return;
  }
  const label = agent ? $("move-agent").selectedOptions[0].textContent.split(" · ")[0] : `the ${queue} queue`;
  move("reassign", agent ? { to_agent: agent } : { to_queue: queue }, `Reassigned to ${label}.`);
});

$("take-over").addEventListener("click", () => {
  if (open) move("take-over", {}, "You hold this chat now: reply to the customer from the agent console.");
});

// ---------------------------------------------------------------- figures

function dayStart(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

function choosePreset(preset) {
  document.querySelectorAll("[data-preset]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.preset === preset)));
  const today = dayStart(new Date());
  const days = { today: 0, "7d": 6, "30d": 29 }[preset];
  const from = new Date(today.getTime() - days * DAY_MS);
  loadFigures(from, new Date(), { today: "Today", "7d": "The last 7 days", "30d": "The last 30 days" }[preset]);
}

document.querySelectorAll("[data-preset]").forEach((button) => button.addEventListener("click", () => choosePreset(button.dataset.preset)));

$("custom").addEventListener("submit", (event) => {
  event.preventDefault();
  const from = $("from").valueAsDate;
  const to = $("to").valueAsDate;
  if (!from || !to) return;
  const start = new Date(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const end = new Date(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate() + 1);
  document.querySelectorAll("[data-preset]").forEach((b) => b.setAttribute("aria-pressed", "false"));
  loadFigures(start, end < new Date() ? end : new Date(), `${$("from").value} to ${$("to").value}`);
});

function spread(s) {
  return s && s.n ? `${duration(s.p50)} / ${duration(s.p90)} (${s.n})` : "—";
}

function rating(s) {
  return s && s.count ? `${s.mean.toFixed(2)} of 5 · ${s.count} ${s.count === 1 ? "answer" : "answers"} · ${Math.round(s.share_4_5 * 100)}% 4-5` : "—";
}

let figuresAsked = 0; // only the answer to the latest choice is shown, whichever arrives last

async function loadFigures(from, to, label) {
  const asked = ++figuresAsked;
  $("period").textContent = `Loading ${label.toLowerCase()}…`;
  let data;
  try {
    data = await api("GET", `/api/supervisor/figures?from=${from.getTime() / 1000}&to=${to.getTime() / 1000}`);
  } catch (error) {
    if (asked === figuresAsked) $("period").textContent = `${label}: ${error.message}`;
    return;
  }
  if (asked !== figuresAsked) return;
  $("period").textContent = `${label}: ${from.toLocaleString()} to ${to.toLocaleString()}`;
  $("figures-empty").hidden = !data.empty;
  $("figures-tables").hidden = data.empty;
  const total = { queue: "All queues", ...data.total };
  $("by-queue").replaceChildren(...[...data.queues, total].map((q) => row([q.queue, q.offered, q.answered, q.abandoned, spread(q.wait), spread(q.first_reply), spread(q.handle), rating(q.satisfaction)])));
  $("by-agent").replaceChildren(...data.agents.map((a) => row([`${a.display_name} (${a.agent})`, a.answered, spread(a.wait), spread(a.first_reply), spread(a.handle), rating(a.satisfaction)])));
  const names = { offered: "Offered", answered: "Answered", abandoned: "Abandoned", wait: "Wait", first_reply: "First reply", handle: "Handle", satisfaction: "Satisfaction" };
  $("explained").replaceChildren(...Object.entries(data.explained).flatMap(([key, text]) => [view.el("dt", "", names[key] || key), view.el("dd", "", text)]));
}

start();
