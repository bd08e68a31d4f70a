// Looking up an unverified customer from a held case: by account or phone number, the way the bot identifies one.
//
// POST /api/agent/cases/{id}/lookup journals the lookup into the case (its evidence) and the audit log; this panel
// shows the answer at once and tells the console the case changed ("case-changed" on the container, bubbling), so
// it can re-read the case. The last customer found per case is kept here, with its time, so a case shown again
// (re-opened, re-accepted after a transfer) shows it; an error is said once and not brought back with the case.
// Text from the server is only ever set as textContent.

import { el } from "./agent-view.js";

const EXAMPLES = { account: "AC10000003", phone: "07700 900003" };
const MAX_REF_CHARS = 40;
const KEPT_CASES = 50; // answers kept for this many cases of the session, the oldest dropped first
const last = new Map(); // case id -> {kind: "found", data, at}: the last successful lookup of the case

export function mountLookup(container, caseId, api) {
  container.replaceChildren();
  const form = el("form", "lookup");
  form.noValidate = true; // the server's sentence is the one to show, for every browser alike
  const byLabel = el("label", "", "Look up customer by ");
  const by = el("select");
  by.id = "lookup-by";
  by.name = "by";
  for (const [value, text] of [["account", "Account number"], ["phone", "Phone number"]]) {
    const option = el("option", "", text);
    option.value = value;
    by.append(option);
  }
  byLabel.append(by);
  const ref = el("input");
  ref.id = "lookup-ref";
  ref.name = "ref";
  ref.maxLength = MAX_REF_CHARS;
  ref.autocomplete = "off";
  ref.spellcheck = false;
  ref.setAttribute("aria-label", "Account or phone number to look up");
  const button = el("button", "", "Look up");
  button.type = "submit";
  form.append(byLabel, ref, button);
  const error = el("p", "error");
  error.id = "lookup-error";
  error.setAttribute("role", "alert");
  const result = el("div", "lookup__result");
  result.id = "lookup-result";
  result.setAttribute("aria-live", "polite");
  container.append(form, error, result);

  const placeholder = () => (ref.placeholder = `e.g. ${EXAMPLES[by.value]}`);
  by.addEventListener("change", placeholder);
  placeholder();
  show(last.get(caseId));

  function show(answer) {
    error.textContent = answer && answer.kind === "error" ? answer.message : "";
    error.hidden = !error.textContent;
    result.replaceChildren(...(answer && answer.kind === "found" ? found(answer.data, answer.at) : []));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = ref.value.trim();
    if (!typed) {
      show({ kind: "error", message: `Type the customer's ${by.value === "account" ? "account" : "phone"} number, e.g. ${EXAMPLES[by.value]}.` });
      ref.focus();
      return;
    }
    button.disabled = true;
    button.textContent = "Looking up…";
    let answer;
    let journaled = false;
    try {
      const data = await api("POST", `/api/agent/cases/${encodeURIComponent(caseId)}/lookup`, { by: by.value, ref: typed });
      answer = { kind: "found", data, at: new Date() };
      journaled = true;
    } catch (failure) {
      answer = { kind: "error", message: failure.message || "The lookup failed." };
      journaled = failure.status === 404 && failure.data && failure.data.error === "customer_not_found";
    } finally {
      button.disabled = false;
      button.textContent = "Look up";
    }
    if (answer.kind === "found") {
      last.delete(caseId);
      last.set(caseId, answer);
      if (last.size > KEPT_CASES) last.delete(last.keys().next().value);
    }
    show(answer);
    if (journaled) {
      container.dispatchEvent(new CustomEvent("case-changed", { bubbles: true, detail: { caseId, what: "customer_lookup" } }));
    }
  });
}

function found(data, at) {
  const c = data.customer;
  const when = el("p", "muted lookup__when", `Looked up at ${at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })}`);
  const heading = el("p", "", "");
  heading.append(el("strong", "", c.name), ` · ${c.customer_id}${c.status ? ` · ${c.status}` : ""}`);
  const list = el("dl");
  const services = c.services_unavailable ? "could not be read right now" : c.services.join("; ") || "none";
  for (const [term, value] of [["Accounts", c.account_ids.join(", ") || "none"], ["Services", services]]) {
    list.append(el("dt", "", term), el("dd", "", value));
  }
  const notes = (data.run && data.run.changes) || [];
  return [when, heading, list, ...notes.map((text) => el("p", "muted", text))];
}
