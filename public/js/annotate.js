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

function show() {
  const [from, to] = anchor === null ? [-1, -1] : [Math.min(anchor, focus), Math.max(anchor, focus)];
  for (const w of words) {
    const i = Number(w.dataset.word);
    w.classList.toggle('selected', i >= from && i <= to);
    w.classList.toggle('cursor', i === focus);
  }
  if (anchor === null || !first || !last) {
    if (status) status.textContent = '';
    return;
  }
  first.value = String(from);
  last.value = String(to);
  const text = [];
  for (let i = from; i <= to; i++) text.push(wordAt(i)?.textContent ?? '');
  if (status) status.textContent = `Selected: “${text.join(' ')}”`;
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
  sentence.addEventListener('pointerup', () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed) return;
    const touched = words.filter((w) => selection.containsNode(w, true)).map((w) => Number(w.dataset.word));
    if (touched.length === 0) return;
    selection.removeAllRanges();
    select(Math.min(...touched), Math.max(...touched));
    justDragged = true;
  });
  // Taps: the first tap picks a word, a second tap extends to another word, a third starts over.
  sentence.addEventListener('click', (event) => {
    if (justDragged) {
      justDragged = false;
      extending = false;
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

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === 'Escape') {
    if (help?.open) return toggleHelp();
    if (anchor !== null) {
      select(null, null);
      extending = false;
      return;
    }
    return follow('cancel');
  }
  const onRadio = event.target instanceof HTMLInputElement && event.target.type === 'radio';
  // In text fields every key is typing; on radios only category letters are ours (arrows move between radios).
  if (typing(event.target) && !(onRadio && event.key.length === 1 && event.key !== '?' && !event.shiftKey)) return;
  if (event.shiftKey && (event.key === 'ArrowRight' || event.key === 'ArrowLeft') && count > 0) {
    event.preventDefault();
    if (anchor === null) select(0, 0);
    else select(anchor, Math.max(0, Math.min(count - 1, focus + (event.key === 'ArrowRight' ? 1 : -1))));
    return;
  }
  if (event.key === 'j' || event.key === 'ArrowRight') return follow('next');
  if (event.key === 'k' || event.key === 'ArrowLeft') return follow('prev');
  if (event.key === '?') return toggleHelp();
  if (event.key === 'Enter' && form && !(event.target instanceof HTMLButtonElement) && !(event.target instanceof HTMLAnchorElement)) {
    event.preventDefault();
    form.requestSubmit();
    return;
  }
  if (form && event.key.length === 1) {
    const radio = form.querySelector(`input[name="category"][data-key="${CSS.escape(event.key.toLowerCase())}"]`);
    if (radio instanceof HTMLInputElement) {
      radio.checked = true;
      radio.focus();
      event.preventDefault();
    }
  }
});
