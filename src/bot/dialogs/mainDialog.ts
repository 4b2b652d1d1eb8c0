// The conversation's backbone: qualification, the proposal with its one consent, the contact.
// Conversation-wide commands ("recommencer", "corriger", "aide", "parler à quelqu'un") interrupt
// whatever question is pending.
import { ComponentDialog, Dialog, WaterfallDialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Profile } from '../../domain/profile.js';
import { recognizeCommand } from '../commands.js';
import { loadConversationData, restartedConversationData, type ConversationDataAccessor } from '../conversationData.js';
import { fr } from '../messages.fr.js';
import type { QualificationFlow, Understanding } from '../qualificationFlow.js';
import { sendReplies } from '../replies.js';
import { report } from '../report.js';
import type { EscalationPolicy, OrientationService } from '../orientation.js';
import { ORIENTATION_DIALOG, OrientationDialog, type OrientationResult } from './orientationDialog.js';
import { CONTACT_DIALOG, ContactDialog, type ContactOptions } from './contactDialog.js';
import { ContactFlow } from '../contactFlow.js';
import type { HandOffService } from '../handOff.js';
import { QUALIFICATION_DIALOG, QualificationDialog, type QualificationOptions } from './qualificationDialog.js';

export const MAIN_DIALOG = 'main';
const MAIN_WATERFALL = 'mainWaterfall';

export interface MainOptions extends QualificationOptions {}

export class MainDialog extends ComponentDialog<MainOptions> {
  constructor(
    private readonly flow: QualificationFlow,
    private readonly data: ConversationDataAccessor,
    private readonly normalize: (text: string) => string,
    orientation: OrientationService,
    understanding: Pick<Understanding, 'yesNo' | 'email' | 'phone' | 'normalize'>,
    handOff: HandOffService,
    policy: () => EscalationPolicy,
    logError: (error: unknown) => void,
  ) {
    super(MAIN_DIALOG);
    this.addDialog(new QualificationDialog(flow, data, normalize));
    this.addDialog(new OrientationDialog(orientation, flow, data, understanding, policy));
    this.addDialog(new ContactDialog(new ContactFlow(understanding), handOff, data, orientation, policy, logError));
    this.addDialog(
      new WaterfallDialog(MAIN_WATERFALL, [
        (step) => step.beginDialog(QUALIFICATION_DIALOG, step.options),
        (step) => this.qualified(step),
        (step) => {
          const result = step.result as OrientationResult | undefined;
          if (result?.amend) return step.replaceDialog(MAIN_WATERFALL, { amend: result.amend } satisfies QualificationOptions);
          const keep = result?.keep ?? [];
          return keep.length ? step.beginDialog(CONTACT_DIALOG, { keep } satisfies ContactOptions) : step.next();
        },
        (step) =>
          (step.result as { reconsent?: boolean } | undefined)?.reconsent
            ? step.replaceDialog(MAIN_WATERFALL, { resume: true } satisfies QualificationOptions)
            : step.endDialog(),
      ]),
    );
    this.initialDialogId = MAIN_WATERFALL;
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const interrupted = await this.interrupt(innerDc);
    return interrupted ?? super.onContinueDialog(innerDc);
  }

  private async interrupt(innerDc: DialogContext): Promise<DialogTurnResult | null> {
    const raw = innerDc.context.activity.text ?? '';
    const command = recognizeCommand(this.normalize(raw), raw);
    switch (command) {
      case 'restart': {
        await this.data.set(innerDc.context, restartedConversationData(await loadConversationData(this.data, innerDc.context)));
        await sendReplies(innerDc.context, [{ text: fr.restarted }]);
        await innerDc.cancelAllDialogs();
        return innerDc.beginDialog(MAIN_WATERFALL, {});
      }
      case 'correct': {
        // Back to the answers, whatever was pending (proposal, consent, contact): the contact
        // details typed so far go with the dialog that held them.
        await innerDc.cancelAllDialogs();
        return innerDc.beginDialog(MAIN_WATERFALL, { correct: true } satisfies QualificationOptions);
      }
      case 'help':
        await sendReplies(innerDc.context, [{ text: fr.help }]);
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      case 'human':
        await sendReplies(innerDc.context, [{ text: fr.human }, { text: fr.humanNow }]);
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      case 'unknownCommand':
        await sendReplies(innerDc.context, [{ text: fr.unknownCommand }]);
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      default:
        return null;
    }
  }

  private async qualified(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const profile = step.result as Profile;
    report(step.context, 'qualified', { profile });
    return step.beginDialog(ORIENTATION_DIALOG, { profile });
  }
}
