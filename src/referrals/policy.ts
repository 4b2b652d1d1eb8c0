// Follow-up settings, each with the default the issue asks for.
export interface FollowUpPolicy {
  /** Reminders to the actor after these numbers of working days without an answer. */
  reminderWorkingDays: number[];
  /** A pending referral expires after this many calendar days, then escalates. */
  expireDays: number;
  /** Check-ins sent to an actor who took care, after these many days without closing. */
  checkInDays: number[];
  /** Actor links outlive the moment the request is reassigned (or the next check-in) by this much. */
  linkMarginDays: number;
  /** Personal fields are anonymised this long after closure (or after the last activity). */
  anonymiseAfterMonths: number;
  /** Idle conversation state is deleted after this many days. */
  conversationTtlDays: number;
  /** Delivery receipts (ids of sent e-mails, no content) are kept this long. */
  receiptDays: number;
  /** Network head reached when the decision has no further tier. */
  networkActorId: string;
}

export const DEFAULT_POLICY: FollowUpPolicy = {
  reminderWorkingDays: [3, 7],
  expireDays: 14,
  checkInDays: [30, 60],
  linkMarginDays: 3,
  anonymiseAfterMonths: 24,
  conversationTtlDays: 30,
  receiptDays: 30,
  networkActorId: 'cress-pdl',
};

export function monthsBefore(date: Date, months: number): Date {
  const d = new Date(date);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

const DAY = 86_400_000;

/**
 * Until when an actor's signed links work: while the referral waits, until it is reassigned
 * (creation + expireDays); once taken care of, until the next check-in brings fresh links; in
 * both cases plus the margin, so that no window is left where nobody can act.
 */
export function actorLinksValidUntil(
  policy: Pick<FollowUpPolicy, 'expireDays' | 'checkInDays' | 'linkMarginDays'>,
  record: { createdAt: string; status: string; statusAt: string },
  now: Date,
): Date {
  const created = Date.parse(record.createdAt);
  let until = created + policy.expireDays * DAY;
  if (record.status === 'taking_care') {
    const since = Date.parse(record.statusAt);
    const next = policy.checkInDays.map((d) => since + d * DAY).find((at) => at > now.getTime());
    until = next ?? now.getTime() + Math.max(...policy.checkInDays, policy.expireDays) * DAY;
  }
  return new Date(Math.max(until, now.getTime()) + policy.linkMarginDays * DAY);
}
