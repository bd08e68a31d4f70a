// Canned replies: the picker in the reply box (agents) and the panel where supervisors keep them per queue.
// Every reply is text: shown with textContent, inserted into the box for the agent to edit before sending.

import { el } from "./agent-view.js";

const TOKEN = /(?:^|\s)\/([^\n/]{0,40})$/; // "/" at a line's start or after a space, then the filter typed so far
const SHOWN = 8;

// The picker of the reply box. Returns {setReplies(list)}; its keydown listener runs before the box's own.
export function installPicker(box, list) {
  let replies = [];
  let matches = [];
  let index = 0;
  let token = null; // {start, end, filter} of the "/filter" being typed
  let dismissed = null; // the token the agent closed with Esc: not reopened until it changes

  function find() {
    const before = box.value.slice(0, box.selectionStart);
    const match = TOKEN.exec(before);
    if (!match || box.selectionStart !== box.selectionEnd) return null;
    return { start: before.length - match[1].length - 1, end: before.length, filter: match[1] };
  }

  function render() {
    token = find();
    if (!token || (dismissed && dismissed.start === token.start && dismissed.filter === token.filter)) {
      close();
      return;
    }
    dismissed = null;
    const wanted = token.filter.trim().toLocaleLowerCase();
    matches = replies.filter((r) => !wanted || `${r.title}\n${r.text}`.toLocaleLowerCase().includes(wanted)).slice(0, SHOWN);
    index = Math.min(index, Math.max(0, matches.length - 1));
    const items = matches.map((reply, i) => {
      const item = el("li");
      item.id = `canned-option-${i}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(i === index));
      item.append(el("span", "picker__title", reply.title), el("span", "picker__text", reply.text.length > 90 ? `${reply.text.slice(0, 90)}…` : reply.text));
      item.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus in the box
        insert(reply);
      });
      return item;
    });
    if (!items.length) {
      items.push(el("li", "muted", replies.length ? `No canned reply matches “${token.filter}”. Esc closes.` : "This queue has no canned replies yet. Esc closes."));
    }
    list.replaceChildren(...items);
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    if (matches.length) box.setAttribute("aria-activedescendant", `canned-option-${index}`);
    else box.removeAttribute("aria-activedescendant");
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
    index = 0;
  }

  function insert(reply) {
    const at = find() || { start: box.selectionStart, end: box.selectionEnd };
    box.setRangeText(reply.text, at.start, at.end, "end");
    close();
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  }

  box.addEventListener("input", render);
  box.addEventListener("click", render);
  box.addEventListener("blur", close);
  box.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    if (event.ctrlKey && event.key === "/") {
      event.preventDefault();
      const before = box.value.slice(0, box.selectionStart);
      box.setRangeText(before && !/\s$/.test(before) ? " /" : "/", box.selectionStart, box.selectionEnd, "end");
      dismissed = null;
      render();
      return;
    }
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (matches.length) index = (index + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
      render();
    } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
      if (!matches.length && event.key === "Tab") return;
      event.preventDefault();
      event.stopImmediatePropagation(); // not sent: the agent edits the inserted text first
      if (matches.length) insert(matches[index]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      dismissed = token;
      close();
    }
  });

  return {
    setReplies(list_) {
      replies = list_ || [];
      if (!list.hidden) render();
    },
  };
}

// The supervisors' panel: list, add, edit and delete the replies of a queue.
export function installCannedAdmin($, api) {
  let editing = null;
  const LIMITS = { "canned-title": 60, "canned-text": 2000 };

  function count(id) {
    const n = $(id).value.trim().length;
    $(`${id}-count`).textContent = `${n}/${LIMITS[id]}`;
    $(`${id}-count`).classList.toggle("error", n > LIMITS[id]);
  }

  function resetForm() {
    editing = null;
    $("canned-title").value = "";
    $("canned-text").value = "";
    $("canned-form-title").textContent = "Add a reply";
    $("canned-save").textContent = "Add reply";
    $("canned-cancel").hidden = true;
    count("canned-title");
    count("canned-text");
  }

  async function load() {
    const queue = $("canned-queue").value;
    try {
      const data = await api("GET", `/api/supervisor/canned/${encodeURIComponent(queue)}`);
      $("canned-rows").replaceChildren(...data.replies.map(row));
      $("canned-empty").hidden = data.replies.length > 0;
    } catch (error) {
      $("canned-error").textContent = error.message;
    }
  }

  function row(reply) {
    const tr = el("tr");
    tr.dataset.replyId = reply.id;
    const when = new Date(reply.updated_at);
    tr.append(el("td", "", reply.title), el("td", "", reply.text), el("td", "muted", `${reply.updated_by}, ${when.toLocaleString()}`));
    const cell = el("td");
    const edit = el("button", "", "Edit");
    edit.type = "button";
    edit.setAttribute("aria-label", `Edit ${reply.title}`);
    edit.addEventListener("click", () => {
      editing = reply.id;
      $("canned-title").value = reply.title;
      $("canned-text").value = reply.text;
      $("canned-form-title").textContent = `Edit “${reply.title}”`;
      $("canned-save").textContent = "Save changes";
      $("canned-cancel").hidden = false;
      count("canned-title");
      count("canned-text");
      $("canned-title").focus();
    });
    const remove = el("button", "", "Delete");
    remove.type = "button";
    remove.setAttribute("aria-label", `Delete ${reply.title}`);
    remove.addEventListener("click", async () => {
      if (remove.dataset.confirm !== "1") {
        remove.dataset.confirm = "1";
        remove.textContent = "Really delete?";
        return;
      }
      try {
        await api("DELETE", `/api/supervisor/canned/${encodeURIComponent($("canned-queue").value)}/${encodeURIComponent(reply.id)}`);
        $("canned-status").textContent = `Deleted “${reply.title}”.`;
        if (editing === reply.id) resetForm();
      } catch (error) {
        $("canned-error").textContent = error.message;
      }
      load();
    });
    cell.append(edit, " ", remove);
    tr.append(cell);
    return tr;
  }

  $("canned-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("canned-error").textContent = "";
    $("canned-status").textContent = "";
    const queue = encodeURIComponent($("canned-queue").value);
    const body = { title: $("canned-title").value, text: $("canned-text").value };
    try {
      const data = editing
        ? await api("PUT", `/api/supervisor/canned/${queue}/${encodeURIComponent(editing)}`, body)
        : await api("POST", `/api/supervisor/canned/${queue}`, body);
      $("canned-status").textContent = `Saved “${data.reply.title}”.`;
      resetForm();
    } catch (error) {
      $("canned-error").textContent = `Not saved: ${error.message}`; // the form keeps what was typed
    }
    load();
  });
  $("canned-cancel").addEventListener("click", resetForm);
  $("canned-queue").addEventListener("change", () => {
    resetForm();
    $("canned-error").textContent = "";
    load();
  });
  for (const id of Object.keys(LIMITS)) $(id).addEventListener("input", () => count(id));
  $("canned-admin").hidden = false;
  resetForm();
  load();
}
