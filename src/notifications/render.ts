// One e-mail written once as blocks, rendered as plain text and as simple HTML (no images, no
// remote resources, no tracking).
export type Block =
  | { kind: 'p'; text: string }
  | { kind: 'list'; title?: string; items: string[] }
  | { kind: 'links'; title: string; items: { label: string; url: string }[] };

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const FOOTER = 'Aiguillage — orientation des porteurs de projet de l’économie sociale et solidaire. Ce courriel ne contient aucun traceur.';

export function render(subject: string, blocks: Block[]): MailContent {
  const text: string[] = [];
  const html: string[] = [];
  for (const block of blocks) {
    if (block.kind === 'p') {
      text.push(block.text, '');
      html.push(`<p>${escapeHtml(block.text)}</p>`);
    } else if (block.kind === 'list') {
      if (block.title) text.push(block.title.toUpperCase());
      text.push(...block.items.map((i) => `- ${i}`), '');
      if (block.title) html.push(`<h2 style="font-size:1.05em;margin:1.2em 0 .4em">${escapeHtml(block.title)}</h2>`);
      html.push(`<ul>${block.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`);
    } else {
      text.push(block.title.toUpperCase(), ...block.items.map((l) => `- ${l.label} :\n  ${l.url}`), '');
      html.push(`<h2 style="font-size:1.05em;margin:1.2em 0 .4em">${escapeHtml(block.title)}</h2>`);
      html.push(`<ul>${block.items.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></li>`).join('')}</ul>`);
    }
  }
  text.push('--', FOOTER);
  return {
    subject,
    text: `${text.join('\n')}\n`,
    html:
      `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>` +
      `<body style="font-family:Arial,Helvetica,sans-serif;line-height:1.45;color:#1e1e1e;max-width:40em">` +
      `${html.join('\n')}<hr><p style="font-size:.85em;color:#555">${escapeHtml(FOOTER)}</p></body></html>`,
  };
}
