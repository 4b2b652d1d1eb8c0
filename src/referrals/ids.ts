// Short references a holder can read out on the phone: no 0/O nor 1/I/L to confuse (the
// alphabet of REFERENCE_PATTERN). 31^6 ≈ 887 million values, checked against the index.
import { randomInt } from 'node:crypto';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export function newReference(taken: (reference: string) => boolean): string {
  for (;;) {
    const reference = `AIG-${pick(4)}-${pick(2)}`;
    if (!taken(reference)) return reference;
  }
}

/** Records of one request: `AIG-7K3F-Q2-1`, `-2`… in creation order. */
export const referralId = (reference: string, n: number) => `${reference}-${n}`;
