// After the consent: the contact details, then the durable referral to the structures the holder
// kept. The contact details live only in this dialog's state, which disappears when it ends.
import { Dialog, type DialogContext, type DialogInstance, type DialogTurnResult } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import { loadConversationData, type ConversationDataAccessor } from '../conversationData.js';
import { ContactFlow, newContactState, type ContactState } from '../contactFlow.js';
import type { HandOffService } from '../handOff.js';
import { fr } from '../messages.fr.js';
import { keptDecision, routeSentence, type EscalationPolicy, type OrientationService } from '../orientation.js';
import { descriptionOf } from '../qualificationFlow.js';
import { actorNames } from '../../domain/actor.js';
import { sendReplies } from '../replies.js';
import { report } from '../report.js';

export const CONTACT_DIALOG = 'contact';

export interface ContactOptions {
  /** Actors the holder agreed to send the request to. */
  keep: string[];
}

interface ContactDialogState extends ContactState {
  keep: string[];
}

export class ContactDialog extends Dialog<ContactOptions> {
  constructor(
    private readonly flow: ContactFlow,
    private readonly handOff: HandOffService,
    private readonly data: ConversationDataAccessor,
    private readonly service: OrientationService,
    private readonly policy: () => EscalationPolicy,
    private readonly logError: (error: unknown) => void,
    private readonly now: () => Date = () => new Date(),
  ) {
    super(CONTACT_DIALOG);
  }

  override async beginDialog(dc: DialogContext, options?: ContactOptions): Promise<DialogTurnResult> {
    const data = await loadConversationData(this.data, dc.context);
    if (data.handedOff) {
      await sendReplies(dc.context, [{ text: fr.contact.alreadySent(data.handedOff) }]);
      return dc.endDialog();
    }
    if (!data.decision) return dc.endDialog();
    const keep = options?.keep ?? [];
    const state: ContactDialogState = { ...newContactState(this.now().toISOString()), keep };
    dc.activeDialog!.state = state;
    await sendReplies(dc.context, [
      { text: fr.contact.kept(routeSentence(data.decision, keep, this.service, this.policy())) },
      this.flow.question(),
    ]);
    report(dc.context, 'asked', { question: 'contact_contact' });
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as ContactDialogState;
    const data = await loadConversationData(this.data, dc.context);
    // State from before the one-step consent (no kept structures, maybe no consent): ask again.
    if (!Array.isArray(state.keep) || !state.consentAt) return dc.endDialog({ reconsent: true });
    const outcome = this.flow.handle(state, dc.context.activity.text ?? '');
    if (outcome.kind === 'ask') {
      await sendReplies(dc.context, outcome.replies);
      report(dc.context, 'asked', { question: `contact_${state.step}` });
      return Dialog.EndOfTurn;
    }
    if (!data.decision) return dc.endDialog();
    try {
      const receipt = await this.handOff.submit({
        conversationId: dc.context.activity.conversation.id,
        partnerId: data.partnerId ?? null,
        profile: data.qualification.profile,
        decision: keptDecision(data.decision, state.keep),
        consent: { textVersion: fr.contact.consentVersion, at: outcome.consentAt },
        contact: outcome.contact,
        description: descriptionOf(data.qualification),
      });
      data.handedOff = receipt.reference;
      if (receipt.created) report(dc.context, 'handed_off', { reference: receipt.reference });
      // created === false: this conversation was already handed off (double submit); say so honestly.
      const who = receipt.actors.map((a) => actorNames({ name: a.name, names: this.service.actor(a.id)?.names }).to);
      const text = receipt.created
        ? fr.contact.confirmed(receipt.reference, who, receipt.promisedDays, receipt.holderEmailQueued, receipt.statusUrl)
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
    await sendReplies(context, this.flow.repeat(instance.state as ContactDialogState));
  }
}
