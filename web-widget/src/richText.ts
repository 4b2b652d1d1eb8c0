// A message's text as DOM nodes, never as markup: line breaks stay (CSS pre-wrap), https links
// become real anchors, and in the bot's messages a dossier number is emphasised on one line.

/** REFERENCE_PATTERN of src/domain/referral.ts without its anchors (tests/web checks they
 * agree). Copied rather than imported: that module would bring zod into widget.js. */
export const REFERENCE_IN_TEXT = /AIG-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}/g;

const URL_PATTERN = /https:\/\/[^\s<>"«»]+[^\s<>"«».,;:!?)]/g;

export function appendText(parent: HTMLElement, text: string, emphasiseReferences: boolean): void {
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const index = match.index ?? 0;
    appendPlain(parent, text.slice(last, index), emphasiseReferences);
    const a = document.createElement('a');
    a.href = match[0];
    a.textContent = match[0];
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    parent.appendChild(a);
    last = index + match[0].length;
  }
  appendPlain(parent, text.slice(last), emphasiseReferences);
}

function appendPlain(parent: HTMLElement, text: string, emphasiseReferences: boolean): void {
  let last = 0;
  if (emphasiseReferences) {
    for (const match of text.matchAll(REFERENCE_IN_TEXT)) {
      const index = match.index ?? 0;
      // Inside an address (« …/suivi/AIG-7K3M-Q2.s… » on a plain http server): not a number to note.
      if (text[index - 1] === '/') continue;
      parent.appendChild(document.createTextNode(text.slice(last, index)));
      // Its own element so that CSS keeps « AIG-7K3M-Q2 » on one line (no break at the hyphens).
      const strong = document.createElement('strong');
      strong.className = 'ref';
      strong.textContent = match[0];
      parent.appendChild(strong);
      last = index + match[0].length;
    }
  }
  parent.appendChild(document.createTextNode(text.slice(last)));
}
