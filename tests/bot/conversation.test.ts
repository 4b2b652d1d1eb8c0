// Conversation transcripts: the real bot (qualification, territory, dialogs) through TestAdapter.
import { beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { MemoryStorage } from 'botbuilder';
import { fr } from '../../src/bot/messages.fr.js';
import { warmUp } from '../../src/qualification/index.js';
import { acceptButton, allText, consentStep, Holder, isConsent, lastQuestion, proposal, untilConsent, type Reply } from './holder.js';
import { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR } from '../../src/routing/index.js';
import { loadTerritory } from '../../src/territory/index.js';
import { questionSlots, sensibleToAsk, worthAsking, wouldChangeDecision, type QuestionSlot } from '../../src/routing/questions.js';
import { BOOLEAN_FACT_LABELS, TRADE_LABELS, type Profile } from '../../src/domain/profile.js';

/** The profile the bot holds for this holder's conversation (read from its state). */
async function currentProfile(holder: Holder): Promise<Profile> {
  return holder.profile();
}

const Q = fr.questions;

function asks(replies: Reply[], question: string): void {
  assert.equal(lastQuestion(replies).text, question, `question attendue : ${question}\nreçu : ${allText(replies)}`);
}

beforeAll(async () => {
  await warmUp();
});

describe('a holder who describes everything in one sentence', () => {
  it('gets the summary and who can help in one message, with one consent question, at the first answer', async () => {
    const holder = new Holder();
    const first = await holder.say(
      'Bonjour, avec deux amies on veut créer une recyclerie à Vallet et on cherche un local pour stocker',
    );
    const r = await untilConsent(holder, first, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
    const text = proposal(r);
    assert.doesNotMatch(allText(r), /J’ai compris :/, 'the summary alone, not the same list twice');
    assert.match(text, /Lieu : Vallet \(CC Sèvre et Loire\)/);
    assert.match(text, /Domaine : Réemploi/);
    assert.match(text, /Voici qui peut vous accompagner/);
    assert.match(text, /^1\. La Communauté de communes Sèvre et Loire \(Accompagnement de proximité\)$/m);
    assert.ok(holder.messagesSent <= 2, holder.transcript.join('\n'));
  });
});

describe('a vague holder', () => {
  it('is asked the place first, then only useful questions, with buttons, and can answer by clicking', async () => {
    const holder = new Holder();
    let r = await holder.say('je veux faire un projet');
    assert.match(allText(r), /quelques questions/);
    asks(r, Q.place);
    r = await holder.say('Clisson');
    assert.match(allText(r), /Clisson/);
    asks(r, Q.stage);
    r = await holder.click(fr.buttons.stage.idee, r);
    r = await untilConsent(holder, r, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
    const text = proposal(r);
    assert.match(text, /Lieu : Clisson \(CA Clisson Sèvre et Maine Agglo\)/);
    assert.match(text, /Stade : Idée/);
  });

  it('can say "je ne sais pas" and is never stuck', async () => {
    const holder = new Holder();
    let r = await holder.say('bonjour');
    assert.match(allText(r), /Bonjour et bienvenue/);
    r = await holder.say('un projet à Gétigné');
    asks(r, Q.stage);
    r = await untilConsent(holder, r, (q) => (q.buttons.includes(fr.buttons.dontKnow) ? fr.buttons.dontKnow : fr.buttons.noParticularNeed));
    assert.match(proposal(r), /Stade : non précisé/);
  });

  it('a sector that leaves an agricultural installation open gets that one yes/no question, and the answer decides the Chambre d’agriculture', async () => {
    const answers = async (installation: string) => {
      const holder = new Holder();
      let r = await holder.say('je veux faire un projet à Clisson');
      asks(r, Q.stage);
      r = await holder.click(fr.buttons.stage.creation, r);
      const agricultural = BOOLEAN_FACT_LABELS.agriculturalInstallation;
      const asked = (q: Reply) => q.text === Q.facts.agriculturalInstallation || (q.text === Q.checklist && q.buttons.includes(agricultural));
      for (let i = 0; i < 6 && !asked(lastQuestion(r)); i++) {
        const q = lastQuestion(r);
        r = await holder.say(q.text === Q.sector ? 'Alimentation, circuits courts, agriculture' : q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!);
      }
      const q = lastQuestion(r);
      assert.ok(asked(q), holder.transcript.join('\n'));
      if (q.text === Q.checklist) {
        // With other useful yes/no facts, one checklist (multi-select) holds them all.
        assert.ok(q.multiSelect?.exclusive.includes(fr.buttons.noneOfThese));
        r = await holder.say(installation === fr.buttons.yes ? agricultural : fr.buttons.noneOfThese);
      } else {
        assert.deepEqual(q.buttons, [fr.buttons.yes, fr.buttons.no, fr.buttons.dontKnow]);
        r = await holder.click(installation, r);
      }
      r = await untilConsent(holder, r, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
      return proposal(r);
    };
    assert.match(await answers(fr.buttons.yes), /Chambre d’agriculture/);
    assert.doesNotMatch(await answers(fr.buttons.no), /Chambre d’agriculture/);
  });
});

describe('the one question that settles a hedge', () => {
  it('a food project with the installation unknown: « Votre projet comprend-il une installation agricole … ? », and the answer decides', async () => {
    const opening = 'On lance un projet alimentaire à Clisson en association, on cherche un financement';
    const proposed = async (answer: string) => {
      const holder = new Holder();
      let r = await holder.say(opening);
      asks(r, 'Votre projet comprend-il une installation agricole (production, élevage, vigne) ?');
      assert.deepEqual(lastQuestion(r).buttons, [fr.buttons.yes, fr.buttons.no, fr.buttons.dontKnow]);
      r = await holder.click(answer, r);
      r = await untilConsent(holder, r, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
      return proposal(r);
    };
    assert.match(await proposed(fr.buttons.yes), /Chambre d’agriculture/);
    assert.doesNotMatch(await proposed(fr.buttons.no), /Chambre d’agriculture/);
    assert.doesNotMatch(await proposed(fr.buttons.dontKnow), /Chambre d’agriculture/, 'never a guess');
  });
});

describe('questions that would change nothing are not asked', () => {
  it('out of the region, no answer changes the regional contact: straight to the proposal', async () => {
    const holder = new Holder();
    const r = await holder.say('Je veux créer une coopérative d’habitants à Lyon');
    assert.ok(isConsent(lastQuestion(r)), holder.transcript.join('\n'));
    const text = proposal(r);
    assert.match(text, /Besoins : non précisé/, 'the needs were not asked: they would not change who is proposed');
    assert.match(text, new RegExp(fr.orientation.fallbackNote));
    assert.match(text, /CRESS/);
  });

  it('every question asked could change the structures proposed; every fact left unknown could not', async () => {
    const router = await createRouter({ rulesDir: DEFAULT_RULES_DIR, actorsFile: DEFAULT_ACTORS_FILE, territory: loadTerritory() });
    const slotOf = new Map<string, QuestionSlot>([
      [Q.stage, 'stage'],
      [Q.sector, 'sector'],
      [Q.projectType, 'projectType'],
      [Q.needs, 'needs'],
      [Q.trade, 'trade'],
      ...Object.entries(Q.facts).map(([slot, text]) => [text, slot as QuestionSlot] as const),
    ]);
    const seen: { slot: QuestionSlot; useful: boolean }[] = [];
    for (const opening of ['un projet à Nantes', 'Nous voulons ouvrir un café associatif à Vallet', 'je reprends la boulangerie de mon village, Gorges']) {
      const holder = new Holder({ router });
      let r = await holder.say(opening);
      for (let i = 0; i < 12 && !isConsent(lastQuestion(r)); i++) {
        const q = lastQuestion(r);
        const profile = await currentProfile(holder);
        // A checklist asks several yes/no facts at once: each of them must be useful.
        const slots: QuestionSlot[] =
          q.text === Q.checklist
            ? [...new Set(q.buttons.flatMap((label): QuestionSlot[] => {
                const fact = Object.entries(BOOLEAN_FACT_LABELS).find(([, l]) => l === label)?.[0];
                if (fact) return [fact as QuestionSlot];
                return label === TRADE_LABELS.artisanat || label === TRADE_LABELS.commerce ? ['trade'] : [];
              }))]
            : [slotOf.get(q.text)].filter((s): s is QuestionSlot => s !== undefined);
        assert.ok(slots.length > 0, `question inattendue : ${q.text}`);
        for (const slot of slots) seen.push({ slot, useful: await worthAsking(router, profile, slot) });
        r = await holder.say(q.text === Q.checklist ? fr.buttons.noneOfThese : q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!);
      }
      assert.ok(isConsent(lastQuestion(r)), holder.transcript.join('\n'));
      const final = await currentProfile(holder);
      for (const slot of questionSlots()) {
        const v = final[slot];
        if (v !== null && !(Array.isArray(v) && v.length === 0)) continue;
        if (slot === 'needs' && seen.some((s) => s.slot === 'needs')) continue;
        if (!sensibleToAsk(final, slot)) continue;
        assert.equal(await wouldChangeDecision(router, final, slot), false, `« ${slot} » inconnu changerait l’orientation :\n${holder.transcript.join('\n')}`);
      }
    }
    assert.ok(seen.length > 0);
    assert.deepEqual(seen.filter((s) => !s.useful), [], 'a question was asked although no answer would change the decision');
  });
});

describe('proposal and consent', () => {
  it('presents the local generalist first, with what they offer, why and the delay; the consent names every structure', async () => {
    const holder = new Holder();
    const first = await holder.say('Nous sommes un collectif d’habitants à Vallet et voulons créer une SCIC pour une épicerie, il nous faut un statut');
    const r = await untilConsent(holder, first, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
    const text = proposal(r);
    assert.match(text, /^1\. .*Sèvre et Loire.*\(Accompagnement de proximité\)$/m);
    assert.match(text, /\(Expertise ESS\)/);
    assert.match(text, /Pourquoi : /);
    assert.match(text, /Délai promis : un premier contact sous \d+ jours?\./);
    const consent = consentStep(r);
    const names = [...text.matchAll(/^\d+\. (.+) \((?:Accompagnement de proximité|Expertise ESS)\)$/gm)].map((m) => m[1]!);
    assert.ok(names.length >= 2, text);
    for (const name of names) assert.ok(consent.buttons.includes(name), `bouton pour ${name} : ${consent.buttons.join(' | ')}`);
    assert.match(consent.text, /sans réponse sous 14 jours ou en cas de refus/);
    assert.doesNotMatch(consent.text, /si ils|à Les |à Le |de Les |de Le /);
    assert.deepEqual(consent.multiSelect, { submit: fr.buttons.validate, exclusive: [fr.contact.acceptAll, fr.buttons.correct, fr.contact.refuse] });
    const after = await holder.click(fr.contact.refuse, r);
    assert.match(allText(after), /je ne transmets rien/);
    const later = await holder.say('merci');
    assert.equal(later[0]?.text, fr.finished);
  });

  it('« Corriger » is on the consent question and typed at any time', async () => {
    const holder = new Holder();
    let r = await holder.say('On est une association à Mouzillon, on veut créer un café associatif et on cherche des financements');
    r = await untilConsent(holder, r, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
    r = await holder.click(fr.buttons.correct, r);
    asks(r, Q.correctWhich);
    r = await holder.click(fr.summaryLine.stage, r);
    asks(r, Q.stage);
    r = await holder.click(fr.buttons.stage.developpement, r);
    r = await untilConsent(holder, r, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
    assert.match(proposal(r), /Stade : Développement/);
    // After the consent, in the middle of the contact questions, typed:
    r = await holder.click(acceptButton(lastQuestion(r)), r);
    asks(r, fr.contact.askContact);
    r = await holder.say('corriger');
    asks(r, Q.correctWhich);
  });
});

describe('a conversation from before the one-step consent (state of an older version)', () => {
  const KEY = 'test/conversations/Convo1/';
  async function atConsent(): Promise<{ holder: Holder; storage: MemoryStorage; stack: { id: string; state: unknown }[]; save: () => Promise<void> }> {
    const storage = new MemoryStorage();
    const holder = new Holder({ storage });
    await untilConsent(holder, await holder.say('Avec deux amies on veut créer une association de recyclerie à Vallet, pas en coopérative, on cherche un local'));
    const item = (await storage.read([KEY]))[KEY] as { dialogState: { dialogStack: { state: { dialogs: { dialogStack: { id: string; state: unknown }[] } } }[] } };
    const stack = item.dialogState.dialogStack[0]!.state.dialogs.dialogStack;
    return { holder, storage, stack, save: () => storage.write({ [KEY]: { ...item, eTag: '*' } }) };
  }

  it('an answer to an older consent text is not taken as consent: the proposal comes again', async () => {
    const { holder, stack, save } = await atConsent();
    stack[stack.length - 1]!.state = {}; // the old orientation step kept nothing
    await save();
    const r = await holder.say('Oui, mettez-moi en relation');
    assert.ok(isConsent(lastQuestion(r)), holder.transcript.join('\n'));
    assert.match(proposal(r), /Voici qui peut vous accompagner/);
  });

  it('contact questions of the older version: back to the one consent, nothing sent', async () => {
    const { holder, stack, save } = await atConsent();
    (stack[0]!.state as { stepIndex: number }).stepIndex = 2; // the contact step of the main waterfall
    stack[stack.length - 1] = { id: 'contact', state: { step: 'name', name: null, email: null, phone: null, channel: null, preferredTime: null, consentAt: new Date().toISOString() } };
    await save();
    const r = await holder.say('Camille Martin');
    assert.ok(isConsent(lastQuestion(r)), holder.transcript.join('\n'));
    assert.doesNotMatch(allText(r), /Votre numéro de dossier :/);
  });
});

describe('corrections', () => {
  it('at the consent, new facts (« non, c’est à Clisson ») correct the project and give a new proposal, not a refusal', async () => {
    const holder = new Holder();
    let r = await holder.say('Avec deux amies on veut créer une association de recyclerie à Vallet, pas en coopérative, on cherche un local');
    r = await untilConsent(holder, r, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
    assert.match(proposal(r), /Lieu : Vallet/);
    r = await holder.say('non, c’est à Clisson');
    assert.doesNotMatch(allText(r), /je ne transmets rien/);
    r = await untilConsent(holder, r, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
    assert.match(proposal(r), /Lieu : Clisson/);
    assert.match(consentStep(r).text, /Clisson Sèvre et Maine Agglo/);
  });


  it('"non, c’est à Vallet" changes the commune in the middle of the questions', async () => {
    const holder = new Holder();
    let r = await holder.say('Nous voulons lancer une épicerie solidaire à Clisson');
    assert.match(allText(r), /Clisson/);
    r = await holder.say('non, c’est à Vallet');
    assert.match(allText(r), /Lieu : Vallet \(CC Sèvre et Loire\)/);
    assert.notEqual(lastQuestion(r).text, Q.place);
  });

  it('the holder’s words kept for the structures are the description, not the short answers and corrections', async () => {
    const holder = new Holder();
    let r = await holder.say('Nous voulons lancer une épicerie solidaire à Clisson');
    r = await holder.say('non, c’est à Vallet');
    r = await holder.say(lastQuestion(r).buttons[0]!);
    r = await holder.say('en fait nous voulons surtout vendre des produits locaux en vrac');
    const { description } = await holder.qualification();
    assert.deepEqual(description, ['Nous voulons lancer une épicerie solidaire à Clisson', 'en fait nous voulons surtout vendre des produits locaux en vrac']);
  });
});

describe('places', () => {
  it('a commune déléguée is understood as its commune nouvelle', async () => {
    const holder = new Holder();
    const r = await holder.say('Je voudrais ouvrir un atelier de réparation de vélos à Barbechat');
    const text = allText(r);
    assert.match(text, /Barbechat fait partie de la commune de Divatte-sur-Loire/);
    assert.match(text, /Lieu : Divatte-sur-Loire \(CC Sèvre et Loire\)/);
  });

  it('an ambiguous postal code makes the bot ask for the commune', async () => {
    const holder = new Holder();
    let r = await holder.say('un projet de jardin partagé, code postal 44115');
    const question = lastQuestion(r);
    assert.equal(question.text, Q.placeChoose('postal_code'));
    assert.ok(question.buttons.includes('Haute-Goulaine (44)'), question.buttons.join(', '));
    assert.ok(question.buttons.includes('Basse-Goulaine (44)'), question.buttons.join(', '));
    r = await holder.click('Haute-Goulaine (44)', r);
    assert.match(allText(r), /Lieu : Haute-Goulaine \(CA Clisson Sèvre et Maine Agglo\)/);
  });

  it('a postal code whose communes are in one intercommunality and get the same structures: no commune question', async () => {
    const holder = new Holder();
    const r = await holder.say('code postal 44190, je veux créer une ressourcerie');
    assert.notEqual(lastQuestion(r).text, Q.placeChoose('postal_code'), holder.transcript.join('\n'));
    assert.match(allText(r), /Lieu : CA Clisson Sèvre et Maine Agglo$/m);
  });

  it('a homonym in two served departments makes the bot ask which one', async () => {
    const holder = new Holder();
    let r = await holder.say('je lance une ressourcerie à Saint-Mars-du-Désert');
    const question = lastQuestion(r);
    assert.equal(question.text, Q.placeChoose('homonym'));
    assert.ok(question.buttons.includes('Saint-Mars-du-Désert (44)'), question.buttons.join(', '));
    assert.ok(question.buttons.includes('Saint-Mars-du-Désert (53)'), question.buttons.join(', '));
    r = await holder.click('Saint-Mars-du-Désert (53)', r);
    assert.match(allText(r), /Lieu : Saint-Mars-du-Désert/);
    assert.doesNotMatch(allText(r), /en dehors/);
  });

  it('an out-of-area commune is recognised and the holder is told', async () => {
    const holder = new Holder();
    const r = await holder.say('Nous créons une coopérative d’habitants à Lyon');
    const text = allText(r);
    assert.match(text, /Lyon \(69\) est en dehors des territoires/);
    assert.notEqual(lastQuestion(r).text, Q.place, 'the place is known, not asked again');
  });

  it('the Vignoble as a whole makes the bot ask which commune of it', async () => {
    const holder = new Holder();
    const r = await holder.say('un projet de mobilité solidaire dans le Vignoble nantais');
    assert.match(lastQuestion(r).text, /Dans quelle commune du territoire/);
  });
});

describe('conversation-wide commands', () => {
  it('"recommencer" forgets everything and starts again', async () => {
    const holder = new Holder();
    await holder.say('Un projet de crèche associative à Clisson');
    const r = await holder.say('recommencer');
    assert.match(allText(r), /C’est reparti de zéro/);
    const after = await holder.say('je veux faire un projet');
    asks(after, Q.place);
  });

  it('"aide" explains and asks the pending question again', async () => {
    const holder = new Holder();
    let r = await holder.say('projet de covoiturage à Aigrefeuille-sur-Maine');
    const pending = lastQuestion(r).text;
    r = await holder.say('aide');
    assert.equal(r[0]?.text, fr.help);
    assert.equal(lastQuestion(r).text, pending);
  });

  it('"parler à quelqu’un" gives a human contact and keeps the conversation going', async () => {
    const holder = new Holder();
    await holder.say('bonjour');
    const r = await holder.say('Je voudrais parler à quelqu’un');
    assert.match(allText(r), /mettre en relation/);
    assert.match(allText(r), /cress-pdl\.org/);
    assert.equal(lastQuestion(r).text, fr.inviteDescription);
  });

  it('an unknown command gets a hint of what the bot can do', async () => {
    const holder = new Holder();
    await holder.say('bonjour');
    const r = await holder.say('/start');
    assert.equal(r[0]?.text, fr.unknownCommand);
  });
});

describe('bad input', () => {
  it('off-topic text gets a polite answer and the question again', async () => {
    const holder = new Holder();
    let r = await holder.say('un projet de recyclerie à Clisson');
    const pending = lastQuestion(r).text;
    r = await holder.say('Quel temps fera-t-il demain ?');
    assert.equal(r[0]?.text, fr.notUnderstood);
    assert.equal(lastQuestion(r).text, pending);
    r = await holder.say('bla bla');
    assert.equal(r[0]?.text, fr.notUnderstoodAgain);
  });

  it('empty, emoji-only, huge and HTML messages are answered politely and never echoed', async () => {
    const holder = new Holder();
    await holder.say('bonjour');
    const empty = await holder.say('   ');
    assert.equal(empty[0]?.text, fr.empty);
    const emoji = await holder.say('🙂🙂🎉');
    assert.ok(emoji.length > 0);
    const huge = await holder.say(`Notre association à Clisson ${'veut aider '.repeat(1200)}`);
    assert.equal(huge[0]?.text, fr.tooLong);
    const html = await holder.say('<script>alert("x")</script><b>Bonjour</b> <img src=x onerror=alert(1)>');
    for (const reply of [...emoji, ...huge, ...html]) {
      assert.doesNotMatch(reply.text, /<script|<img|onerror|alert|🎉|veut aider/);
    }
    // The conversation is still alive.
    const r = await holder.say('non, à Vallet');
    assert.match(allText(r), /Vallet/);
  });

  it('speaks French even when the channel says en-US', async () => {
    const holder = new Holder();
    const r = await holder.say('hello');
    assert.match(allText(r), /Bonjour/);
  });
});

describe('greeting on a channel that announces the holder', () => {
  it('greets when the holder joins, before any message', async () => {
    const holder = new Holder({ partnerName: (id) => (id === 'vignoble-nantais' ? 'le Pays du Vignoble Nantais' : undefined) });
    const r = await holder.say({
      type: 'conversationUpdate',
      membersAdded: [{ id: 'user1', name: 'Holder' }],
      channelData: { partner: 'vignoble-nantais' },
    });
    assert.match(allText(r), /avec le Pays du Vignoble Nantais/);
    assert.equal(lastQuestion(r).text, fr.inviteDescription);
  });
});

describe('statistics events', () => {
  it('reports each step of the funnel, and the last question asked, without personal data', async () => {
    const events: { step: string; question?: string }[] = [];
    const holder = new Holder({ events: (e) => events.push(e) });
    let r = await holder.say('Bonjour, avec deux amies on veut créer une recyclerie à Vallet et on cherche un local');
    r = await untilConsent(holder, r, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
    await holder.click(fr.contact.refuse, r);
    await new Promise((resolve) => setImmediate(resolve));
    const steps = events.map((e) => e.step);
    assert.deepEqual(
      steps.filter((s) => s !== 'asked'),
      ['started', 'qualified', 'oriented', 'consent_refused'],
    );
    assert.ok(events.some((e) => e.step === 'asked' && e.question === 'consent'));
    assert.doesNotMatch(JSON.stringify(events), /amies|recyclerie à Vallet/);
  });
});

describe('needs', () => {
  it('are asked with a multi-select, and the joined « A, B » message of « Valider » is understood', async () => {
    const holder = new Holder();
    let r = await holder.say('je veux faire un projet');
    for (let i = 0; i < 10 && lastQuestion(r).text !== Q.needs; i++) {
      const q = lastQuestion(r);
      r = await holder.say(q.text === Q.place ? 'Clisson' : q.text === Q.stage ? fr.buttons.stage.idee : q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!);
    }
    const question = lastQuestion(r);
    asks(r, Q.needs);
    assert.deepEqual(question.multiSelect, { submit: fr.buttons.validate, exclusive: [fr.buttons.noParticularNeed] });
    r = await holder.say('oui');
    assert.equal(r[0]?.text, fr.notUnderstood);
    asks(r, Q.needs);
    r = await holder.say('Financement, Local, lieu');
    r = await untilConsent(holder, r, (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0]!));
    assert.match(proposal(r), /Besoins : Financement, Local, lieu/);
  });
});
