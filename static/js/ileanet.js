// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// Mention autocomplete (a textarea with data-mentions="<list id>" and hx-get): send only the
// word being typed after "@", never the message itself, and insert the handle picked. The
// server answers from two characters on (community.selectors.forum.MENTION_MIN_CHARS).
const MENTION_BEFORE_CARET = /(?:^|\s)@([\w.-]{2,60})$/;

document.addEventListener("htmx:configRequest", (event) => {
  const field = event.detail.elt;
  if (!field.matches || !field.matches("textarea[data-mentions]")) {
    return;
  }
  const match = field.value.slice(0, field.selectionStart).match(MENTION_BEFORE_CARET);
  if (!match) {
    // Not typing a mention: no request, and no stale suggestions.
    event.preventDefault();
    document.getElementById(field.dataset.mentions)?.replaceChildren();
    return;
  }
  event.detail.parameters = { q: match[1] };
});

document.addEventListener("click", (event) => {
  const choice = event.target.closest("[data-mention]");
  const list = choice && choice.closest("[data-mentions-for]");
  const field = list && document.getElementById(list.dataset.mentionsFor);
  if (!field) {
    return;
  }
  const caret = field.selectionStart;
  const before = field.value
    .slice(0, caret)
    .replace(/@[\w.-]*$/, `@${choice.dataset.mention} `);
  field.value = before + field.value.slice(caret);
  field.focus();
  field.setSelectionRange(before.length, before.length);
  list.replaceChildren();
});

// A quoted reply swapped in by htmx: put the caret at the end of the message.
document.addEventListener("htmx:afterSettle", (event) => {
  const field = event.target.id === "reply-form" && event.target.querySelector("textarea");
  if (field) {
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  }
});
