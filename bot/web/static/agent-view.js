// Rendering for the agent console, with DOM nodes and textContent only: no customer or case text is ever parsed
// as HTML, so "<img src=x onerror=alert(1)>" shows as those characters.

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const REASONS = {
  sla_breach: "SLA breach", repeat_contact: "repeat contact", negative_sentiment: "upset customer",
  frustration: "repeated complaint", vulnerability: "vulnerable customer",
};

export function minutes(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  return `${Math.round(seconds / 60)} min`;
}

export function words(code) {
  return String(code || "").replace(/_/g, " ");
}

const PARKED = { callback_requested: "callback requested", ticket_requested: "left as a ticket" };

// Every waiting time shown in the lists, brought up to now.
export function tickWaits(root = document) {
  const now = Date.now();
  for (const wait of root.querySelectorAll(".case-item__wait")) {
    wait.textContent = `${wait.dataset.verb} ${minutes((now - Number(wait.dataset.since)) / 1000)}`;
  }
}

export function caseItem(summary, { onOpen, onAccept, onPickUp, active }) {
  const item = el("li", `case-item case-item--${summary.priority}`);
  if (summary.reannounced) item.classList.add("case-item--reannounced");
  if (active) item.classList.add("case-item--active");
  item.dataset.caseId = summary.case_id;
  item.dataset.conversationId = summary.conversation_id;
  const title = el("div", "case-item__title");
  title.append(el("strong", "", summary.customer || "Unverified customer"), " · ", words(summary.reason));
  const meta = el("div", "case-item__meta");
  const parts = [summary.queue, summary.priority];
  if (PARKED[summary.status]) parts.push(PARKED[summary.status]);
  if (summary.position) parts.push(`#${summary.position}`);
  if (summary.reannounced) parts.push(`re-announced ${summary.reannounced}×`);
  meta.textContent = parts.join(" · ");
  if (summary.waited_s !== null && summary.waited_s !== undefined) {
    // Ticks by itself (tickWaits): the list is fetched only when something changes.
    const wait = el("span", "case-item__wait");
    wait.dataset.since = String(Date.now() - summary.waited_s * 1000);
    wait.dataset.verb = PARKED[summary.status] ? "for" : "waiting";
    meta.append(" · ", wait);
  }
  item.append(title, meta, el("div", "case-item__summary", summary.summary.length > 140 ? `${summary.summary.slice(0, 140)}…` : summary.summary));
  for (const reason of summary.priority_reasons || []) item.append(el("span", "tag tag--warn", REASONS[reason] || words(reason)));
  if (summary.incident) item.append(el("span", "tag tag--incident", `Network incident ${summary.incident}`));
  const buttons = el("div");
  const open = el("button", "", "Open");
  open.type = "button";
  open.addEventListener("click", () => onOpen(summary.case_id));
  buttons.append(open);
  if (onAccept) {
    const accept = el("button", "", "Accept");
    accept.type = "button";
    accept.addEventListener("click", () => onAccept(summary.case_id));
    buttons.append(accept);
  }
  if (onPickUp) {
    const pickUp = el("button", "", "Pick up");
    pickUp.type = "button";
    pickUp.addEventListener("click", () => onPickUp(summary.case_id));
    buttons.append(pickUp);
  }
  item.append(buttons);
  tickWaits(item);
  return item;
}

function section(title, content) {
  const fragment = document.createDocumentFragment();
  fragment.append(el("h3", "", title), content);
  return fragment;
}

function definitions(pairs) {
  const list = el("dl");
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    list.append(el("dt", "", term), el("dd", "", value));
  }
  return list;
}

// ``whole``: how many leading columns (a time first, then names, ids) never break inside a word: the table gives
// them the width of their longest word, and the free text after them wraps.
function table(headers, rows, whole = 0) {
  const kind = (i) => (i === 0 && whole ? "cell--time" : i < whole ? "cell--whole" : "");
  const t = el("table");
  const head = el("tr");
  headers.forEach((h, i) => head.append(el("th", kind(i), h)));
  t.append(head);
  for (const row of rows) {
    const tr = el("tr");
    row.forEach((cell, i) => tr.append(el("td", kind(i), cell)));
    t.append(tr);
  }
  return t;
}

