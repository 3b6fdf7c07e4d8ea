// The sentence editor's enhancement. Without this script every part works with forms and
// POST/redirect/GET; with it, nothing navigates: saves, edits, deletes, "nothing to tag here"
// and undo are sent with fetch and the server answers with the editor's region drawn again;
// moving to another sentence loads it in place (with history entries). Words are picked with the
// mouse, by touch or with the keyboard (sentence-words.js); a half-done tag is kept as a draft
// per sentence (sessionStorage) when you move away, and restored when you come back.
import { SentenceWords } from './sentence-words.js';

document.documentElement.classList.add('js');

const help = document.getElementById('help');
const live = document.getElementById('live');
/** @type {HTMLElement | null} */
let editor = document.getElementById('editor');
/** @type {HTMLFormElement | null} */
let form = null;
/** @type {SentenceWords | null} */
let words = null;
let tapping = false; // a first tap picked a word; the next tap extends to another
let justDragged = false;
let busy = false;

const byId = (id) => document.getElementById(id);
const field = (name) => form?.elements.namedItem(name);

function say(message) {
  if (live) live.textContent = message;
}

/** The status line under the sentence: the selected words and the chosen category, or a hint. */
function status(hint = '') {
  const line = byId('selection');
  if (!line || !words) return;
  const parts = [];
  const text = words.selectedText();
  if (text) parts.push(`Selected: “${text}”`);
  const chosen = form?.querySelector('input[name="category"]:checked');
  if (text && chosen) parts.push(`Category: ${categoryName(chosen)}`);
  if (hint) parts.push(hint);
  line.textContent = parts.join(' · ');
}

/** The category's name as its label shows it, without the swatch and key hint. */
function categoryName(radio) {
  const label = radio.closest('label') ?? radio.labels?.[0];
  if (!label) return radio.value;
  const copy = label.cloneNode(true);
  for (const kbd of copy.querySelectorAll('kbd, input')) kbd.remove();
  return copy.textContent.trim() || radio.value;
}

function showError(message) {
  const box = byId('form-error');
  if (!box) return say(message);
  const p = document.createElement('p');
  p.className = 'error';
  p.setAttribute('role', 'alert');
  p.textContent = message;
  box.replaceChildren(p);
}

function clearError() {
  byId('form-error')?.replaceChildren();
}

// Drafts: what was selected and typed on a sentence and not saved, kept per sentence for the tab.

const draftKey = () => `framelens-draft:${editor?.dataset.url ?? location.pathname}`;

function currentDraft() {
  if (!form || !words) return null;
  const value = (name) => {
    const f = field(name);
    if (f instanceof RadioNodeList) return f.value;
    return f && 'value' in f ? f.value : '';
  };
  const draft = {
    anchor: words.anchor,
    head: words.head,
    caret: words.caret,
    marks: words.withMarks(),
    category: value('category'),
    voice: value('voice'),
    intensity: value('intensity'),
    text: value('note') || value('rationale'),
    editing: form.dataset.editing ?? null,
  };
  const empty = draft.anchor === null && !draft.category && !draft.text && (draft.voice || 'author') === 'author' && !draft.intensity && !draft.editing;
  return empty ? null : draft;
}

function saveDraft() {
  try {
    const draft = currentDraft();
    if (draft) sessionStorage.setItem(draftKey(), JSON.stringify(draft));
    else sessionStorage.removeItem(draftKey());
    return draft;
  } catch {
    return null; // storage may be off (private mode): drafts are a help, not a must
  }
}

function dropDraft() {
  try {
    sessionStorage.removeItem(draftKey());
  } catch {
    /* nothing kept */
  }
}

