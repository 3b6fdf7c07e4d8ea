// The teacher's dashboard and full-screen sentence: fetch fresh counts every 1.5 s and
// update the numbers, the heatmap colours, the student list and the contested list in
// place. Without this script the pages work the same, with a Refresh button.
const root = document.querySelector('[data-dashboard]');
document.documentElement.classList.add('js');

const fullscreen = document.querySelector('[data-fullscreen]');
if (fullscreen instanceof HTMLButtonElement && document.fullscreenEnabled) {
  fullscreen.hidden = false;
  fullscreen.addEventListener('click', () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void document.documentElement.requestFullscreen();
  });
}

const el = (tag, text, className) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
};

function renderStudents(list, students) {
  const items = students.map((s) => {
    const li = el('li');
    const bar = el('progress');
    bar.max = s.total;
    bar.value = s.reviewed;
    li.append(el('span', s.nickname, 'nick'), ' ', bar, ' ', el('span', `${s.reviewed}/${s.total} · ${s.tags} tag${s.tags === 1 ? '' : 's'}`, 'muted'));
    if (s.flag) li.append(' ', el('strong', `Check this nickname: ${s.flag}`, 'nick-flag'));
    return li;
  });
  if (items.length === 0) items.push(el('li', 'Nobody has joined yet.', 'muted'));
  list.replaceChildren(...items);
}

function renderContested(list, items, base) {
  const rows = items.map((c) => {
    const li = el('li');
    const a = el('a', `“${c.text}”`, 'phrase');
    a.href = `${base}/present/${c.sentence + 1}`;
    const categories = c.categories.map((x) => `${x.name} ${x.count}`).join(', ');
    li.append(a, ' ', el('span', `sentence ${c.sentence + 1}`, 'muted'), ` — ${c.tagged} of ${c.total} tagged it${categories ? `: ${categories}` : ''} `,
      el('span', c.reason === 'split' ? '(split over categories)' : '(some tagged it, some did not)', 'muted'));
    return li;
  });
  if (rows.length === 0) rows.push(el('li', 'Nothing yet: contested spans appear when at least two students tagged the same words.', 'muted'));
  list.replaceChildren(...rows);
}

// A comparison lesson's table of the class's tags per outlet: the same rows and columns, new numbers.
function renderTally(table, versions) {
  for (const v of versions) {
    const row = table.querySelector(`tr[data-version="${v.number}"]`);
    if (!row) continue;
    const set = (cell, value) => {
      if (cell && cell.textContent !== String(value)) cell.textContent = String(value);
    };
    set(row.querySelector('[data-cell="done"]'), v.done);
    set(row.querySelector('[data-cell="tags"]'), v.tags);
    for (const c of v.categories) set(row.querySelector(`[data-category="${CSS.escape(c.category)}"]`), c.count);
  }
}

function renderHeat(data) {
  for (const word of document.querySelectorAll('.hw[data-s][data-w]')) {
    const s = Number(word.dataset.s);
    const w = Number(word.dataset.w);
    // A comparison lesson's version 2 or 3 has its own counts.
    const heat = word.dataset.v ? data.versions?.[Number(word.dataset.v) - 1] : data;
    const count = heat?.counts[s]?.[w] ?? 0;
    const level = heat?.levels[s]?.[w] ?? 0;
    const wanted = `hw heat-${level}`;
    if (word.className !== wanted) word.className = wanted;
    word.title = `${count} student${count === 1 ? '' : 's'}`;
  }
}

if (root instanceof HTMLElement && root.dataset.poll) {
  const url = root.dataset.poll;
  const every = Math.max(500, Number(root.dataset.pollMs) || 1500);
  const base = url.replace(/\/dashboard\.json$/, '');
  const select = document.getElementById('category');
  const live = document.getElementById('live');
  const text = (id, value) => {
    const node = document.getElementById(id);
    if (node && node.textContent !== value) node.textContent = value;
  };
  let busy = false;
  let failures = 0;

  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const category = select instanceof HTMLSelectElement ? select.value : (root.dataset.category ?? '');
      const response = await fetch(`${url}?category=${encodeURIComponent(category)}`, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
        redirect: 'error',
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      text('joined-count', String(data.joined));
      text('tag-count', String(data.tags));
      text('status', data.status);
      const students = document.getElementById('students');
      if (students) renderStudents(students, data.students);
      const contested = document.getElementById('contested');
      if (contested) renderContested(contested, data.contested, base);
      renderHeat(data);
      const tally = document.getElementById('outlet-tally');
      if (tally && Array.isArray(data.versions)) renderTally(tally, data.versions);
      root.dataset.updated = String(Date.now());
      failures = 0;
      if (live) live.textContent = `Live · updated ${new Date().toLocaleTimeString()}`;
    } catch {
      failures += 1;
      if (live) live.textContent = failures > 2 ? 'Not updating: reload the page (you may need to sign in again).' : 'Reconnecting…';
    } finally {
      busy = false;
    }
  }

  if (select instanceof HTMLSelectElement) {
    select.addEventListener('change', () => {
      const next = new URL(window.location.href);
      if (select.value) next.searchParams.set('category', select.value);
      else next.searchParams.delete('category');
      history.replaceState(null, '', next);
      void refresh();
    });
  }
  document.addEventListener('visibilitychange', () => void refresh());
  setInterval(() => void refresh(), every);
  void refresh();
}
