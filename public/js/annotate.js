// Sentence view enhancements: select words with mouse, touch or Shift+arrows (snapped to whole
// words) to fill the span fields; keys for navigation, categories, saving and help.
// Without this script the same form works with its two word menus.
const sentence = document.getElementById('sentence');
const form = document.getElementById('tag-form');
const first = document.getElementById('first');
const last = document.getElementById('last');
const help = document.getElementById('help');
const status = document.getElementById('selection');
document.documentElement.classList.add('js');

const words = sentence ? [...sentence.querySelectorAll('.word')] : [];
const wordAt = (i) => words.find((w) => Number(w.dataset.word) === i);
const count = words.reduce((n, w) => Math.max(n, Number(w.dataset.word) + 1), 0);
let anchor = null;
let focus = null;
let justDragged = false;
let extending = false;
let hint = '';

/** The category's name as its label shows it, without the key hint. */
function categoryName(radio) {
  const label = radio.labels?.[0];
  if (!label) return radio.value;
  const copy = label.cloneNode(true);
  for (const kbd of copy.querySelectorAll('kbd')) kbd.remove();
  return copy.textContent.trim() || radio.value;
}

/** The live status line: the selected words, the chosen category, or a hint. */
function announce() {
  if (!status) return;
  const parts = [];
  if (anchor !== null && first && last) {
    const text = [];
    for (let i = Number(first.value); i <= Number(last.value); i++) text.push(wordAt(i)?.textContent ?? '');
    parts.push(`Selected: “${text.join(' ')}”`);
  }
  const chosen = form?.querySelector('input[name="category"]:checked');
  if (parts.length > 0 && chosen instanceof HTMLInputElement) parts.push(`Category: ${categoryName(chosen)}`);
  if (hint) parts.push(hint);
  status.textContent = parts.join(' · ');
}

function show() {
  const [from, to] = anchor === null ? [-1, -1] : [Math.min(anchor, focus), Math.max(anchor, focus)];
  for (const w of words) {
    const i = Number(w.dataset.word);
    w.classList.toggle('selected', i >= from && i <= to);
    w.classList.toggle('cursor', i === focus);
  }
  if (anchor !== null && first && last) {
    first.value = String(from);
    last.value = String(to);
  }
  hint = '';
  announce();
}

function select(from, to) {
  anchor = from;
  focus = to;
  show();
}

function fromMenus() {
  if (!first || !last) return;
  select(Number(first.value), Number(last.value));
}

if (sentence && form) {
  // A drag (mouse or touch) selects text natively; snap it to the whole words it touches.
  // Listened for on the whole page, so a drag that ends beyond the sentence box still counts.
  document.addEventListener('pointerdown', () => {
    justDragged = false;
  });
  document.addEventListener('pointerup', () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.containsNode(sentence, true)) return;
    const touched = words.filter((w) => selection.containsNode(w, true)).map((w) => Number(w.dataset.word));
    if (touched.length === 0) return;
    selection.removeAllRanges();
    select(Math.min(...touched), Math.max(...touched));
    justDragged = true;
    extending = false;
  });
  // Taps: the first tap picks a word, a second tap extends to another word, a third starts over.
  sentence.addEventListener('click', (event) => {
    if (justDragged) {
      justDragged = false;
      return;
    }
    const word = event.target instanceof Element ? event.target.closest('.word') : null;
    if (!word) return;
    const i = Number(word.dataset.word);
    if (extending && anchor !== null) {
      select(anchor, i);
      extending = false;
    } else {
      select(i, i);
      extending = true;
    }
  });
  first?.addEventListener('change', fromMenus);
  last?.addEventListener('change', fromMenus);
  form.addEventListener('change', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.name === 'category') announce();
  });
  if (form.action.match(/\/tags\/[A-Za-z0-9_-]+$/)) fromMenus();
}

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

function follow(key) {
  const link = document.querySelector(`[data-key="${key}"]`);
  if (link instanceof HTMLAnchorElement) window.location.href = link.href;
}

function toggleHelp() {
  if (!help) return;
  help.open = !help.open;
  help.classList.toggle('help-overlay', help.open);
  if (help.open) help.querySelector('summary')?.focus();
}
// However the help closes (Esc, ?, or a click on its summary), it stops being an overlay.
help?.addEventListener('toggle', () => {
  if (!help.open) help.classList.remove('help-overlay');
});

/** Saves the tag from the keyboard; without a selection there is nothing to save yet. */
function save() {
  if (!form) return;
  if (anchor === null) {
    hint = 'Select words first: click or tap them, or press Shift+→.';
    announce();
    return;
  }
  form.requestSubmit();
}

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  const target = event.target;
  if (event.key === 'Escape') {
    if (help?.open) return toggleHelp();
    if (anchor !== null) {
      select(null, null);
      extending = false;
      return;
    }
    return follow('cancel');
  }
  // Links, buttons and the help's summary keep Enter and Space for themselves.
  if (target instanceof Element && target.closest('a, button, summary')) {
    if (event.key === 'Enter' || event.key === ' ') return;
  }
  const onChoice = target instanceof HTMLInputElement && (target.type === 'radio' || target.type === 'checkbox');
  // In text fields and menus every key is typing. On radios plain arrows and Space move between
  // and pick options; letters, Shift+arrows, ? and Enter stay shortcuts.
  if (typing(target) && !onChoice) return;
  if (onChoice && (event.key === ' ' || (!event.shiftKey && event.key.startsWith('Arrow')))) return;
  if (event.shiftKey && (event.key === 'ArrowRight' || event.key === 'ArrowLeft') && count > 0) {
    event.preventDefault();
    if (anchor === null) select(0, 0);
    else select(anchor, Math.max(0, Math.min(count - 1, focus + (event.key === 'ArrowRight' ? 1 : -1))));
    extending = false;
    return;
  }
  if (event.key === 'j' || event.key === 'ArrowRight') return follow('next');
  if (event.key === 'k' || event.key === 'ArrowLeft') return follow('prev');
  if (event.key === '?') {
    event.preventDefault();
    return toggleHelp();
  }
  if (event.key === 'Enter' && form) {
    event.preventDefault();
    return save();
  }
  if (form && event.key.length === 1) {
    // Checks the category without moving focus, so Shift+arrows keep adjusting the words.
    const radio = form.querySelector(`input[name="category"][data-key="${CSS.escape(event.key.toLowerCase())}"]`);
    if (radio instanceof HTMLInputElement) {
      radio.checked = true;
      event.preventDefault();
      announce();
    }
  }
});
