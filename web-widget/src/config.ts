// The widget's settings come from its own <script> tag: data-partner (required), data-position
// ("right" or "left"), data-title, data-color. The server is where the script came from.
export interface WidgetConfig {
  partner: string;
  /** Origin of the Aiguillage server (from the script's src). */
  server: string;
  position: 'right' | 'left';
  title?: string;
  color?: string;
}

export function findScript(current: Element | null): HTMLScriptElement | null {
  if (current instanceof HTMLScriptElement && current.dataset.partner !== undefined) return current;
  // Fallback for loaders that run the script outside of a plain tag.
  return document.querySelector<HTMLScriptElement>('script[data-partner][src*="widget.js"]');
}

export function readConfig(script: HTMLScriptElement | null): WidgetConfig | undefined {
  if (!script || !script.src) return undefined;
  const data = script.dataset;
  const partner = (data.partner ?? '').trim();
  if (!/^[a-z0-9-]{1,64}$/.test(partner)) return undefined;
  const color = data.color && /^#[0-9a-f]{6}$/i.test(data.color) ? data.color : undefined;
  const title = data.title?.trim().slice(0, 60) || undefined;
  return {
    partner,
    server: new URL(script.src, location.href).origin,
    position: data.position === 'left' ? 'left' : 'right',
    ...(title ? { title } : {}),
    ...(color ? { color } : {}),
  };
}
