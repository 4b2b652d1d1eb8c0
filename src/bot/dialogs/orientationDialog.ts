// After qualification: route the project, present the orientation, offer to put the holder in touch.
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import type { Profile } from '../../domain/profile.js';
import { loadConversationData, type ConversationDataAccessor } from '../conversationData.js';
import { fr } from '../messages.fr.js';
import { presentDecision, type OrientationService } from '../orientation.js';
import { sendReplies } from '../replies.js';
import { report } from '../report.js';

export const ORIENTATION_DIALOG = 'orientation';

export interface OrientationResult {
  wantsContact: boolean;
}

export class OrientationDialog extends Dialog<{ profile: Profile }> {
  constructor(
    private readonly service: OrientationService,
    private readonly data: ConversationDataAccessor,
    private readonly yesNo: (text: string) => boolean | null,
    private readonly normalize: (text: string) => string,
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
      return dc.endDialog({ wantsContact: false } satisfies OrientationResult);
    }
    data.decision = decision;
    report(dc.context, 'oriented', {
      fallback: decision.fallback,
      rulesVersion: decision.rulesVersion,
      actorIds: decision.referrals.map((r) => r.actorId),
    });
    report(dc.context, 'asked', { question: 'orientation' });
    await sendReplies(dc.context, presentDecision(decision, this.service));
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const text = dc.context.activity.text ?? '';
    const n = this.normalize(text);
    const answer =
      n === this.normalize(fr.orientation.yes) ? true : n === this.normalize(fr.orientation.no) ? false : this.yesNo(text);
    if (answer === null) {
      await sendReplies(dc.context, [{ text: fr.notUnderstood }]);
      await this.repromptDialog(dc.context);
      return Dialog.EndOfTurn;
    }
    // Yes: the consent question comes next, from the contact dialog.
    if (!answer) {
      report(dc.context, 'contact_declined');
      await sendReplies(dc.context, [{ text: fr.orientation.declined }]);
    }
    return dc.endDialog({ wantsContact: answer } satisfies OrientationResult);
  }

  override async repromptDialog(context: TurnContext): Promise<void> {
    const data = await loadConversationData(this.data, context);
    const first = data.decision?.referrals[0];
    if (first) await sendReplies(context, [{ text: fr.orientation.offerContact(first.actorName), buttons: [fr.orientation.yes, fr.orientation.no] }]);
  }
}
