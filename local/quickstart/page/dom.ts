/// <reference lib="dom" />

type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | undefined>;

/**
 * Builds elements from data without innerHTML: every value that came from an API response or a
 * query string reaches the page as text, so nothing in it can run as markup.
 */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
};

export const append = (el: Element, ...children: Child[]): void => {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
};

export const $ = <T extends Element = HTMLElement>(selector: string): T => {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`the page has no ${selector}`);
  return el;
};

export const replace = (el: Element, ...children: Child[]): void => {
  el.replaceChildren();
  append(el, ...children);
};

export type Tone = 'info' | 'success' | 'warning' | 'error' | 'progress';

/** A message box with a title, a text and optional actions; `progress` shows a spinner. */
export const callout = (tone: Tone, title: string, text?: Child, ...actions: Child[]): HTMLElement =>
  h(
    'div',
    { class: `callout callout-${tone}`, role: tone === 'error' ? 'alert' : 'status', 'data-tone': tone },
    tone === 'progress'
      ? h('span', { class: 'spinner', 'aria-hidden': 'true' })
      : h('span', { class: 'callout-icon', 'aria-hidden': 'true' }),
    h(
      'div',
      { class: 'callout-body' },
      h('p', { class: 'callout-title' }, title),
      text ? h('div', { class: 'callout-text' }, text) : null,
      actions.some(Boolean) ? h('div', { class: 'callout-actions' }, ...actions) : null,
    ),
  );

export const badge = (text: string, tone: string, attrs: Attrs = {}): HTMLElement =>
  h('span', { ...attrs, class: `badge badge-${tone}` }, text);

/** Disables a button while an action runs and shows that it runs. */
export const busy = (button: HTMLButtonElement, on: boolean, label?: string): void => {
  if (on) {
    button.dataset.label ??= button.textContent ?? '';
    button.disabled = true;
    button.classList.add('is-busy');
    if (label) button.textContent = label;
  } else {
    button.disabled = false;
    button.classList.remove('is-busy');
    if (button.dataset.label !== undefined) button.textContent = button.dataset.label;
    delete button.dataset.label;
  }
};
