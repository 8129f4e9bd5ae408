// Keyboard shortcuts of the moderation pages (the groups page and the queue), which work without
// them: j/k or the arrows move from one item to the next, p, r and m put the focus on the item's
// publish button, reason select or merge button, and Enter confirms there, as with any button.
// Nothing is decided by a single key. Every move is said in the page's live region, so that a
// screen reader announces where the focus went. Served as a file: the Content-Security-Policy
// forbids inline scripts.

const live = document.getElementById("keyboard-live");
const grouped = [...document.querySelectorAll("[data-keyboard-item]")];
const rows = grouped.length ? [] : [...document.querySelectorAll("#queue tbody tr")];
const items = grouped.length ? grouped : rows;
let current = -1;

function say(message) {
  if (!live) return;
  // Emptied first: the same sentence said twice must be announced twice.
  live.textContent = "";
  window.setTimeout(() => { live.textContent = message; }, 50);
}

function describe(item) {
  const heading = item.querySelector("h2, h3");
  if (heading) return heading.textContent.trim();
  const reference = item.querySelector("td a");
  return `Question ${reference ? reference.textContent.trim() : ""}`;
}

function focusItem(index) {
  if (!items.length) return;
  current = Math.max(0, Math.min(items.length - 1, index));
  const item = items[current];
  item.setAttribute("tabindex", "-1");
  item.focus();
  item.scrollIntoView({ block: "nearest" });
  say(`${describe(item)}. ${current + 1} sur ${items.length}.`);
}

function reach(control, message) {
  if (!control) {
    say("Cette décision n'est pas proposée ici.");
    return;
  }
  control.focus();
  say(message);
}

// On the queue a row is decided through the selection: the row's box is ticked first.
function selectRow(row) {
  const box = row.querySelector("input[type=checkbox]");
  if (box && !box.checked) box.click();
}

function act(key) {
  const item = items[current];
  if (!item) {
    say("Choisissez d'abord un élément avec j ou k.");
    return;
  }
  if (grouped.length) {
    const targets = {
      p: ["[data-keyboard=publish]", "Bouton Publier. Entrée pour confirmer."],
      r: ["select[name$=reason]", "Motif de refus : choisissez-le, puis Tab jusqu'au bouton Refuser."],
      m: ["[data-keyboard=merge]", "Bouton Regrouper avec la question d'origine. Entrée pour confirmer."],
    };
    const [selector, message] = targets[key];
    reach(item.querySelector(selector), message);
    return;
  }
  if (key === "m") {
    // The merge form of the question page is filled in with the likely original.
    const original = item.querySelector(".fr-badge a");
    if (!original) {
      say("Aucune question d'origine probable pour cette question.");
      return;
    }
    window.location.assign(`${item.querySelector("td a").href}#merge-form`);
    return;
  }
  selectRow(item);
  const form = document.getElementById("bulk-form");
  if (key === "p") {
    reach(form && form.querySelector("button[value=approve]"),
          "Question sélectionnée. Bouton Publier la sélection. Entrée pour confirmer.");
  } else {
    reach(form && form.querySelector("select"),
          "Question sélectionnée. Motif de refus : choisissez-le, puis Tab jusqu'au bouton Refuser.");
  }
}

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable]") !== null;
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === "Escape" && current >= 0 && event.target !== items[current]) {
    focusItem(current);
    return;
  }
  if (typing(event.target)) return;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (key === "j" || key === "ArrowDown") {
    event.preventDefault();
    focusItem(current + 1);
  } else if (key === "k" || key === "ArrowUp") {
    event.preventDefault();
    focusItem(current < 0 ? 0 : current - 1);
  } else if (key === "p" || key === "r" || key === "m") {
    event.preventDefault();
    act(key);
  }
});

// An item reached with Tab or a click becomes the current one.
items.forEach((item, index) => {
  item.addEventListener("focusin", () => { current = index; });
});
