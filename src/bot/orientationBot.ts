// The bot: one ActivityHandler that cleans input, forces French, and runs the main dialog.
import { ActivityHandler, type ConversationState, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { loadConversationData, restartedConversationData, type ConversationData } from './conversationData.js';
import { recognizeCommand } from './commands.js';
import { MAIN_DIALOG, MainDialog } from './dialogs/mainDialog.js';
import { cleanInput } from './input.js';
import { fr } from './messages.fr.js';
import { QualificationFlow, type QuestionChooser, type Understanding } from './qualificationFlow.js';
import { sendReplies } from './replies.js';
import type { EscalationPolicy, OrientationService } from './orientation.js';
import type { HandOffService } from './handOff.js';
import type { ConversationEventSink } from '../domain/events.js';
import { report, setReporter } from './report.js';
import { answerStatusQuery, type StatusQueryOptions } from './statusQuery.js';

export const BOT_LOCALE = 'fr-FR';

export interface OrientationBotOptions {
  conversationState: ConversationState;
  understanding: Understanding;
  orientation: OrientationService;
  /** Which missing fact is worth a question (the router's say). */
  questions: QuestionChooser;
  handOff: HandOffService;
  /** How a request moves on, for the consent sentence (the referral service's policy). */
  policy: () => EscalationPolicy;
  /** Partner display name for the greeting (widget's data-partner), when known. */
  partnerName?: (partnerId: string) => string | undefined;
  /** Conversation steps for the statistics (no personal data). */
  events?: ConversationEventSink;
  /** Where unexpected errors are reported (never with the holder's text). */
  logError?: (error: unknown) => void;
  /** « Où en est ma demande AIG-… ? »: answered at any point of the conversation. */
  statusQuery?: StatusQueryOptions;
}

export class OrientationBot extends ActivityHandler {
  private readonly dialogs: DialogSet;
  private readonly dataAccessor;

  constructor(private readonly options: OrientationBotOptions) {
    super();
    const state = options.conversationState;
    this.dataAccessor = state.createProperty<ConversationData>('aiguillage');
    this.dialogs = new DialogSet(state.createProperty<DialogState>('dialogState'));
    const flow = new QualificationFlow(options.understanding, options.questions);
    this.dialogs.add(
      new MainDialog(
        flow,
        this.dataAccessor,
        options.understanding.normalize,
        options.orientation,
        options.understanding,
        options.handOff,
        options.policy,
        (e) => options.logError?.(e),
      ),
    );

    this.onMembersAdded(async (context, next) => {
      const joined = (context.activity.membersAdded ?? []).some((m) => m.id !== context.activity.recipient?.id);
      if (joined) await this.runDialogs(context, true);
      await next();
    });

    this.onMessage(async (context, next) => {
      await this.onHolderMessage(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    // A browser in English must not switch the prompts' language (DESIGN.md §6).
    context.activity.locale = BOT_LOCALE;
    const conversationId = context.activity.conversation?.id ?? '';
    const sink = this.options.events;
    if (sink && conversationId) {
      setReporter(context, (step, extra) => {
        void this.dataAccessor
          .get(context)
          .then((data) => sink({ ...extra, step, conversationId, partnerId: data?.partnerId ?? null, at: new Date().toISOString() }))
          .catch(() => undefined);
      });
    }
    try {
      await super.run(context);
    } catch (error) {
      this.options.logError?.(error);
      await context.sendActivity(fr.error).catch(() => undefined);
    } finally {
      await this.options.conversationState.saveChanges(context, false);
    }
  }

  private async onHolderMessage(context: TurnContext): Promise<void> {
    const input = cleanInput(context.activity.text);
    context.activity.text = input.text;
    const data = await loadConversationData(this.dataAccessor, context);
    if (!input.text) {
      const nonText = (context.activity.attachments?.length ?? 0) > 0;
      await sendReplies(context, [{ text: nonText ? fr.nonText : fr.empty }]);
      await this.reprompt(context);
      return;
    }
    if (input.truncated) await sendReplies(context, [{ text: fr.tooLong }]);
    const status = this.options.statusQuery ? await answerStatusQuery(input.text, this.options.statusQuery) : null;
    if (status) return sendReplies(context, status);
    if (data.finished) {
      const command = recognizeCommand(this.options.understanding.normalize(input.text), input.text);
      if (command !== 'restart') {
        // The holder may never have read the confirmation (an instance stopped right after the
        // hand-off): the number is given again.
        const text = data.handedOff ? fr.finishedWithReference(data.handedOff) : fr.finished;
        await sendReplies(context, [{ text, buttons: [fr.buttons.restart] }]);
        return;
      }
      await this.dataAccessor.set(context, restartedConversationData(data));
      await sendReplies(context, [{ text: fr.restarted }]);
      await this.runDialogs(context, true);
      return;
    }
    await this.runDialogs(context, false);
  }

  private async runDialogs(context: TurnContext, greetingOnly: boolean): Promise<void> {
    const dc = await this.dialogs.createContext(context);
    if (dc.activeDialog) {
      if (greetingOnly) return;
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.complete) (await loadConversationData(this.dataAccessor, context)).finished = true;
      return;
    }
    const data = await loadConversationData(this.dataAccessor, context);
    const partnerId = readPartnerId(context);
    if (partnerId) data.partnerId = partnerId;
    const partnerName = data.partnerId ? this.options.partnerName?.(data.partnerId) : undefined;
    report(context, 'started');
    const result = await dc.beginDialog(MAIN_DIALOG, {
      firstText: greetingOnly ? undefined : context.activity.text,
      partnerName,
    });
    if (result.status === DialogTurnStatus.complete) data.finished = true;
  }

  private async reprompt(context: TurnContext): Promise<void> {
    const dc = await this.dialogs.createContext(context);
    if (dc.activeDialog) await dc.repromptDialog();
    else await sendReplies(context, [{ text: fr.inviteDescription }]);
  }
}

function readPartnerId(context: TurnContext): string | undefined {
  const data = context.activity.channelData as { partner?: unknown } | undefined;
  return typeof data?.partner === 'string' && /^[a-z0-9-]{1,64}$/.test(data.partner) ? data.partner : undefined;
}

