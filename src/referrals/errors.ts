// Use-case errors carry a code for callers and a French message for people.
export type ReferralErrorCode = 'invalid_input' | 'not_found' | 'invalid_transition' | 'already_done' | 'unknown_actor' | 'no_target';

export class ReferralError extends Error {
  constructor(
    readonly code: ReferralErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReferralError';
  }
}
