// Passwords hashed with scrypt (memory-hard, in Node's crypto: no native addon). N = 2^15,
// r = 8, p = 1 needs 32 MiB per hash, ~50–100 ms here: cheap for one login, costly for a
// guessing campaign. The parameters travel with the hash, so they can be raised later.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

function derive(password: string, salt: Buffer, options: { N: number; r: number; p: number }, keyLength: number): Promise<Buffer> {
  // scrypt needs 128·N·r·p bytes; Node's default ceiling (32 MiB) is just short of it.
  const scryptOptions: ScryptOptions = { ...options, maxmem: 256 * options.N * options.r * options.p };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLength, scryptOptions, (e, key) => (e ? reject(e) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P }, KEY_LENGTH);
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every(Number.isInteger) || n > 2 ** 20 || r > 32 || p > 16) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), { N: n, r, p }, expected.length);
  return expected.length > 0 && timingSafeEqual(key, expected);
}

/** A hash of nothing in particular: verifying against it costs the same as a real account. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** French reason why a new password is refused, or null. */
export function passwordProblem(password: string, confirmation: string | undefined, email: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Le mot de passe doit compter au moins ${MIN_PASSWORD_LENGTH} caractères.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Le mot de passe ne peut dépasser ${MAX_PASSWORD_LENGTH} caractères.`;
  if (confirmation !== undefined && password !== confirmation) return 'Les deux mots de passe saisis ne sont pas identiques.';
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) return 'Le mot de passe ne peut pas être votre adresse e-mail.';
  if (new Set(password).size < 5) return 'Le mot de passe est trop répétitif : variez les caractères.';
  return null;
}
