// The words of the sentence as one keyboard widget (a roving tabindex: the word under the caret
// is the only tab stop), with a selection from an anchor word to a head word, the quotation marks
// touching it, and a jump mode that labels every word with one or two letters.

/** Letters for jump labels, the home row first. */
const LETTERS = 'asdfghjklqwertyuiopzxcvbnm';

/**
 * Prefix-free labels for `n` words: single letters while they last, then two letters under the
 * last few letters used as prefixes (so no single label is the start of a double one).
 */
export function jumpLabels(n) {
  if (n <= LETTERS.length) return [...LETTERS].slice(0, n);
  let prefixes = 1;
  while (LETTERS.length - prefixes + prefixes * LETTERS.length < n) prefixes++;
  const singles = [...LETTERS].slice(0, LETTERS.length - prefixes);
  const doubles = [...LETTERS].slice(LETTERS.length - prefixes).flatMap((p) => [...LETTERS].map((l) => p + l));
  return [...singles, ...doubles].slice(0, n);
}

export class SentenceWords {
  /**
   * @param {HTMLElement} sentence the sentence element with its `.word` and `.mark` pieces
   * @param {HTMLInputElement | null} marks the "include the quotation marks" checkbox
   * @param {() => void} changed called after every change of the selection
   */
  constructor(sentence, marks, changed) {
    this.sentence = sentence;
    this.marks = marks;
    this.changed = changed;
    this.anchor = null;
    this.head = null;
    this.caret = 0;
    this.jump = null;
    this.refresh();
  }

  /** Re-reads the words (after the sentence was drawn again) and makes them one widget. */
  refresh() {
    this.words = [...this.sentence.querySelectorAll('.word')];
    this.count = this.words.reduce((n, w) => Math.max(n, Number(w.dataset.word) + 1), 0);
    this.caret = Math.min(this.caret, Math.max(0, this.count - 1));
    const s = this.sentence;
    s.setAttribute('role', 'listbox');
    s.setAttribute('aria-multiselectable', 'true');
    s.setAttribute('aria-label', 'Words of the sentence: arrows move, Shift+arrows select, / jumps, ? lists every key');
    for (const w of this.words) w.setAttribute('role', 'option');
    this.draw();
  }

  /** The pieces drawing word `i` (a word cut by a tag boundary is drawn in several). */
  pieces(i) {
    return this.words.filter((w) => Number(w.dataset.word) === i);
  }

  text(i) {
    return this.pieces(i).map((w) => w.textContent).join('');
  }

  /** `{ from, to }` of the selected words, or null. */
  range() {
    if (this.anchor === null || this.head === null) return null;
    return { from: Math.min(this.anchor, this.head), to: Math.max(this.anchor, this.head) };
  }

  /** The selected text as it will be saved (with the touching marks when they are included). */
  selectedText() {
    const r = this.range();
    if (!r) return '';
    let out = '';
    let inside = false;
    let passed = false;
    for (const node of this.walk()) {
      if (node.word === r.from) inside = true;
      if (!inside) continue;
      if (passed && node.word !== r.to) break;
      out += node.text;
      if (node.word === r.to) passed = true;
    }
    const open = this.withMarks() ? (this.openingMark(r.from)?.textContent ?? '') : '';
    const close = this.withMarks() ? (this.closingMark(r.to)?.textContent ?? '') : '';
    return open + out.replace(/\s+/g, ' ') + close;
  }

  /** The sentence's text nodes in order, each with the word it belongs to (null between words). */
  *walk() {
    const walker = document.createTreeWalker(this.sentence, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const word = node.parentElement?.closest('.word');
      yield { text: node.textContent ?? '', word: word ? Number(word.dataset.word) : null };
    }
  }

  openingMark(i) {
    return this.sentence.querySelector(`.mark[data-opens="${i}"]`);
  }

  closingMark(i) {
    return this.sentence.querySelector(`.mark[data-closes="${i}"]`);
  }

  withMarks() {
    return this.marks?.checked === true;
  }

  setMarks(on) {
    if (this.marks) this.marks.checked = on;
  }