function readDraft() {
  try {
    const raw = sessionStorage.getItem(draftKey());
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

/** Puts a kept draft back into the form; returns whether there was one. */
function restoreDraft() {
  const draft = readDraft();
  if (!draft || !form || !words) return false;
  if (draft.editing && form.dataset.editing !== draft.editing) {
    // The draft edits a tag: open that tag first, if it is still there.
    if (byId(`tag-${draft.editing}`)) void go(`${editor.dataset.url}?edit=${draft.editing}`, 'replace');
    else dropDraft();
    return false;
  }
  const set = (name, value) => {
    const f = field(name);
    if (f instanceof RadioNodeList) {
      for (const r of f) if (r instanceof HTMLInputElement) r.checked = r.value === value;
    } else if (f && 'value' in f && value !== undefined) f.value = value;
  };
  set('category', draft.category);
  set('voice', draft.voice || 'author');
  set('intensity', draft.intensity ?? '');
  set(field('rationale') ? 'rationale' : 'note', draft.text ?? '');
  words.setMarks(Boolean(draft.marks));
  words.caret = Number.isInteger(draft.caret) ? draft.caret : 0;
  if (Number.isInteger(draft.anchor) && Number.isInteger(draft.head)) words.select(draft.anchor, draft.head);
  else words.draw();
  syncMenus();
  status('Your draft for this sentence is back.');
  return true;
}

// The form's word menus and the widget show the same span.

function syncMenus() {
  const r = words?.range();
  const first = field('first');
  const last = field('last');
  if (r && first instanceof HTMLSelectElement && last instanceof HTMLSelectElement) {
    first.value = String(r.from);
    last.value = String(r.to);
  }
}

/**
 * A word menu changed: that menu keeps what was chosen; the other moves only when the span would
 * be backwards (Last before First is pushed to First, First after Last is pulled to Last).
 */
function fromMenu(event) {
  const first = field('first');
  const last = field('last');
  if (!(first instanceof HTMLSelectElement && last instanceof HTMLSelectElement) || !words) return;
  let from = Number(first.value);
  let to = Number(last.value);
  if (event.target === first && to < from) to = from;
  if (event.target === last && from > to) from = to;
  first.value = String(from);
  last.value = String(to);
  words.anchor = from;
  words.head = to;
  words.caret = to;
  words.draw();
  selectionChanged();
}

function selectionChanged() {
  syncMenus();
  status();
  saveDraft();
}

/** Wires up the editor region (after every load or swap). */
function setup() {
  editor = byId('editor');
  form = byId('tag-form') instanceof HTMLFormElement ? byId('tag-form') : null;
  const sentence = byId('sentence');
  words = sentence ? new SentenceWords(sentence, byId('marks'), selectionChanged) : null;
  tapping = false;
  if (!form || !words) return;
  for (const radio of form.querySelectorAll('input[name="category"]')) radio.setAttribute('aria-keyshortcuts', radio.dataset.key ?? '');
  field('first')?.addEventListener('change', fromMenu);
  field('last')?.addEventListener('change', fromMenu);
  form.addEventListener('input', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.name === 'marks') {
      words?.draw();
      status();
    }
    saveDraft();
  });
  form.addEventListener('change', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.name === 'category') status();
  });
  if (!restoreDraft() && form.dataset.editing) {
    // Editing: the tag's words are the selection.
    const first = Number(field('first')?.value ?? 0);
    const last = Number(field('last')?.value ?? 0);
    words.caret = first;
    words.select(first, last);
  }
}

// Talking to the server: every answer is JSON with the editor's region drawn again.

