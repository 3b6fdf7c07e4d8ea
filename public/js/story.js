// The story page without reloading: Unlink and Relink send the same form by fetch, and the
// side-by-side part of the page is replaced by the one the server answers with (the form's
// 303 leads back to the story). Without JavaScript the forms post and redirect as usual.
const status = document.getElementById('story-status');

function announce(message) {
  if (status) status.textContent = message;
}

async function send(form, button) {
  const body = new URLSearchParams(new FormData(form));
  button.disabled = true;
  try {
    // Not form.action: the form's hidden input named "action" shadows that property.
    const response = await fetch(form.getAttribute('action'), { method: 'POST', body, credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!response.ok) {
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      announce(page.querySelector('.error')?.textContent?.trim() || `The change was refused (${response.status}).`);
      button.disabled = false;
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.getElementById('alignment');
    const current = document.getElementById('alignment');
    if (!fresh || !current) {
      window.location.reload();
      return;
    }
    current.replaceWith(fresh);
    const action = body.get('action') === 'remove' ? 'Unlinked' : 'Linked';
    announce(`${action}. The groups were updated.`);
    // Keep the reader where they were: focus the first sentence of the changed link.
    const [article, number] = String(body.get('a')).split(':');
    const target = document.getElementById(`s-${article}-${number}`);
    if (target) {
      target.setAttribute('tabindex', '-1');
      target.focus({ preventScroll: false });
    }
  } catch {
    announce('The change could not be sent: check the connection and try again.');
    button.disabled = false;
  }
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-story-link')) return;
  const button = form.querySelector('button[type="submit"]');
  if (!button) return;
  event.preventDefault();
  void send(form, button);
});