  select(anchor, head) {
    this.anchor = anchor;
    this.head = head;
    if (head !== null) this.caret = head;
    this.draw();
    this.changed();
  }

  clear() {
    this.setMarks(false);
    this.select(null, null);
  }

  /** Moves the caret (plain arrows, Home, End); the selection stays as it is. */
  move(to) {
    this.caret = Math.max(0, Math.min(this.count - 1, to));
    this.draw();
    this.focus();
  }

  /**
   * Shift+arrow: starts a selection at the caret, or moves its head a word, stepping onto the
   * quotation mark or bracket touching the edge word first (and off it first when shrinking).
   */
  extend(step) {
    if (this.count === 0) return;
    if (this.range() === null || this.caret !== this.head) {
      this.select(this.caret, this.caret);
      this.focus();
      return;
    }
    const { anchor, head } = this;
    const rightEdge = head >= anchor;
    const leftEdge = head <= anchor;
    if (step > 0) {
      if (rightEdge && !this.withMarks() && this.closingMark(head)) return this.toggleMarks(true);
      if (leftEdge && head !== anchor && this.withMarks() && this.openingMark(head)) return this.toggleMarks(false);
    } else {
      if (leftEdge && !this.withMarks() && this.openingMark(head)) return this.toggleMarks(true);
      if (rightEdge && this.withMarks() && this.closingMark(head)) return this.toggleMarks(false);
    }
    this.select(anchor, Math.max(0, Math.min(this.count - 1, head + step)));
    this.focus();
  }

  toggleMarks(on) {
    this.setMarks(on);
    this.draw();
    this.changed();
  }

  /** Gives the caret word the focus (and the tab stop). */
  focus(preventScroll = false) {
    const [piece] = this.pieces(this.caret);
    piece?.focus({ preventScroll });
  }

  hasFocus() {
    return this.sentence.contains(document.activeElement);
  }

  draw() {
    const r = this.range();
    for (const w of this.words) {
      const i = Number(w.dataset.word);
      const selected = r !== null && i >= r.from && i <= r.to;
      w.classList.toggle('selected', selected);
      w.setAttribute('aria-selected', String(selected));
      w.tabIndex = i === this.caret && w === this.pieces(i)[0] ? 0 : -1;
    }
    for (const m of this.sentence.querySelectorAll('.mark')) {
      const on = r !== null && this.withMarks() && (Number(m.dataset.opens) === r.from || Number(m.dataset.closes) === r.to);
      m.classList.toggle('selected', on);
    }
  }

  // Jump mode: `/` labels the words; typing a label selects that word (with Shift: extends to it).

  startJump() {
    const labels = jumpLabels(this.count);
    this.jump = { typed: '', labels };
    for (const w of this.words) w.dataset.hint = labels[Number(w.dataset.word)] ?? '';
    // A word drawn in pieces shows its label once.
    for (const w of this.words) if (w !== this.pieces(Number(w.dataset.word))[0]) delete w.dataset.hint;
    this.sentence.classList.add('jumping');
  }

  stopJump() {
    this.jump = null;
    for (const w of this.words) delete w.dataset.hint;
    this.sentence.classList.remove('jumping');
  }

  /** A key typed in jump mode; returns whether the jump ended. */
  jumpKey(key) {
    if (!this.jump) return true;
    const letter = key.toLowerCase();
    if (!/^[a-z]$/.test(letter)) {
      this.stopJump();
      return true;
    }
    const typed = this.jump.typed + letter;
    const extend = key !== letter;
    const target = this.jump.labels.indexOf(typed);
    if (target >= 0) {
      this.stopJump();
      if (extend && this.range() !== null) this.select(this.anchor, target);
      else {
        this.setMarks(false);
        this.select(target, target);
      }
      this.focus();
      return true;
    }
    if (!this.jump.labels.some((l) => l.startsWith(typed))) {
      this.stopJump();
      return true;
    }
    this.jump.typed = typed;
    for (const w of this.words) if (w.dataset.hint !== undefined && !w.dataset.hint.startsWith(typed)) w.dataset.hint = '';
    return false;
  }
}
