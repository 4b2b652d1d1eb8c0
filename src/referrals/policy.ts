// Follow-up settings, each with the default the issue asks for.
export interface FollowUpPolicy {
  /** Reminders to the actor after these numbers of working days without an answer. */
  reminderWorkingDays: number[];
  /** A pending referral expires after this many calendar days, then escalates. */
  expireDays: number;
  /** Check-ins sent to an actor who took care, after these many days without closing. */
  checkInDays: number[];
  /** Validity of the links sent by e-mail. */
  linkDays: number;
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
  linkDays: 8,
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
