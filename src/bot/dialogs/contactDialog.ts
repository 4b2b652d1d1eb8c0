// Consent, contact details, then the durable referral. The contact details live only in this
// dialog's state, which disappears when the dialog ends.
import { Dialog, type DialogContext, type DialogInstance, type DialogTurnResult } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import type { RoutingDecision } from '../../domain/decision.js';
import { loadConversationData, type ConversationDataAccessor } from '../conversationData.js';
import { ContactFlow, newContactState, type ContactState } from '../contactFlow.js';
import type { HandOffService } from '../handOff.js';
import { fr } from '../messages.fr.js';
import type { BotReply } from '../qualificationFlow.js';
import { sendReplies } from '../replies.js';
import { report } from '../report.js';

export const CONTACT_DIALOG = 'contact';

export class ContactDialog extends Dialog {
  constructor(
    private readonly flow: ContactFlow,
    private readonly handOff: HandOffService,
    private readonly data: ConversationDataAccessor,
    private readonly actorWebsite: (actorId: string) => string | null,
    private readonly logError: (error: unknown) => void,
  ) {
    super(CONTACT_DIALOG);
  }

  override async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = newContactState();
    dc.activeDialog!.state = state;
    const data = await loadConversationData(this.data, dc.context);
    if (data.handedOff) {
      await sendReplies(dc.context, [{ text: fr.contact.alreadySent(data.handedOff) }]);
      return dc.endDialog();
    }
    await sendReplies(dc.context, [this.consent(data.decision)]);
    report(dc.context, 'asked', { question: 'consent' });
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as ContactState;
    const data = await loadConversationData(this.data, dc.context);
    const outcome = this.flow.handle(state, dc.context.activity.text ?? '', this.consent(data.decision));
    if (outcome.kind === 'ask') {
      await sendReplies(dc.context, outcome.replies);
      report(dc.context, 'asked', { question: `contact_${state.step}` });
      return Dialog.EndOfTurn;
    }
    if (outcome.kind === 'refused') {
      const sites = (data.decision?.referrals ?? []).flatMap((r) => {
        const site = this.actorWebsite(r.actorId);
        return site ? [`${r.actorName} : ${site}`] : [];
      });
      report(dc.context, 'consent_refused');
      await sendReplies(dc.context, [{ text: fr.contact.refused(sites) }]);
      return dc.endDialog();
    }
    if (!data.decision) return dc.endDialog();
    try {
      const receipt = await this.handOff.submit({
        conversationId: dc.context.activity.conversation.id,
        partnerId: data.partnerId ?? null,
        profile: data.qualification.profile,
        decision: data.decision,
        consent: { textVersion: fr.contact.consentVersion, at: outcome.consentAt },
        contact: outcome.contact,
      });
      data.handedOff = receipt.reference;
      if (receipt.created) report(dc.context, 'handed_off', { reference: receipt.reference });
      // created === false: this conversation was already handed off (double submit); say so honestly.
      const text = receipt.created
        ? fr.contact.confirmed(receipt.reference, receipt.actorNames, receipt.promisedDays, receipt.holderEmailQueued)
        : fr.contact.alreadySent(receipt.reference);
      await sendReplies(dc.context, [{ text }]);
      return dc.endDialog();
    } catch (error) {
      this.logError(error);
      await sendReplies(dc.context, [{ text: fr.contact.failed, buttons: [fr.contact.retry] }]);
      return Dialog.EndOfTurn;
    }
  }

  override async repromptDialog(context: TurnContext, instance: DialogInstance): Promise<void> {
    const data = await loadConversationData(this.data, context);
    await sendReplies(context, this.flow.repeat(instance.state as ContactState, this.consent(data.decision)));
  }

  private consent(decision: RoutingDecision | undefined): BotReply {
    const referrals = decision?.referrals ?? [];
    const localTier = referrals.filter((r) => r.tier === 'local');
    const first = (localTier.length ? localTier : referrals.slice(0, 1)).map((r) => r.actorName);
    const next = referrals.map((r) => r.actorName).filter((name) => !first.includes(name));
    return this.flow.consentQuestion(first, next.length ? next : ['la CRESS Pays de la Loire']);
  }
}
