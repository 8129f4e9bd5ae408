// Enhances the question form, which works without it: shows only the sub-topics of the chosen
// theme, and counts the characters of the question as it is typed. Served as a file: the
// Content-Security-Policy forbids inline scripts.

const form = document.getElementById("question-form");

function setUpSubtopics() {
  const select = form.querySelector("select[data-subtopics]");
  const radios = [...form.querySelectorAll("input[type=radio][name=theme_id]")];
  if (!select || !radios.length) return;
  const groups = [...select.querySelectorAll("optgroup[data-theme]")];

  function update() {
    const chosen = radios.find((radio) => radio.checked);
    groups.forEach((group) => {
      // Disabled rather than only hidden: some browsers keep hidden options reachable by keyboard.
      const other = chosen !== undefined && group.dataset.theme !== chosen.value;
      group.hidden = other;
      group.disabled = other;
    });
    const option = select.selectedOptions[0];
    if (option && option.parentElement.disabled) select.value = "";
  }

  radios.forEach((radio) => radio.addEventListener("change", update));
  update();
}

function setUpCounter() {
  const text = form.querySelector("textarea[data-max-length]");
  const counter = document.getElementById("text-counter");
  if (!text || !counter) return;
  const min = Number(text.dataset.minLength);
  const max = Number(text.dataset.maxLength);
  const format = new Intl.NumberFormat("fr-FR");

  function update() {
    // Characters, not UTF-16 units, of the trimmed text: what the server counts.
    const length = [...text.value.trim()].length;
    const tooLong = length > max;
    counter.hidden = false;
    counter.textContent = tooLong
      ? `${format.format(length)} caractères : c'est ${format.format(length - max)} de trop.`
      : `${format.format(length)} caractère${length > 1 ? "s" : ""} sur ${format.format(max)}${length < min ? ` (au moins ${min})` : ""}.`;
    counter.classList.toggle("fr-message--error", tooLong);
    counter.classList.toggle("fr-message--info", !tooLong);
  }

  text.addEventListener("input", update);
  update();
}

if (form) {
  setUpSubtopics();
  setUpCounter();
}
