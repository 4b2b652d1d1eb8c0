// After qualification: route the project, show the summary with who can help in one message,
// and ask the one consent (all structures, or only some of them). « Corriger » is handled by the
// main dialog, whatever is pending.
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import type { Profile } from '../../domain/profile.js';
import { loadConversationData, type ConversationDataAccessor } from '../conversationData.js';
import { fr } from '../messages.fr.js';
import { consentQuestion, presentProposal, readConsent, structureLabel, type EscalationPolicy, type OrientationService } from '../orientation.js';
import type { QualificationFlow } from '../qualificationFlow.js';
import { sendReplies } from '../replies.js';
import { report } from '../report.js';

export const ORIENTATION_DIALOG = 'orientation';

export interface OrientationResult {
  /** Actors the holder agreed to send the request to; empty when they refused. */
  keep: string[];
  /** Words that correct the project instead of answering (« non, c'est à Vallet »): qualified again. */
  amend?: string;
}

export class OrientationDialog extends Dialog<{ profile: Profile }> {
  constructor(
    private readonly service: OrientationService,
    private readonly flow: QualificationFlow,
    private readonly data: ConversationDataAccessor,
    private readonly understanding: { normalize(text: string): string; yesNo(text: string): boolean | null },
    private readonly policy: () => EscalationPolicy,
  ) {
    super(ORIENTATION_DIALOG);
  }

  override async beginDialog(dc: DialogContext, options?: { profile: Profile }): Promise<DialogTurnResult> {
    const data = await loadConversationData(this.data, dc.context);
    const profile = options?.profile ?? data.qualification.profile;
    let decision;
    try {
      decision = await this.service.route(profile);
    } catch {
      await sendReplies(dc.context, [{ text: fr.orientation.unavailable }]);
      return dc.endDialog({ keep: [] } satisfies OrientationResult);
    }
    data.decision = decision;
    report(dc.context, 'oriented', {
      fallback: decision.fallback,
      rulesVersion: decision.rulesVersion,
      actorIds: decision.referrals.map((r) => r.actorId),
    });
    report(dc.context, 'asked', { question: 'consent' });
    await sendReplies(dc.context, presentProposal(this.flow.summary(profile), decision, this.service, this.policy()));
    // The consent text the holder read: an answer to another version (a conversation from
    // before an update) is not a consent to this one.
    dc.activeDialog!.state = { consentVersion: fr.contact.consentVersion };
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const data = await loadConversationData(this.data, dc.context);
    const decision = data.decision;
    if (!decision) return dc.endDialog({ keep: [] } satisfies OrientationResult);
    if ((dc.activeDialog?.state as { consentVersion?: string } | undefined)?.consentVersion !== fr.contact.consentVersion) {
      return this.beginDialog(dc, { profile: data.qualification.profile });
    }
    const text = dc.context.activity.text ?? '';
    const answer = readConsent(text, decision, this.service, this.understanding);
    // « Non, c'est à Vallet », « en fait on est déjà en Scop »: new facts, not a refusal.
    const bare = answer.kind === 'unclear' || answer.via === 'yes' || answer.via === 'no';
    if (bare && this.flow.statesFacts(text)) return dc.endDialog({ keep: [], amend: text } satisfies OrientationResult);
    if (answer.kind === 'unclear') {
      await sendReplies(dc.context, [{ text: fr.contact.notUnderstoodChoice }, ...consentQuestion(decision, this.service, this.policy())]);
      return Dialog.EndOfTurn;
    }
    if (answer.kind === 'refuse') {
      report(dc.context, 'consent_refused');
      const sites = decision.referrals.flatMap((r) => {
        const site = this.service.actor(r.actorId)?.website;
        return site ? [`${structureLabel(this.service, r.actorId, r.actorName)} : ${site}`] : [];
      });
      // Nothing is sent: the holder's words are not kept either.
      data.qualification.description = [];
      await sendReplies(dc.context, [{ text: fr.contact.refused(sites) }]);
      return dc.endDialog({ keep: [] } satisfies OrientationResult);
    }
    return dc.endDialog({ keep: answer.actorIds } satisfies OrientationResult);
  }

  override async repromptDialog(context: TurnContext): Promise<void> {
    const data = await loadConversationData(this.data, context);
    if (data.decision) await sendReplies(context, [...consentQuestion(data.decision, this.service, this.policy())]);
  }
}
