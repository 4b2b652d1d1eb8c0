// HTML built from template literals where every interpolated value is escaped unless it is
// already HTML (a SafeHtml from this module). No template engine, no chance to forget escaping.
// Shared by the back office and the public pages of the bot server (the published offer).
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = SafeHtml | string | number | boolean | null | undefined | Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** html`<p>${text}</p>`: strings are escaped, SafeHtml and arrays of it are inserted as is. */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i += 1) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Trusted markup (e.g. generated SVG); never for text that came from a request. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export function join(items: Value[], separator: Value = ''): SafeHtml {
  return new SafeHtml(items.map(render).join(render(separator)));
}

/** `selected`/`checked` attribute helpers. */
export const attr = (name: string, on: boolean): SafeHtml => new SafeHtml(on ? ` ${name}` : '');
