// Everything the customer sees, built with DOM nodes and textContent only: no message text is ever parsed
// as HTML, so "<img src=x onerror=alert(1)>" shows as those characters.

const URL_OR_MARKDOWN_LINK = /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)|https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]]/g;

const SOMEONE = "Someone from our team"; // an agent's message or event without a name (never a login)
export const ASSISTANT = "Talking to the assistant";

const log = document.getElementById("log");
const stateLine = document.getElementById("state");
const connectionLine = document.getElementById("connection");
const typingLine = document.getElementById("typing");

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function link(href, text) {
  const a = el("a", "", text);
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

// Text with its web links (bare or Markdown [title](url)) made clickable; nothing else is interpreted.
export function richText(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_OR_MARKDOWN_LINK)) {
    fragment.append(text.slice(last, match.index));
    fragment.append(match[1] ? link(match[2], match[1]) : link(match[0], match[0]));
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

function clock(ts) {
  const when = new Date(ts);
  const time = el("time", "msg__time", when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
  time.dateTime = when.toISOString();
  return time;
}

function speaker(entry) {
  if (entry.kind === "customer") return "You";
  if (entry.from === "agent") return entry.agent_name || SOMEONE;
  if (entry.from === "system") return "Notice";
  return "Assistant";
}

function bubble(className, who, content, ts) {
  const item = el("li", `msg ${className}`);
  const label = el("span", "msg__who", who);
  const body = el("div", "msg__bubble");
  body.append(content);
  item.append(label, body, clock(ts));
  return item;
}

function attachment(payload) {
  const src = payload && payload.payload && (payload.payload.src || payload.payload.url);
  if (typeof src !== "string" || !/^https?:\/\//.test(src)) return document.createTextNode("(an attachment)");
  if (payload.type === "image") {
    const image = el("img", "msg__image");
    image.src = src;
    image.alt = payload.payload.title || "Image from the assistant";
    return image;
  }
  return link(src, payload.payload.title || src);
}

function quickReplies(replies, onChoose) {
  const group = el("div", "quick-replies");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Suggested replies");
  for (const reply of replies) {
    if (typeof reply.title !== "string" || typeof reply.payload !== "string") continue;
    const button = el("button", "quick-reply", reply.title);
    button.type = "button";
    button.addEventListener("click", () => {
      // One answer per question: the siblings go stale at once, before the reply (or a double click) arrives.
      for (const sibling of group.querySelectorAll(".quick-reply")) sibling.disabled = true;
      onChoose(reply.payload, reply.title);
    });
    group.append(button);
  }
  return group;
}

// One history entry as a list item, or null for entries that only change the state line.
export function entryItem(entry, onChoose) {
  if (entry.kind === "customer") {
    const item = bubble("msg--customer", "You", richText(entry.display || entry.text), entry.ts);
    item.dataset.clientId = entry.client_id || "";
    return item;
  }
  if (entry.kind === "handoff") {
    const text = handoffLine(entry.event);
    if (!text) return null;
    const item = bubble("msg--system", "Notice", document.createTextNode(text), entry.ts);
    if (entry.event.offers && entry.event.offers.length) item.append(quickReplies(entry.event.offers, onChoose));
    return item;
  }
  const body = entry.body || {};
  const sender = entry.from === "agent" ? "msg--agent" : entry.from === "system" ? "msg--system" : "msg--bot";
  let content;
  if (typeof body.text === "string" && body.text) content = richText(body.text);
  else if (body.attachment) content = attachment(body.attachment);
  else return null;
  const item = bubble(sender, speaker(entry), content, entry.ts);
  const replies = body.quick_replies || body.buttons;
  if (Array.isArray(replies) && replies.length) item.append(quickReplies(replies, onChoose));
  return item;
}

function waitingLine(event) {
  const parts = [];
  if (event.position) parts.push(`position ${event.position}`);
  if (event.wait_s !== undefined) parts.push(`about ${Math.max(1, Math.round(event.wait_s / 60))} min`);
  return `Waiting for an agent${parts.length ? ": " + parts.join(", ") : ""}`;
}

// Who holds the conversation after a handoff event, and the state line saying who is talking now. Every event
// but typing sets both: the line never keeps a sentence about what happened ("… ended the chat") once the
// assistant answers again.
export function stateAfter(event) {
  const name = event.agent_name || SOMEONE;
  switch (event.type) {
    case "queued":
    case "position":
      return { holder: "waiting", line: waitingLine(event) };
    case "requeued":
      return { holder: "waiting", line: "Waiting for an agent: you're back in the queue, at your place" };
    case "no_agent":
      return { holder: "waiting", line: "Waiting for an agent: nobody is available right now" };
    case "agent_joined":
      return { holder: "agent", line: `Talking to ${name}` };
    case "closed":
      return { holder: "closed", line: ASSISTANT };
    case "agent_left":
    case "handed_back":
    case "withdrawn":
      return { holder: "bot", line: ASSISTANT };
    default:
      return null;
  }
}

// The notice shown in the conversation for a handoff event ("" for none).
export function handoffLine(event) {
  const name = event.agent_name || SOMEONE;
  switch (event.type) {
    case "queued":
    case "position":
      return waitingLine(event);
    case "agent_joined":
      return `${name} joined`;
    case "agent_left":
      return `${name} left: you're back with the assistant`;
    case "requeued":
      return `${name} had to leave: you're back in the queue, at your place`;
    case "handed_back":
      return event.agent_name ? `${event.agent_name} handed you back to the assistant` : "Back with the assistant";
    case "closed":
      return `${name} ended the chat. Thanks for contacting us: write again any time and the assistant will answer.`;
    case "no_agent":
      return event.message || "No agent is available right now";
    case "withdrawn": // the assistant says so in its own words, next
    default:
      return "";
  }
}

// Insert in sequence order; messages not yet kept by the server (no seq) stay last, in the order typed.
export function place(item, seq) {
  if (seq !== undefined) {
    item.dataset.seq = String(seq);
    for (const other of log.children) {
      if (!other.dataset.seq || Number(other.dataset.seq) > seq) {
        log.insertBefore(item, other);
        return;
      }
    }
  }
  log.append(item);
}

export function markPending(item, text) {
  let status = item.querySelector(".msg__status");
  if (!status) {
    status = el("span", "msg__status");
    item.append(status);
  }
  status.textContent = text;
}

export function markKept(item) {
  const status = item.querySelector(".msg__status");
  if (status) status.remove();
}

// A refusal for this page only ("too long", "wait a moment"): not in the history, so it leaves offers as they are.
export function notice(text, ts) {
  const item = bubble("msg--system", "Notice", document.createTextNode(text), ts || Date.now());
  item.dataset.notice = "true";
  log.append(item);
}

// Replies belong to the message that offered them, and only the latest message's can be chosen: anything newer
// (the customer's answer, the bot, an agent, a handoff event) makes them history, live and after a reload alike,
// so a stale "Request a callback" can never go to an agent as text. Survey cards, refusal notices and entries
// with nothing to show are not messages and leave offers as they are. Disabled buttons leave the tab order and
// are announced as unavailable; a keyboard user whose button goes stale is put back in the message box.
export function refreshQuickReplies() {
  let current = true;
  let lostFocus = false;
  for (const item of Array.from(log.children).reverse()) {
    if (!item.classList.contains("msg") || item.hidden || item.dataset.notice) continue;
    for (const button of item.querySelectorAll(".quick-reply")) {
      if (!current && button === document.activeElement) lostFocus = true;
      button.disabled = !current;
    }
    current = false;
  }
  if (lostFocus) document.getElementById("message").focus({ preventScroll: true });
}

export function clearLog() {
  log.replaceChildren();
}

export function findCustomer(clientId) {
  return Array.from(log.querySelectorAll(".msg--customer")).find((item) => item.dataset.clientId === clientId);
}

export function setState(text) {
  if (stateLine.textContent !== text) stateLine.textContent = text;
}

export function setConnection(text) {
  connectionLine.textContent = text;
  connectionLine.hidden = !text;
}

export function setTyping(text) {
  typingLine.textContent = text;
  typingLine.hidden = !text;
}

export function scrollToEnd() {
  log.lastElementChild && log.lastElementChild.scrollIntoView({ block: "end" });
}
