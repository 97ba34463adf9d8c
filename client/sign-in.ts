// The sign-in page (/login): user id and password, then back to the page that sent the user here.
import './wall.css';
import { element } from './hud.ts';
import { chooseLanguage, messagesFor } from './i18n.ts';
import { readSession } from './session.ts';

const language = chooseLanguage(location.search, navigator.languages);
document.documentElement.lang = language;
const t = messagesFor(language);
document.title = `${t.signIn.title} · onescreen`;

// Only a path on this server: a /login link whose next names another site must not send a user away.
const requested = new URLSearchParams(location.search).get('next') ?? '/wall';
const next = requested.startsWith('/') && !requested.startsWith('//') ? requested : '/wall';

const form = document.createElement('form');
form.className = 'sign-in';
form.noValidate = true;
// Never submitted by the browser itself: the handler below posts JSON. Should it ever be, a POST
// keeps the password in a body, out of the address bar, the history and access logs (and the
// server's form-action 'none' refuses it).
form.method = 'post';
const field = (name: string, label: string, type: string, autocomplete: string) => {
  const input = document.createElement('input');
  Object.assign(input, { name, type, autocomplete, required: true });
  input.dataset.testid = `sign-in-${name}`;
  const wrapper = element('label', 'sign-in-field', label);
  wrapper.append(input);
  return { wrapper, input };
};
const user = field('user', t.signIn.user, 'text', 'username');
const password = field('password', t.signIn.password, 'password', 'current-password');
const submit = element('button', 'sign-in-submit', t.signIn.submit) as HTMLButtonElement;
submit.type = 'submit';
const problem = element('p', 'sign-in-problem');
problem.setAttribute('role', 'alert');
problem.dataset.testid = 'sign-in-problem';
const hint = element('p', 'sign-in-hint');
hint.dataset.testid = 'sign-in-demo';
form.append(element('h1', 'sign-in-title', 'onescreen'), element('p', 'sign-in-heading', t.subtitle), element('h2', 'sign-in-heading', t.signIn.title), user.wrapper, password.wrapper, submit, problem, hint);
const show = (text: string) => {
  problem.textContent = text;
  problem.hidden = text === '';
};
show('');
hint.hidden = true;

// The handler is in place before the form can be typed into: Enter pressed while the session
// is still being checked must not reach the browser's native submission.
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!user.input.value || !password.input.value) return show(t.signIn.missing);
  submit.disabled = true;
  try {
    const response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: user.input.value.trim(), password: password.input.value }),
    });
    if (response.ok) return location.replace(next);
    if (response.status === 429) return show(t.signIn.tooMany(Math.ceil(Number(response.headers.get('Retry-After') ?? 60) / 60)));
    if (response.status === 401 || response.status === 400) {
      password.input.value = '';
      password.input.focus();
      return show(t.signIn.wrong);
    }
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    show(t.starting(body.error ?? `HTTP ${response.status}`));
  } catch {
    show(t.unreachable);
  } finally {
    submit.disabled = false;
  }
});
document.body.append(form);
user.input.focus();


const answer = await readSession();
if (answer.kind === 'signed-in') location.replace(next);
else if (answer.kind === 'signed-out' && answer.info.demo) {
  hint.textContent = t.signIn.demo(answer.info.demo.users.join(', '), answer.info.demo.password);
  hint.hidden = false;
} else if (answer.kind === 'starting') show(t.starting(answer.step));
else if (answer.kind === 'unreachable') show(t.unreachable);

