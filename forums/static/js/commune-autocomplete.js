// Suggests communes while the citizen types, following the ARIA "combobox with list autocomplete"
// pattern. It only enhances the search form, which works without it. Served as a file: the
// Content-Security-Policy forbids inline scripts, and styles are set through the CSSOM for the
// same reason.

const MIN_LENGTH = 2;
const DELAY_MS = 200;

function setUp(input) {
  const form = input.form;
  const suggestionsUrl = input.dataset.suggestionsUrl;
  const communeUrl = input.dataset.communeUrl;
  const listId = `${input.id}-suggestions`;

  const list = document.createElement("ul");
  list.id = listId;
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Communes suggérées");
  list.hidden = true;
  Object.assign(list.style, {
    position: "absolute", left: "0", right: "0", top: "100%", zIndex: "1000", margin: "0",
    padding: "0", listStyle: "none", maxHeight: "20rem", overflowY: "auto",
    background: "var(--background-default-grey)", border: "1px solid var(--border-default-grey)",
    boxShadow: "var(--lifted-shadow)",
  });
  const status = document.createElement("p");
  status.className = "fr-sr-only";
  status.setAttribute("role", "status");
  form.style.position = "relative";
  form.append(list, status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");

  let communes = [];
  let active = -1;
  let timer = null;
  let controller = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach((option, i) => {
      const selected = i === index;
      option.setAttribute("aria-selected", String(selected));
      option.style.background = selected ? "var(--background-action-low-blue-france)" : "";
      if (selected) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
    if (index < 0) input.removeAttribute("aria-activedescendant");
  }

  function choose(commune) {
    input.value = commune.name;
    close();
    window.location.assign(`${communeUrl}?commune=${encodeURIComponent(commune.code)}`);
  }

  function show(found) {
    communes = found;
    list.replaceChildren(...found.map((commune, index) => {
      const option = document.createElement("li");
      option.id = `${listId}-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      Object.assign(option.style, { padding: "0.5rem 1rem", cursor: "pointer", margin: "0" });
      const detail = document.createElement("span");
      detail.className = "fr-text--sm fr-mb-0";
      const postalCodes = commune.postal_codes.slice(0, 3).join(", ");
      detail.textContent = ` (${commune.department}${postalCodes ? ` – ${postalCodes}` : ""})`;
      option.append(commune.name, detail);
      // Keep the focus in the field: the click chooses, the field stays the combobox.
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => choose(commune));
      return option;
    }));
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (found.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = found.length === 1
        ? "1 commune suggérée, utilisez les flèches pour la choisir."
        : `${found.length} communes suggérées, utilisez les flèches pour choisir.`;
    } else {
      close();
      status.textContent = "Aucune commune suggérée.";
    }
  }

  async function fetchSuggestions(text) {
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${suggestionsUrl}?q=${encodeURIComponent(text)}`, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const found = await response.json();
      // The field may have changed while the answer travelled.
      if (input.value.trim() === text) show(found);
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < MIN_LENGTH) {
      if (controller) controller.abort();
      show([]);
      status.textContent = "";
      return;
    }
    timer = setTimeout(() => fetchSuggestions(text), DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    const open = !list.hidden;
    switch (event.key) {
      case "ArrowDown":
        if (!communes.length) return;
        event.preventDefault();
        if (!open) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        highlight(active + 1 < communes.length ? active + 1 : 0);
        break;
      case "ArrowUp":
        if (!open) return;
        event.preventDefault();
        highlight(active > 0 ? active - 1 : communes.length - 1);
        break;
      case "Enter":
        // Without a highlighted suggestion, Enter submits the form as usual.
        if (open && active >= 0) {
          event.preventDefault();
          choose(communes[active]);
        }
        break;
      case "Escape":
        if (open) {
          event.preventDefault();
          close();
        }
        break;
      default:
        break;
    }
  });

  input.addEventListener("blur", close);
}

document.querySelectorAll("input[data-commune-autocomplete]").forEach(setUp);
