// WCAG contrast: partner colours are whatever the partner likes, so the widget computes a
// readable text colour on them and darkens them where they are used as text on white.
type Rgb = [number, number, number];

export function parseHex(hex: string): Rgb | undefined {
  const m = /^#([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return undefined;
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const la = luminance(parseHex(a) ?? [0, 0, 0]);
  const lb = luminance(parseHex(b) ?? [0, 0, 0]);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * White if it reaches 4.5:1 on the background, else near-black, else black: white and black
 * cannot both miss (their two ratios multiply to 21, so the better one is at least 4.58).
 */
export function textOn(background: string): string {
  if (contrast('#ffffff', background) >= 4.5) return '#ffffff';
  return contrast('#141414', background) >= 4.5 ? '#141414' : '#000000';
}

/** The colour, darkened step by step until it reaches `ratio` against `background`. */
export function readableOn(colour: string, background: string, ratio = 4.5): string {
  let rgb = parseHex(colour) ?? [0, 0, 0];
  for (let i = 0; i < 40 && contrast(toHex(rgb), background) < ratio; i += 1) {
    rgb = rgb.map((c) => c * 0.9) as Rgb;
  }
  return toHex(rgb);
}
