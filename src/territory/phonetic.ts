// A French sound key for names typed by ear: « Cliçon » and « Clisson », « Vertoux » and
// « Vertou », « Getigné » and « Gétigné » read the same. Deliberately coarse: it is used only
// to find a served commune that no other reading found, and only when one commune fits.
const STEPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/ç/g, 'ss'],
  [/[éèêë]/g, 'e'],
  [/[àâä]/g, 'a'],
  [/[îï]/g, 'i'],
  [/[ôö]/g, 'o'],
  [/[ùûü]/g, 'u'],
  [/[^a-z]/g, ''],
  [/ph/g, 'f'],
  [/qu|q/g, 'k'],
  [/c([eiy])/g, 's$1'],
  [/c|ck/g, 'k'],
  [/g([eiy])/g, 'j$1'],
  [/gu([ei])/g, 'g$1'],
  [/eaux?|aux?|ault|aud|ot$|o[st]$/g, 'o'],
  [/ai|ei|et$|ez$|er$/g, 'e'],
  [/y/g, 'i'],
  [/h/g, ''],
  // A single s between vowels sounds z (before doubles are merged: « ss » stays s).
  [/(?<=[aeiou])s(?=[aeiou])/g, 'z'],
  [/([a-z])\1+/g, '$1'],
  [/[stdxe]+$/g, ''],
];

export function phoneticKey(word: string): string {
  let out = word.toLowerCase();
  for (const [pattern, replacement] of STEPS) out = out.replace(pattern, replacement);
  return out;
}

/** The key of a whole name, word by word (« Saint-Julien-de-Concelles »). */
export function phoneticName(name: string): string {
  return name
    .toLowerCase()
    .split(/[\s'’-]+/)
    .filter(Boolean)
    .map(phoneticKey)
    .join(' ');
}
