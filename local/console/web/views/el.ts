/**
 * Element building for the views: text always goes in as text (record excerpts and log lines come
 * from the run's files and must never be parsed as HTML).
 */
type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; title?: string; style?: string } & Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props))
    if (value !== undefined) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
}

export const fmt = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : value.toLocaleString('en-US');

/** Adds a view's style sheet to the page once. */
export function ensureStyle(id: string, css: string): void {
  if (document.getElementById(id)) return;
  const style = document.createElement('style');
  style.id = id;
  style.textContent = css;
  document.head.append(style);
}

export function errorLine(host: HTMLElement, error: unknown): void {
  host.replaceChildren(
    el('p', { class: 'cv-error' }, error instanceof Error ? error.message : String(error)),
  );
}