/** GET or POST with the script's Accept; null when the answer is not the editor's JSON. */
async function ask(url, init = {}) {
  const response = await fetch(url, { ...init, credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('application/json')) return { response, data: null };
  return { response, data: await response.json() };
}

/** Puts the server's region in place of the page's, keeping the focus in the sentence if it was there. */
function swap(html) {
  // Focus anywhere in the editor (a word, Save, Delete, Undo) comes back to the sentence.
  const inSentence = Boolean(words?.hasFocus() || (document.activeElement && document.activeElement !== document.body && editor?.contains(document.activeElement)));
  const caret = words?.caret ?? 0;
  const url = editor?.dataset.url;
  const template = document.createElement('template');
  template.innerHTML = html;
  const fresh = template.content.getElementById('editor');
  if (!fresh || !editor) return;
  editor.replaceWith(fresh);
  setup();
  if (words && fresh.dataset.url === url) {
    words.caret = Math.min(caret, Math.max(0, words.count - 1));
    words.draw();
  }
  if (inSentence) words?.focus();
  keepInView();
}

/**
 * Puts the parts a change answered with (the sentence, progress, tags, announcement …) in place of
 * the page's; a saved tag also empties the form for the next one. The focus stays where it was.
 */
function applyParts(html, saved) {
  const inSentence = Boolean(words?.hasFocus() || (document.activeElement && document.activeElement !== document.body && editor?.contains(document.activeElement)));
  const template = document.createElement('template');
  template.innerHTML = html;
  // No Undo in the answer (nothing left to undo): the page's goes too.
  if (!template.content.getElementById('undo-form')) byId('undo-form')?.remove();
  for (const part of [...template.content.children]) {
    const old = part.id ? byId(part.id) : null;
    // The sentence and the announcement keep their elements (the widget's roles, the focus).
    if (old && (part.id === 'sentence' || part.id === 'announce')) old.innerHTML = part.innerHTML;
    else if (old) old.replaceWith(part);
    else if (part.id === 'undo-form') form?.after(part);
  }
  words?.refresh();
  if (saved && form && words) {
    for (const radio of form.querySelectorAll('input[name="category"]')) radio.checked = false;
    const voice = form.querySelector('input[name="voice"][value="author"]');
    if (voice instanceof HTMLInputElement) voice.checked = true;
    for (const name of ['intensity', 'note', 'rationale']) {
      const f = field(name);
      if (f && 'value' in f) f.value = '';
    }
    clearError();
    words.clear();
  }
  if (inSentence) words?.focus();
  keepInView();
}

/**
 * The sentence stays on screen and clear of the panel: the panel sticks to the bottom of the
 * screen, so where the sentence runs lower than the panel's top (a long sentence on a phone) the
 * page scrolls until the sentence sits above it. Scrolled only when needed, never on every change.
 */
function keepInView() {
  const sentence = byId('sentence');
  if (!sentence) return;
  const box = sentence.getBoundingClientRect();
  const panel = byId('panel')?.getBoundingClientRect();
  const floor = panel && panel.top > box.top ? Math.min(window.innerHeight, panel.top) : window.innerHeight;
  if (box.top < 0 || box.bottom > floor) sentence.scrollIntoView({ block: 'start' });
}

/** Loads another sentence (or this one with ?edit=) in place; `history`: 'push', 'replace' or 'none'. */
async function go(url, history = 'push') {
  const kept = saveDraft();
  let answer;
  try {
    answer = await ask(url);
  } catch {
    return location.assign(url);
  }
  const { response, data } = answer;
  if (!data || !response.ok || typeof data.html !== 'string') return location.assign(url);
  const editing = new URL(url, location.href).searchParams.get('edit');
  const next = data.url + (editing ? `?edit=${encodeURIComponent(editing)}` : '');
  const leaving = editor?.dataset.url !== data.url;
  swap(data.html);
  document.title = `${data.title} · Framelens`;
  if (history === 'push') window.history.pushState({ editor: true }, '', next);
  if (history === 'replace') window.history.replaceState({ editor: true }, '', next);
  const heading = editor?.querySelector('h1')?.textContent ?? '';
  say(kept && leaving ? `${heading}. Your draft stays with the sentence you left.` : heading);
}

/** Sends a form of the editor (save, delete, undo, "nothing to tag here") and shows the answer. */
async function send(target, submitter) {
  if (busy) return;
  busy = true;
  const body = new URLSearchParams(new FormData(target, submitter));
  let answer;
  try {
    answer = await ask(target.action, { method: 'POST', body });
  } catch {
    busy = false;
    showError('Framelens could not be reached (no network?). Nothing was saved; your tag is still here: try again.');
    return;
  }
  busy = false;
  const { response, data } = answer;
  if (!data) {
    showError('Framelens answered unexpectedly (signed out?). Nothing is lost: your tag stays here as a draft; reload the page.');
    saveDraft();
    return;
  }
  if (!response.ok) {
    // A refused tag keeps what was typed; a tag that is gone (404) brings the sentence up to date.
    if (response.status === 404 && typeof data.html === 'string') swap(data.html);
    showError(data.error ?? 'That did not work.');
    say(data.error ?? '');
    return;
  }
  if (target === form) dropDraft();
  if (typeof data.parts === 'string') applyParts(data.parts, target === form);
  else swap(data.html);
  if (data.message) say(data.message);
  if (data.next) await go(data.next);
}

/** Enter, the Save button: checks there is something to save, then sends it. */
function save(submitter) {
  if (!form || !words) return;
  if (words.range() === null) {
    status('Select words first: click or tap them, or press Shift+→ (or / and a word’s letters).');
    return;
  }
  if (!form.querySelector('input[name="category"]:checked')) {
    status('Choose a category: press its letter, or click it.');
    return;
  }
  if (!form.checkValidity()) return void form.reportValidity();
  void send(form, submitter);
}

function undo() {
  const undoForm = byId('undo-form');
  if (undoForm instanceof HTMLFormElement) void send(undoForm);
  else say('Nothing to undo on this sentence.');
}

// Mouse and touch.

// A drag selects text natively; it is snapped to the whole words it touches. Listened for on the
// whole page, so a drag that ends beyond the sentence box still counts.
document.addEventListener('pointerdown', () => {
  justDragged = false;
});
document.addEventListener('pointerup', () => {
  const sentence = byId('sentence');
  const selection = window.getSelection();
  if (!sentence || !words || !selection || selection.isCollapsed || !selection.containsNode(sentence, true)) return;
  const touched = words.words.filter((w) => selection.containsNode(w, true)).map((w) => Number(w.dataset.word));
  if (touched.length === 0) return;
  selection.removeAllRanges();
  words.select(Math.min(...touched), Math.max(...touched));
  justDragged = true;
  tapping = false;
});

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target || !editor?.contains(target)) return;
  const word = target.closest('#sentence .word');
  if (word && words) {
    if (justDragged) {
      justDragged = false;
      return;
    }
    // Taps: the first picks a word, the second extends to another, a third starts over.
    const i = Number(word.dataset.word);
    if (tapping && words.range() !== null) {
      words.select(words.anchor, i);
      tapping = false;
    } else {
      words.setMarks(false);
      words.select(i, i);
      tapping = true;
    }
    words.focus(true); // the word was just pointed at: no scrolling
    return;
  }
  const link = target.closest('a[data-key], a[data-edit]');
  if (link instanceof HTMLAnchorElement && !(event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button !== 0)) {
    event.preventDefault();
    const stay = link.matches('[data-edit], [data-key="cancel"]');
    if (stay) dropDraft();
    void go(link.href, stay ? 'replace' : 'push');
  }
});

