// Conversation transcripts: the real bot (qualification, territory, dialogs) through TestAdapter.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fr } from '../../src/bot/messages.fr.js';
import { warmUp } from '../../src/qualification/index.js';
import { allText, Holder, lastQuestion, type Reply } from './holder.js';

const Q = fr.questions;

function asks(replies: Reply[], question: string): void {
  assert.equal(lastQuestion(replies).text, question, `question attendue : ${question}\nreçu : ${allText(replies)}`);
}

/** Answers the confirmation and returns the final replies. */
async function confirm(holder: Holder, replies: Reply[]): Promise<Reply[]> {
  asks(replies, Q.confirm);
  return holder.click(fr.buttons.confirmYes, replies);
}

before(() => warmUp());

describe('a holder who describes everything in one sentence', () => {
  it('reaches the summary in at most 3 messages', async () => {
    const holder = new Holder();
    const first = await holder.say(
      'Bonjour, avec deux amies on veut créer une recyclerie à Vallet et on cherche un local pour stocker',
    );
    const text = allText(first);
    assert.match(text, /Voici votre projet/);
    assert.doesNotMatch(text, /J’ai compris/, 'the summary alone, not the same list twice');
    assert.match(text, /Vallet/);
    assert.match(text, /CC Sèvre et Loire/);
    assert.match(text, /Réemploi/);
    const end = await confirm(holder, first);
    assert.equal(end[0]?.text, fr.qualified);
    assert.ok(holder.messagesSent <= 3, holder.transcript.join('\n'));
  });
});

describe('a vague holder', () => {
  it('is asked each missing item, in order, with buttons, and can answer by clicking', async () => {
    const holder = new Holder();
    let r = await holder.say('je veux faire un projet');
    assert.match(allText(r), /quelques questions/);
    asks(r, Q.place);
    r = await holder.say('Clisson');
    assert.match(allText(r), /Clisson/);
    asks(r, Q.stage);
    r = await holder.click(fr.buttons.stage.idee, r);
    asks(r, Q.sector);
    assert.ok(lastQuestion(r).buttons.length >= 10);
    r = await holder.click('Alimentation, circuits courts, agriculture', r);
    asks(r, Q.projectType);
    r = await holder.click(fr.buttons.projectType.collectif, r);
    asks(r, Q.needs);
    r = await holder.click('Financement', r);
    assert.match(allText(r), /Lieu : Clisson \(CA Clisson Sèvre et Maine Agglo\)/);
    assert.match(allText(r), /Stade : Idée/);
    assert.match(allText(r), /Besoins : Financement/);
    const end = await confirm(holder, r);
    assert.equal(end[0]?.text, fr.qualified);
  });

  it('can say "je ne sais pas" and is never stuck', async () => {
    const holder = new Holder();
    let r = await holder.say('bonjour');
    assert.match(allText(r), /Bonjour et bienvenue/);
    r = await holder.say('un projet à Gétigné');
    asks(r, Q.stage);
    for (const q of [Q.stage, Q.sector, Q.projectType]) {
      asks(r, q);
      r = await holder.click(fr.buttons.dontKnow, r);
    }
    asks(r, Q.needs);
    r = await holder.click(fr.buttons.noParticularNeed, r);
    assert.match(allText(r), /Stade : non précisé/);
    asks(r, Q.confirm);
  });
});

describe('orientation', () => {
  it('presents the local generalist first, with what they offer, why and the delay, then offers contact', async () => {
    const holder = new Holder();
    const first = await holder.say('Nous sommes un collectif d’habitants à Vallet et voulons créer une SCIC pour une épicerie, il nous faut un statut');
    let r = first;
    while (lastQuestion(r).text !== Q.confirm) r = await holder.say(lastQuestion(r).buttons[0] ?? 'je ne sais pas');
    const end = await confirm(holder, r);
    const text = allText(end);
    assert.match(text, /Voici qui peut vous accompagner/);
    assert.match(text, /^1\. .*Sèvre et Loire.*\(Accompagnement de proximité\)$/m);
    assert.match(text, /\(Expertise ESS\)/);
    assert.match(text, /Pourquoi : /);
    assert.match(text, /Délai promis : un premier contact sous \d+ jours?\./);
    const offer = lastQuestion(end);
    assert.deepEqual(offer.buttons, [fr.orientation.yes, fr.orientation.no]);
    const after = await holder.click(fr.orientation.no, end);
    assert.equal(after[0]?.text, fr.orientation.declined);
    const later = await holder.say('merci');
    assert.equal(later[0]?.text, fr.finished);
  });

  it('routes an out-of-area holder to a regional fallback and says so', async () => {
    const holder = new Holder();
    let r = await holder.say('Je veux créer une coopérative d’habitants à Lyon, nous sommes 6, besoin d’aide sur la gouvernance');
    while (lastQuestion(r).text !== Q.confirm) r = await holder.say(lastQuestion(r).buttons[0] ?? 'je ne sais pas');
    const end = await confirm(holder, r);
    assert.match(allText(end), new RegExp(fr.orientation.fallbackNote));
    assert.match(allText(end), /CRESS/);
  });
});

describe('corrections', () => {
  it('"non, c’est à Vallet" changes the commune in the middle of the questions', async () => {
    const holder = new Holder();
    let r = await holder.say('Nous voulons lancer une épicerie solidaire à Clisson');
    assert.match(allText(r), /Clisson/);
    r = await holder.say('non, c’est à Vallet');
    assert.match(allText(r), /C’est noté : Lieu : Vallet \(CC Sèvre et Loire\)/);
    // The pending question is asked again.
    assert.notEqual(lastQuestion(r).text, Q.place);
  });

  it('the summary can be corrected field by field', async () => {
    const holder = new Holder();
    let r = await holder.say('On est une association à Mouzillon, on veut créer un café associatif et on cherche des financements');
    while (lastQuestion(r).text !== Q.confirm) {
      const q = lastQuestion(r);
      r = await holder.say(q.buttons[0] ?? 'je ne sais pas');
    }
    r = await holder.click(fr.buttons.confirmCorrect, r);
    asks(r, Q.correctWhich);
    r = await holder.click(fr.summaryLine.stage, r);
    asks(r, Q.stage);
    r = await holder.click(fr.buttons.stage.developpement, r);
    assert.match(allText(r), /Stade : Développement/);
    asks(r, Q.confirm);
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
    r = await holder.click(fr.buttons.confirmYes, r);
    await holder.click(fr.orientation.no, r);
    await new Promise((resolve) => setImmediate(resolve));
    const steps = events.map((e) => e.step);
    assert.deepEqual(
      steps.filter((s) => s !== 'asked'),
      ['started', 'qualified', 'oriented', 'contact_declined'],
    );
    assert.ok(events.some((e) => e.step === 'asked' && e.question === 'confirm'));
    assert.doesNotMatch(JSON.stringify(events), /amies|recyclerie à Vallet/);
  });
});

describe('needs', () => {
  it('an answer that is not a need gets the needs question again, not the summary', async () => {
    const holder = new Holder();
    let r = await holder.say('On lance une recyclerie à Clisson, en association');
    assert.equal(lastQuestion(r).text, Q.needs);
    r = await holder.say('oui');
    assert.equal(r[0]?.text, fr.notUnderstood);
    assert.equal(lastQuestion(r).text, Q.needs);
    r = await holder.say('je sais pas encore');
    assert.equal(lastQuestion(r).text, Q.confirm);
  });
});
