// The bot's suggested answers, in their own area under the transcript. One click sends an
// answer; with the bot's multiSelect, the options toggle (aria-pressed) and one « Valider »
// sends the chosen titles together, in the order shown; an exclusive option (« Aucun besoin
// particulier ») still sends at once.
import { t } from './text.js';

export interface Choice {
  /** What the button shows. */
  title: string;
  /** What one click sends (imBack value, else the title). */
  value: string;
}

/** channelData.aiguillage.multiSelect, the bot's contract for a several-answers question. */
export interface MultiSelect {
  submit: string;
  exclusive: string[];
}

const HINT_ID = 'ag-choices-hint';

/** Reads the contract from an activity's channelData; anything malformed means single choice.
 * Checked by hand: zod would triple the size of widget.js. */
export function readMultiSelect(channelData: unknown): MultiSelect | undefined {
  const raw = field(field(channelData, 'aiguillage'), 'multiSelect');
  if (typeof raw !== 'object' || raw === null) return undefined;
  const submit = field(raw, 'submit');
  const exclusive = field(raw, 'exclusive');
  return {
    submit: typeof submit === 'string' && submit.trim() ? submit.trim() : t.validate,
    exclusive: Array.isArray(exclusive) ? exclusive.filter((e): e is string => typeof e === 'string') : [],
  };
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function button(cls: string, label: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.textContent = label;
  return b;
}

/** Fills `area` (emptied when there is nothing to choose). */
export function renderChoices(area: HTMLElement, choices: Choice[], multi: MultiSelect | undefined, send: (text: string) => void): void {
  area.removeAttribute('aria-describedby');
  if (choices.length === 0) {
    area.replaceChildren();
    return;
  }
  const options = document.createElement('div');
  options.className = 'options';
  if (!multi) {
    for (const choice of choices) {
      const b = button('option', choice.title);
      b.addEventListener('click', () => send(choice.value));
      options.appendChild(b);
    }
    area.replaceChildren(options);
    return;
  }

  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.id = HINT_ID;
  hint.textContent = t.multiHint(multi.submit);
  area.setAttribute('aria-describedby', HINT_ID);
  const submit = button('submit', multi.submit);
  submit.disabled = true;
  const toggles: { choice: Choice; el: HTMLButtonElement }[] = [];
  const chosen = () => toggles.filter((x) => x.el.getAttribute('aria-pressed') === 'true');
  const update = () => {
    const count = chosen().length;
    submit.disabled = count === 0;
    submit.textContent = count > 1 ? `${multi.submit} (${count})` : multi.submit;
  };
  // Options that send at once sit with « Valider », under the toggles: when there are many
  // toggles and they scroll, every way to answer (« Non merci » too) stays in view.
  const actions = document.createElement('div');
  actions.className = 'actions';
  for (const choice of choices) {
    const exclusive = multi.exclusive.includes(choice.title) || multi.exclusive.includes(choice.value);
    const b = button(exclusive ? 'option' : 'option toggle', choice.title);
    if (exclusive) {
      b.addEventListener('click', () => send(choice.value));
      actions.appendChild(b);
    } else {
      b.setAttribute('aria-pressed', 'false');
      b.addEventListener('click', () => {
        b.setAttribute('aria-pressed', String(b.getAttribute('aria-pressed') !== 'true'));
        update();
      });
      toggles.push({ choice, el: b });
      options.appendChild(b);
    }
  }
  submit.addEventListener('click', () => {
    const titles = chosen().map((x) => x.choice.title);
    if (titles.length > 0) send(titles.join(', '));
  });
  actions.appendChild(submit);
  area.replaceChildren(hint, options, actions);
}