document.addEventListener('submit', (event) => {
  const target = event.target;
  if (!(target instanceof HTMLFormElement) || !editor?.contains(target) || target.method === 'dialog') return;
  event.preventDefault();
  if (target === form) save(event.submitter);
  else void send(target, event.submitter);
});

window.addEventListener('popstate', () => void go(location.href, 'none'));
// A page the browser kept in memory (Back) may show tags that have changed since: fetch them again.
window.addEventListener('pageshow', (event) => {
  if (event.persisted && editor) void go(location.href, 'none');
});

// Keys.

function typing(target) {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable ||
      target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement ||
      (target instanceof HTMLInputElement && !['radio', 'checkbox', 'button', 'submit'].includes(target.type)))
  );
}

function follow(key) {
  const link = editor?.querySelector(`a[data-key="${key}"]`);
  if (link instanceof HTMLAnchorElement) void go(link.href);
}

function toggleHelp() {
  if (!(help instanceof HTMLDialogElement)) return;
  if (help.open) help.close();
  else help.showModal();
}

document.addEventListener('keydown', (event) => {
  if (event.isComposing || !editor) return;
  const target = event.target instanceof Element ? event.target : null;
  const key = event.key;
  if (help instanceof HTMLDialogElement && help.open) {
    if (key === '?') {
      event.preventDefault();
      help.close();
    }
    return; // the dialog keeps Esc and Tab for itself
  }
  if ((event.ctrlKey || event.metaKey) && !event.altKey && key.toLowerCase() === 'z' && !event.shiftKey) {
    if (typing(target)) return; // a text field's own undo
    event.preventDefault();
    return undo();
  }
  if ((event.ctrlKey || event.metaKey) && key === 'Enter' && target && form?.contains(target)) {
    event.preventDefault();
    return save();
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (words?.jump) {
    if (key === 'Shift') return;
    event.preventDefault();
    if (key === 'Escape' || key === 'Backspace') words.stopJump();
    else words.jumpKey(key);
    return;
  }
  if (typing(target)) return; // text fields and menus keep every key
  const inWords = Boolean(target?.closest('#sentence'));
  const onChoice = target instanceof HTMLInputElement && (target.type === 'radio' || target.type === 'checkbox');
  // Links, buttons and summaries keep their keys; so do radios and checkboxes, but for the letters.
  const onControl = !inWords && Boolean(target?.closest('a, button, summary, input, select, textarea, [tabindex]'));
  if (key === '?') {
    event.preventDefault();
    return toggleHelp();
  }
  if (key === 'Escape') {
    if (words?.range()) {
      event.preventDefault();
      words.clear();
      tapping = false;
      return;
    }
    if (form?.dataset.editing) return follow('cancel');
    return;
  }
  if (onChoice && key === 'Enter') {
    event.preventDefault();
    return save();
  }
  if (onChoice && key.length === 1 && /[a-z0-9]/i.test(key) && key !== 'j' && key !== 'k') return pickCategory(event);
  if (!words) return;
  if (onChoice && event.shiftKey && (key === 'ArrowRight' || key === 'ArrowLeft')) {
    // On a category, Shift+arrows still change the words (plain arrows move between categories).
    event.preventDefault();
    words.extend(key === 'ArrowRight' ? 1 : -1);
    return;
  }
  if (onControl) return;
  const focusWords = () => {
    if (!inWords) words?.focus();
  };
  if (key === '/') {
    event.preventDefault();
    focusWords();
    words.startJump();
    status('Type the letters shown on a word (with Shift: extend the selection to it); Esc cancels.');
    return;
  }
  if (event.shiftKey && (key === 'ArrowRight' || key === 'ArrowLeft')) {
    event.preventDefault();
    words.extend(key === 'ArrowRight' ? 1 : -1);
    tapping = false;
    return;
  }
  if (inWords && (key === 'ArrowRight' || key === 'ArrowLeft')) {
    event.preventDefault();
    return words.move(words.caret + (key === 'ArrowRight' ? 1 : -1));
  }
  if (inWords && (key === 'Home' || key === 'End')) {
    event.preventDefault();
    return words.move(key === 'Home' ? 0 : words.count - 1);
  }
  if (inWords && key === ' ') {
    event.preventDefault();
    words.setMarks(false);
    return words.select(words.caret, words.caret);
  }
  if (key === 'j' || (!inWords && key === 'ArrowRight')) return follow('next');
  if (key === 'k' || (!inWords && key === 'ArrowLeft')) return follow('prev');
  if (key === 'Enter') {
    event.preventDefault();
    return save();
  }
  if (key.length === 1) pickCategory(event);
});

/** A category's key checks it, without moving the focus (so the words can still be changed). */
function pickCategory(event) {
  const radio = form?.querySelector(`input[name="category"][data-key="${CSS.escape(event.key.toLowerCase())}"]`);
  if (radio instanceof HTMLInputElement) {
    event.preventDefault();
    radio.checked = true;
    status();
    saveDraft();
  }
}

setup();
// A sentence opened without its #sentence anchor may start behind the panel on a small screen.
keepInView();
