// Slot filling as a botbuilder dialog: the flow decides, the dialog stores and sends.
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import { loadConversationData, type ConversationDataAccessor } from '../conversationData.js';
import { newQualificationState, type QualificationFlow } from '../qualificationFlow.js';
import { sendReplies } from '../replies.js';
import { isGreeting } from '../commands.js';
import { report } from '../report.js';

export const QUALIFICATION_DIALOG = 'qualification';

export interface QualificationOptions {
  /** The holder's first message, when they wrote before being greeted. */
  firstText?: string;
  partnerName?: string;
  /** « Corriger »: keep the answers and ask which one to change. */
  correct?: boolean;
  /** Words that correct the answers at the proposal (« non, c'est à Vallet »): applied, then on. */
  amend?: string;
  /** Go on from the answers kept (after an update changed the later steps). */
  resume?: boolean;
}

export class QualificationDialog extends Dialog<QualificationOptions> {
  constructor(
    private readonly flow: QualificationFlow,
    private readonly data: ConversationDataAccessor,
    private readonly normalize: (text: string) => string,
  ) {
    super(QUALIFICATION_DIALOG);
  }

  override async beginDialog(dc: DialogContext, options?: QualificationOptions): Promise<DialogTurnResult> {
    const data = await loadConversationData(this.data, dc.context);
    if (options?.resume) {
      data.decision = undefined;
      const result = await this.flow.resume(data.qualification);
      await sendReplies(dc.context, result.replies);
      if (result.done) return dc.endDialog(data.qualification.profile);
      return Dialog.EndOfTurn;
    }
    if (options?.amend) {
      data.decision = undefined;
      return this.handle(dc, options.amend);
    }
    if (options?.correct) {
      data.decision = undefined;
      await sendReplies(dc.context, this.flow.startCorrection(data.qualification));
      report(dc.context, 'asked', { question: data.qualification.awaiting ?? 'description' });
      return Dialog.EndOfTurn;
    }
    data.qualification = newQualificationState();
    const state = data.qualification;
    const first = options?.firstText ?? '';
    if (first && this.flow.statesFacts(first)) {
      state.awaiting = 'description';
      return this.handle(dc, first);
    }
    const opening = this.flow.start(state, options?.partnerName);
    if (!first || isGreeting(this.normalize(first))) {
      await sendReplies(dc.context, opening);
      return Dialog.EndOfTurn;
    }
    // Words that say nothing yet about the project ("je veux faire un projet"): greet, then ask.
    await sendReplies(dc.context, opening.slice(0, 1));
    return this.handle(dc, first);
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    return this.handle(dc, dc.context.activity.text ?? '');
  }

  override async repromptDialog(context: TurnContext): Promise<void> {
    const data = await loadConversationData(this.data, context);
    await sendReplies(context, this.flow.repeatQuestion(data.qualification));
  }

  private async handle(dc: DialogContext, text: string): Promise<DialogTurnResult> {
    const data = await loadConversationData(this.data, dc.context);
    const result = await this.flow.handle(data.qualification, text);
    await sendReplies(dc.context, result.replies);
    const asked = data.qualification.awaiting;
    if (asked) report(dc.context, 'asked', { question: asked });
    if (result.done) return dc.endDialog(data.qualification.profile);
    return Dialog.EndOfTurn;
  }
}
