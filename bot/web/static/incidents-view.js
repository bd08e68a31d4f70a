// Suspected network incidents (the sensor's, read through /api/agent/incidents) on the staff pages: the open ones
// in the agent console's header and the supervisor's live view, and the one a case belongs to above the case.
// Text only (agent-view.js el): an incident's evidence is text and shows as text, whatever it holds.

import { el } from "./agent-view.js";

const POLL_MS = 10000; // the sensor updates an incident every few seconds; the header follows within this

const SCOPES = { node: "network node", area: "area", bill_line: "bill line" };
const CLEARED = { quiet: "contacts stopped", real_alarm: "a real alarm covers it", noc: "closed by the NOC" };

// 14:02 in the browser's time zone, whatever its locale writes.
export function clock(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const at = new Date(seconds * 1000);
  return `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
}

export function plural(count, word) {
  return `${count} ${count === 1 ? word : `${word}s`}`;
}

export function nocText(incident) {
  return incident.noc ? `NOC ${incident.noc.kind} ${incident.noc.id}` : "NOC not told yet";
}

// "INC-…: CAB-M1-01 · broadband down · 7 contacts, 6 customers · since 14:02"
export function headerItem(incident) {
  const item = el("li", "incidents__item");
  item.dataset.incident = incident.id;
  item.append(el("strong", "", incident.id), `: ${incident.target} · ${incident.symptom_text} · ${plural(incident.contacts, "contact")}, ${plural(incident.customers, "customer")} · since ${clock(incident.first_contact_at)}`);
  item.title = incident.evidence;
  return item;
}

// Above a case: what the sensor found, how big, and where the NOC has it, so the agent need not diagnose again.
export function caseBlock(box, incident) {
  box.hidden = !incident;
  if (!incident) return box.replaceChildren();
  const open = incident.state === "open";
  const head = el("strong", "", open ? `Suspected network incident ${incident.id}` : `Network incident ${incident.id} (cleared ${clock(incident.cleared_at)}: ${CLEARED[incident.cleared_reason] || "over"})`);
  const text = el("span", "incident__text", `: ${incident.evidence}; ${plural(incident.customers, "customer")} since ${clock(incident.first_contact_at)}; ${nocText(incident)}`);
  const hint = el("div", "muted", open
    ? `${incident.target} (${SCOPES[incident.scope] || incident.scope}) · ${incident.symptom_text}: the network team is investigating, no need to diagnose again.`
    : `${incident.target} (${SCOPES[incident.scope] || incident.scope}) · ${incident.symptom_text}.`);
  box.classList.toggle("banner--cleared", !open);
  box.replaceChildren(head, text, hint);
}

// The supervisor's table: one row per open incident with its size, NOC reference and times.
export function tableRows(incidents) {
  return incidents.map((i) => {
    const tr = el("tr");
    tr.dataset.incident = i.id;
    const cells = [i.id, `${i.target} (${SCOPES[i.scope] || i.scope})`, i.symptom_text, i.evidence, i.contacts,
      i.customers, i.told, i.noc ? `${i.noc.kind} ${i.noc.id}` : "not told yet", clock(i.detected_at), clock(i.first_contact_at)];
    cells.forEach((cell) => tr.append(el("td", "", cell)));
    return tr;
  });
}

// The supervisor's incidents section, fetched again (with the live view): a supervisor is staff, so the console's API.
export async function refreshTable($, api) {
  let data;
  try {
    data = await api("GET", "/api/agent/incidents");
  } catch (error) {
    return; // the live view's own line says when the gateway does not answer
  }
  $("incidents-count").textContent = `(${data.incidents.length})`;
  $("incidents-rows").replaceChildren(...tableRows(data.incidents));
  $("incidents-table").hidden = data.incidents.length === 0;
  $("incidents-empty").hidden = data.incidents.length > 0;
}

// The open incidents, fetched now and every POLL_MS; ``render(incidents)`` on each answer, ``changed()`` when
// an incident opened, grew, was told about, reached the NOC or closed since the last answer.
export function watch(api, render, changed = () => {}) {
  let seen = null;
  let running = null;
  async function refresh() {
    if (running) return running;
    running = (async () => {
      try {
        const data = await api("GET", "/api/agent/incidents");
        render(data.incidents);
        const now = JSON.stringify(data.incidents.map((i) => [i.id, i.contacts, i.customers, i.told, i.state, i.noc && i.noc.id]));
        if (seen !== null && now !== seen) changed();
        seen = now;
      } catch (error) {
        // kept as shown: the console's own connection line says when the gateway is away
      } finally {
        running = null;
      }
    })();
    return running;
  }
  refresh();
  const timer = setInterval(refresh, POLL_MS);
  return { refresh, stop: () => clearInterval(timer) };
}

// The console's header strip: hidden while nothing is open.
export function renderHeader(box, title, list, incidents) {
  box.hidden = incidents.length === 0;
  title.textContent = `Open network incidents (${incidents.length})`;
  list.replaceChildren(...incidents.map(headerItem));
}
