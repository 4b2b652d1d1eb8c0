// Where a request stands, in the holder's words: one line per structure solicited, in the
// order they were, with the date promised. Pure; the status page shows the structures' names,
// the chat does not (anyone who knows a reference can ask there).
import { isClosed, type Referral } from '../domain/referral.js';
import { frenchDate } from '../notifications/compose.js';

const DAY = 86_400_000;

export interface HolderStatusLine {
  /** The structure's name, or « la 1re structure sollicitée » when names are left out. */
  actor: string;
  /** « en attente de contact », « vous a pris en charge le 3 mars 2025 »… */
  status: string;
  /** Call-back promised by this date (while waiting). */
  promisedBy: string | null;
  /** The promised date has passed and nobody has taken care of it. */
  late: boolean;
  /** The structure's public website, when names are shown. */
  website: string | null;
}

export interface HolderStatus {
  reference: string;
  createdAt: string;
  lines: HolderStatusLine[];
  /** No structure is still working on it. */
  closed: boolean;
  /** The coordination has it in hand: nobody else has it and a case is left to check. */
  withCoordination: boolean;
  erased: boolean;
}

const ordinal = (n: number) => (n === 1 ? '1re' : `${n}e`);

export function holderStatus(records: Referral[], options: { named: boolean; now: Date; website?: (actorId: string) => string | null | undefined }): HolderStatus {
  const sorted = [...records].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id, 'en', { numeric: true }));
  const nameOf = (r: Referral) => (options.named ? r.actorName : `la ${ordinal(sorted.indexOf(r) + 1)} structure sollicitée`);
  const lines = sorted.map((r): HolderStatusLine => {
    const promised = Date.parse(r.createdAt) + r.promisedDays * DAY;
    const next = sorted.filter((x) => x.escalatedFrom === r.id);
    const at = frenchDate(r.statusAt);
    let status: string;
    switch (r.status) {
      case 'pending':
        status = 'en attente de contact';
        break;
      case 'taking_care':
        status = `vous a pris en charge le ${at}`;
        break;
      case 'done':
        status = `vous accompagne depuis le ${at}`;
        break;
      case 'done_no_help':
        status = `a clos la demande le ${at}, après avoir échangé avec vous`;
        break;
      case 'unreachable':
        status = `n’a pas réussi à vous joindre (le ${at})`;
        break;
      default:
        if (r.decline?.reason === 'demande_non_serieuse') status = `a clos la demande le ${at}`;
        else if (next.length) status = `a passé le relais à ${next.map(nameOf).join(' et à ')} le ${at}`;
        else status = `ne peut pas suivre votre demande (le ${at})`;
    }
    return {
      actor: nameOf(r),
      status,
      promisedBy: r.status === 'pending' ? frenchDate(new Date(promised)) : null,
      late: r.status === 'pending' && options.now.getTime() > promised,
      website: options.named ? (options.website?.(r.actorId) ?? null) : null,
    };
  });
  return {
    reference: sorted[0]?.reference ?? '',
    createdAt: sorted[0]?.createdAt ?? '',
    lines,
    closed: sorted.every((r) => isClosed(r.status)),
    // A case to check while another structure still has the request is the coordination's business.
    withCoordination: sorted.some((r) => r.review !== null) && sorted.every((r) => isClosed(r.status)),
    erased: sorted.some((r) => r.erasedAt !== null),
  };
}