// The name a person goes by: the display name written with the entry, else one the page knows for the login.
function nameOf(entry, names) {
  return entry.by_name || (names && names[entry.by]) || entry.by;
}

function time(iso) {
  if (!iso) return "";
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? String(iso) : when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

// The case as a person reads it: why it is here, who the customer is, what the bot found and tried, what to do.
// ``names``: display names the page knows, by login (the agent's own, the holder's), for entries written without.
export function caseView(c, agentName, names = {}) {
  const root = document.createDocumentFragment();
  const why = el("div");
  why.append(el("p", "", c.summary));
  if (c.suggested_next_action) why.append(el("p", "next", `Suggested next step: ${c.suggested_next_action}`));
  root.append(section("Why the bot handed over", why));
  root.append(definitions([
    ["Reason", words(c.reason)], ["Queue", c.queue], ["Priority", c.priority],
    ["Because", (c.priority_reasons || []).map((r) => REASONS[r] || words(r)).join(", ")],
    ["Problem", words(c.problem)], ["Case", c.case_id], ["Opened", time(c.created_at)],
    ["Earlier cases (7 days)", (c.contact_history || []).join(", ")],
    ["Transferred from", (c.transfers || []).join(", ")], ["Handled by", agentName],
  ]));
  const identity = c.identity;
  root.append(section("Customer", identity
    ? definitions([["Name", identity.name], ["Customer id", identity.customer_id], ["Accounts", (identity.account_ids || []).join(", ")],
      ["Verified by", identity.method], ["Failed attempts", identity.failed_attempts || 0],
      ["Services", (c.services || []).join(", ")], ["Care needed", c.vulnerable ? "yes: see the transcript" : ""]])
    : el("p", "muted", "Not verified by the bot: verify the customer before discussing the account.")));
  const u = c.understanding || {};
  const alternatives = (u.alternatives || []).map((a) => `${words(a.name)} ${(a.confidence ?? 0).toFixed(2)}`).join(", ");
  const started = u.started_with || u.top_intent;
  const startedConfidence = u.started_with ? u.started_confidence : u.confidence;
  root.append(section("What the bot understood", definitions([
    ["Came with", started ? `${words(started)} (${(startedConfidence ?? 0).toFixed(2)})` : "not understood"],
    ["Last message", u.started_with && u.top_intent ? `${words(u.top_intent)} (${(u.confidence ?? 0).toFixed(2)})` : ""],
    ["Alternatives", alternatives], ["Entities", (u.entities || []).map((e) => `${e.entity}: ${e.value}`).join(", ")],
  ])));
  const findings = Object.entries(c.findings || {}).map(([k, v]) => [words(k), typeof v === "object" ? JSON.stringify(v) : String(v)]);
  if (findings.length) root.append(section("What the bot found", definitions(findings)));
  if ((c.tried || []).length) root.append(section("Already tried", el("p", "", c.tried.map(words).join(", "))));
  root.append(section("Evidence (every OSS/BSS lookup)", (c.evidence || []).length
    ? evidenceList(c.evidence) : el("p", "muted", "No lookups were made.")));
  for (const run of c.diagnostics || []) root.append(diagnosticView(run, names));
  if ((c.tickets || []).length) root.append(section("Tickets", table(["When", "By", "Ticket", "What"], c.tickets.map((t) => [time(t.at), nameOf(t, names), `${t.action} ${t.ticket_id} ${t.status || ""}`, t.summary]), 3)));
  if ((c.notes || []).length) root.append(section("Notes", table(["When", "By", "Note"], c.notes.map((n) => [
    time(n.at), nameOf(n, names), n.transfer_to ? `With the transfer to ${n.transfer_to}: ${n.text}` : n.text]), 2)));
  const transcript = el("ol", "transcript");
  for (const turn of c.transcript || []) {
    const line = el("li", `line line--${turn.speaker}`);
    line.append(el("span", "line__who", turn.speaker), turn.text);
    if (turn.sentiment !== null && turn.sentiment !== undefined) line.append(el("span", "sentiment", `sentiment ${turn.sentiment.toFixed(2)}`));
    transcript.append(line);
  }
  root.append(section("Transcript when handed over", transcript));
  return root;
}

// One lookup per item, its long values wrapping: readable in half of a 1024-pixel screen.
function evidenceList(evidence) {
  const list = el("ol", "evidence");
  for (const e of evidence) {
    const item = el("li");
    const head = el("div", "evidence__head");
    const ok = e.outcome === "ok" || e.outcome === "success";
    head.append(el("span", "", time(e.started_at)), el("span", "", e.api),
      el("span", `evidence__outcome--${ok ? "ok" : "bad"}`, `${e.outcome}${e.status ? " " + e.status : ""}`));
    item.append(head, el("div", "evidence__op", `${e.operation} ${e.target}`), el("div", "", e.summary));
    list.append(item);
  }
  return list;
}

// The note written with the transfer that brought the case to its queue, for the agent taking it over.
export function transferNote(c, names = {}) {
  const notes = (c.notes || []).filter((n) => n.transfer_to);
  const last = notes[notes.length - 1];
  if (!last || last.transfer_to !== c.queue) return null;
  const box = document.createDocumentFragment();
  box.append(el("strong", "", `Transfer note from ${nameOf(last, names)}${last.transfer_from ? ` (${last.transfer_from} → ${last.transfer_to})` : ""}:`), last.text);
  return box;
}

export function diagnosticView(run, names = {}) {
  const box = el("div", "diff");
  const lookup = run.kind === "customer_lookup";
  const by = lookup && run.result && run.result.by ? `${run.result.by} ` : "";
  box.append(el("h3", "", lookup ? `Customer lookup by ${by}${run.target} (${time(run.at)}, ${nameOf(run, names)})`
    : `Re-run ${words(run.kind)} on ${run.target} (${time(run.at)}, ${nameOf(run, names)})`));
  box.append(el("p", "", run.result && run.result.summary ? run.result.summary : JSON.stringify(run.result)));
  const changes = el("ul");
  for (const change of run.changes || []) changes.append(el("li", "", change));
  if (!lookup) box.append(el("p", "muted", "Since the bot's run:"));
  box.append(changes);
  if (run.evidence && run.evidence.length) box.append(evidenceList(run.evidence));
  return box;
}

const EVENT_TEXT = {
  queued: (e) => `Customer queued${e.position ? ` at position ${e.position}` : ""}`,
  position: (e) => `Customer's position: ${e.position}`,
  agent_joined: (e) => `${e.agent_name} joined`,
  agent_left: (e) => `${e.agent_name || "The agent"} left`,
  requeued: (e) => `${e.agent_name || "The agent"} was gone too long: back in the queue`,
  handed_back: () => "Handed back to the bot",
  closed: (e) => `${e.agent_name || "The agent"} ended the chat`,
  no_agent: () => "Customer told nobody is available (offered a callback or a ticket)",
};

// One history entry as a chat line, or null for entries with nothing to show.
export function chatLine(entry) {
  if (entry.kind === "customer") {
    const line = el("li", "line line--customer");
    // What the bot processed: the typed text, or a button's payload beside the title the customer saw.
    line.append(el("span", "line__who", "Customer"), entry.text || "");
    if (entry.display && (entry.text || "").startsWith("/")) {
      line.replaceChildren(el("span", "line__who", "Customer"), entry.display, el("span", "muted", ` [button ${entry.text}]`));
    }
    return line;
  }
  if (entry.kind === "handoff") {
    const text = (EVENT_TEXT[entry.event.type] || (() => ""))(entry.event);
    return text ? el("li", "line line--event", text) : null;
  }
  const body = entry.body || {};
  if (typeof body.text !== "string" || !body.text) return null;
  const who = entry.from === "agent" ? `${entry.agent_name || "Agent"}` : entry.from === "system" ? "Notice" : "Bot";
  const line = el("li", `line line--${entry.from === "agent" ? "agent" : entry.from === "system" ? "event" : "bot"}`);
  line.append(el("span", "line__who", who), body.text);
  return line;
}
