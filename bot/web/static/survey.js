// "How did we do?" at the end of a chat: a card in the conversation, right after the end it asks about.
//
// An end offers a survey in the history (see bot/chat/surveys.py): a bot message with custom.survey (the bot
// concluded a problem) or a handoff event `closed`/`handed_back` with `survey` (an agent ended it or handed
// back). The card asks for 1 to 5 and an optional comment, sends them to POST /api/satisfaction with the
// conversation's token, and thanks; "Change my answer" sends again (the server replaces the answer), "No thanks"
// dismisses it. What was answered or dismissed is remembered per conversation in localStorage, so the same end
// is never asked about twice, across reloads. The card never takes the focus: typing a message goes on.

const DONE_KEY = "triage.chat.surveys";
const MAX_COMMENT = 1000;
const SCALE = [
  [1, "Very poor"],
  [2, "Poor"],
  [3, "OK"],
  [4, "Good"],
  [5, "Excellent"],
];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The survey an entry offers, or null: {id, who} where who names the end ("Dana", or the assistant).
export function surveyOf(entry) {
  if (entry.kind === "message" && entry.from === "bot") {
    const survey = entry.body && entry.body.custom && entry.body.custom.survey;
    if (survey && typeof survey.id === "string") return { id: survey.id, who: "the assistant" };
  } else if (entry.kind === "handoff") {
    const survey = entry.event && entry.event.survey;
    if (survey && typeof survey.id === "string") return { id: survey.id, who: entry.event.agent_name || "our team" };
  }
  return null;
}

export class Surveys {
  // storage: localStorage (or its stand-in); session(): {conversationId, token}; place(item, seq): into the log.
  constructor(storage, session, place) {
    this.storage = storage;
    this.session = session;
    this.place = place;
    this.count = 0;
  }

  done() {
    try {
      const kept = JSON.parse(this.storage.getItem(DONE_KEY) || "{}");
      const { conversationId } = this.session();
      return kept && kept.conversation === conversationId && kept.done ? kept.done : {};
    } catch (error) {
      return {};
    }
  }

  remember(id, value) {
    const done = this.done();
    done[id] = value;
    this.storage.setItem(DONE_KEY, JSON.stringify({ conversation: this.session().conversationId, done }));
  }

  // Show the card for an entry's survey, once, unless it was answered or dismissed already.
  offer(entry) {
    const survey = surveyOf(entry);
    if (!survey || this.done()[survey.id]) return false;
    if (document.querySelector(`.survey[data-survey-id="${CSS.escape(survey.id)}"]`)) return false;
    this.place(this.card(survey), entry.seq);
    return true;
  }

  card(survey) {
    const n = ++this.count;
    const item = el("li", "survey");
    item.dataset.surveyId = survey.id;
    const form = el("form", "survey__form");
    form.noValidate = true;
    form.setAttribute("aria-labelledby", `survey-title-${n}`);
    const title = el("h2", "survey__title", "How did we do?");
    title.id = `survey-title-${n}`;
    const about = el("p", "survey__about", `Rate this chat with ${survey.who}. It helps us improve.`);

    const scale = el("fieldset", "survey__scale");
    scale.append(el("legend", "survey__legend", "Your rating, from 1 (very poor) to 5 (excellent)"));
    for (const [value, word] of SCALE) {
      const label = el("label", "survey__score");
      const input = el("input");
      input.type = "radio";
      input.name = `score-${n}`;
      input.value = String(value);
      label.append(input, el("span", "survey__num", String(value)), " ", el("span", "survey__word", word));
      scale.append(label);
    }

    const commentLabel = el("label", "survey__label", "Anything to add? (optional)");
    commentLabel.htmlFor = `survey-comment-${n}`;
    const comment = el("textarea", "survey__comment");
    comment.id = `survey-comment-${n}`;
    comment.rows = 2;
    comment.maxLength = MAX_COMMENT;
    const error = el("p", "survey__error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    const actions = el("div", "survey__actions");
    const submit = el("button", "survey__send", "Send feedback");
    submit.type = "submit";
    const dismiss = el("button", "survey__dismiss", "No thanks");
    dismiss.type = "button";
    actions.append(submit, dismiss);
    form.append(title, about, scale, commentLabel, comment, error, actions);

    const thanks = el("div", "survey__thanks");
    thanks.hidden = true;
    const thanksText = el("p", "survey__thanks-text", "");
    thanksText.setAttribute("role", "status");
    const change = el("button", "survey__change", "Change my answer");
    change.type = "button";
    thanks.append(thanksText, change);
    item.append(form, thanks);

    const showError = (text) => {
      error.textContent = text;
      error.hidden = !text;
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = form.querySelector("input[type=radio]:checked");
      if (!chosen) {
        showError("Choose a rating from 1 to 5 first.");
        form.querySelector("input[type=radio]").focus();
        return;
      }
      showError("");
      const focused = item.contains(document.activeElement); // before the disabled button loses the focus
      submit.disabled = true;
      try {
        const answer = { survey_id: survey.id, score: Number(chosen.value), comment: comment.value.trim() || null };
        const stored = await this.send(answer);
        this.remember(survey.id, "answered");
        form.hidden = true;
        thanks.hidden = false;
        if (focused) change.focus(); // keyboard users stay on the card, on its one remaining button
        thanksText.textContent = `Thanks for your feedback: you rated this chat ${stored.score} out of 5.`;
      } catch (problem) {
        showError(problem.message);
        submit.disabled = false;
        if (focused) submit.focus();
        return;
      }
      submit.disabled = false;
    });

    change.addEventListener("click", () => {
      thanks.hidden = true;
      form.hidden = false;
      item.scrollIntoView({ block: "nearest" });
      form.querySelector("input[type=radio]:checked").focus();
    });

    dismiss.addEventListener("click", () => {
      this.remember(survey.id, "dismissed");
      item.remove();
      document.getElementById("message").focus();
    });
    return item;
  }

  async send(answer) {
    const { conversationId, token } = this.session();
    let response;
    try {
      response = await fetch("/api/satisfaction", {
        method: "POST",
        credentials: "omit", // the token is the only key: no cookie rides along
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ conversation_id: conversationId, ...answer }),
      });
    } catch (error) {
      throw new Error("Your feedback couldn't be sent: check your connection and try again.");
    }
    let body = {};
    try {
      body = await response.json();
    } catch (error) {
      body = {};
    }
    if (!response.ok) throw new Error(body.message || "Your feedback couldn't be sent just now: please try again.");
    return body;
  }
}
