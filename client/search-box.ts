import type { SearchHit } from '../streams/index.ts';
import type { Language } from './i18n.ts';
import { messagesFor } from './i18n.ts';
import { element } from './hud.ts';

// Typing pauses this long before the server is asked, ms.
const debounceMs = 200;

/**
 * The search box: units by id or plate, cameras by id, places by name, answered by the server.
 * "/" focuses it from anywhere, Enter takes the best match, Escape closes it. Names go in as text.
 */
export function mountSearchBox(root: HTMLElement, language: Language, onChoose: (hit: SearchHit) => void, onStopFollowing: () => void) {
  const t = messagesFor(language).search;
  const box = element('div', 'search');
  const input = document.createElement('input');
  input.type = 'search';
  input.placeholder = t.placeholder;
  input.dataset.testid = 'search';
  const results = element('ul', 'search-results');
  results.dataset.testid = 'search-results';
  const stop = element('button', 'stop-following', t.stop);
  stop.dataset.testid = 'stop-following';
  stop.hidden = true;
  stop.addEventListener('click', onStopFollowing);
  box.append(input, results, stop);
  root.append(box);

  // The hits shown, and the term they answer: Enter must not take an older term's best match.
  let hits: SearchHit[] = [];
  let hitsFor = '';
  let asked = 0;
  const choose = (hit: SearchHit | undefined) => {
    if (!hit) return;
    results.replaceChildren();
    input.blur();
    onChoose(hit);
  };
  const show = (term: string, found: SearchHit[], message = '') => {
    hits = found;
    hitsFor = term;
    results.replaceChildren(
      ...found.map((hit) => {
        const item = element('li', 'search-hit');
        const button = element('button', '', language === 'en' ? hit.nameEn : hit.nameZh);
        button.append(element('span', 'search-id', hit.id));
        button.addEventListener('click', () => choose(hit));
        item.append(button);
        return item;
      }),
      ...(message ? [element('li', 'search-message', message)] : []),
    );
  };
  /** Asks the server and shows the answer, unless a newer question was asked meanwhile. */
  const search = async (term: string): Promise<SearchHit[]> => {
    const ask = ++asked;
    try {
      const response = await fetch(`/api/search?q=${encodeURIComponent(term)}`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const found = (await response.json()) as SearchHit[];
      if (ask === asked) show(term, found, found.length === 0 ? t.none : '');
      return found;
    } catch {
      if (ask === asked) show(term, [], t.failed);
      return [];
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const term = input.value.trim();
    if (!term) return show('', []);
    timer = setTimeout(() => void search(term), debounceMs);
  });
  input.addEventListener('keydown', async (event) => {
    const term = input.value.trim();
    if (event.key === 'Enter' && term) {
      clearTimeout(timer);
      choose((hitsFor === term ? hits : await search(term))[0]);
    }
    if (event.key === 'Escape') (input.value = '', show('', []), input.blur());
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === '/' && document.activeElement !== input) (event.preventDefault(), input.focus());
  });
  return {
    /** Shows the stop button while a unit is followed. */
    setFollowing: (following: boolean) => (stop.hidden = !following),
  };
}
