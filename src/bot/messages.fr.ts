// Every sentence the bot says, in French, in one place: vouvoiement, short messages.
// Functions take only official or catalogue values (commune names, labels): the bot never
// repeats what the holder typed, so no markup a holder sends can come back.

export const fr = {
  greeting: (partnerName?: string) =>
    partnerName
      ? `Bonjour et bienvenue sur Aiguillage, avec ${partnerName} ! Je vous aide à trouver qui peut accompagner votre projet d’économie sociale et solidaire.`
      : 'Bonjour et bienvenue sur Aiguillage ! Je vous aide à trouver qui peut accompagner votre projet d’économie sociale et solidaire.',
  /** Also the one warning before the holder's words travel to the structures (see contact.consent). */
  inviteDescription:
    'Décrivez votre projet en une phrase : ce que vous voulez faire, où, et où vous en êtes. Par exemple : « Avec deux amis, nous voulons ouvrir une recyclerie à Vallet. » Vos mots seront transmis à la structure qui vous accompagnera : n’y mettez pas d’informations de santé ni d’autres détails sensibles.',

  understood: (items: string[]) => `J’ai compris :\n${items.map((i) => `• ${i}`).join('\n')}`,
  noted: (items: string[]) => `C’est noté : ${items.join(', ')}.`,
  letsAsk: 'Merci. Pour bien vous orienter, j’ai quelques questions à vous poser.',
  notUnderstood: 'Je n’ai pas bien compris.',
  notUnderstoodAgain:
    'Je n’ai toujours pas compris, désolé. Vous pouvez cliquer sur un bouton, répondre en quelques mots, ou écrire « aide ».',
  empty: 'Je n’ai rien reçu. Pouvez-vous écrire votre réponse ?',
  tooLong: 'Votre message est très long : j’en ai lu le début. Les détails pourront être échangés avec la personne qui vous accompagnera.',
  nonText: 'Je ne sais lire que du texte pour l’instant.',

  questions: {
    place: 'Dans quelle commune se situe votre projet ?',
    placeInTerritory: (territory: string) => `Dans quelle commune du territoire « ${territory} » se situe votre projet ?`,
    placeInDepartement: (departement: string) => `Dans quelle commune (${departement}) se situe votre projet ?`,
    placeAgain: 'Je n’ai pas reconnu cette commune. Pouvez-vous écrire son nom ou son code postal ? Par exemple : « Clisson » ou « 44190 ».',
    placeChoose: (reason: 'postal_code' | 'homonym') =>
      reason === 'postal_code'
        ? 'Ce code postal couvre plusieurs communes. Laquelle est la vôtre ?'
        : 'Plusieurs communes portent ce nom. Laquelle est la vôtre ?',
    stage: 'Où en est votre projet ?',
    sector: 'Dans quel domaine est votre projet ?',
    projectType: 'Avec qui portez-vous ce projet ?',
    needs: 'De quoi avez-vous besoin en priorité ? Vous pouvez en choisir plusieurs.',
    trade: 'Votre activité relève-t-elle de l’artisanat ou du commerce ?',
    /** Yes/no facts of the catalogue (src/routing/facts.ts), asked only when the answer changes the orientation. */
    facts: {
      agriculturalInstallation: 'Votre projet comprend-il une installation agricole (production, élevage, vigne) ?',
      takeover: 'S’agit-il de reprendre une entreprise ou une activité existante ?',
      cooperativeForm: 'Envisagez-vous une forme coopérative (Scop, Scic, CAE) ?',
      employerStructure: 'Votre structure emploie-t-elle déjà des salariés ?',
      youngHolder: 'Avez-vous moins de 26 ans ?',
    } as Record<string, string>,
    /** Several of those facts useful at once: one checklist (multi-select). */
    checklist: 'Votre projet est-il concerné par l’un de ces points ? Choisissez tous ceux qui s’appliquent.',
    /** A yes/no fact added to the catalogue without its own sentence yet. */
    genericFact: (label: string) => `${label} : est-ce le cas de votre projet ?`,
    correctWhich: 'Que voulez-vous corriger ? Choisissez ou écrivez directement la bonne information.',
  },

  buttons: {
    stage: { idee: 'C’est une idée', creation: 'Je lance le projet', developpement: 'Ma structure existe déjà' },
    projectType: {
      individuel: 'Seul ou seule',
      collectif: 'En groupe, en association',
      multi_acteurs: 'Avec plusieurs structures',
    },
    dontKnow: 'Je ne sais pas',
    yes: 'Oui',
    no: 'Non',
    noParticularNeed: 'Aucun besoin particulier',
    /** Sends the options ticked in a multi-select (widget contract). */
    validate: 'Valider',
    noneOfThese: 'Aucun de ces points',
    correct: 'Corriger',
    restart: 'Recommencer',
  },

  place: {
    outOfArea: (commune: string, departement: string) =>
      `${commune} (${departement}) est en dehors des territoires que je connais bien. Je vous indiquerai tout de même un interlocuteur régional.`,
    delegated: (deleguee: string, commune: string) => `${deleguee} fait partie de la commune de ${commune}.`,
    unknown: 'Je n’ai pas reconnu de commune.',
  },

  summaryTitle: 'Voici ce que j’ai compris :',
  summaryLine: {
    place: 'Lieu',
    stage: 'Stade',
    sector: 'Domaine',
    projectType: 'Forme',
    needs: 'Besoins',
  },
  tradeLine: 'Activité',
  tradeNeither: 'ni artisanat ni commerce',
  yes: 'oui',
  no: 'non',
  notSpecified: 'non précisé',
  placeLabel: (commune: string | null, epci: string | null, departement: string | null) =>
    commune ? `${commune}${epci ? ` (${epci})` : ''}` : epci ?? (departement ? `département ${departement}` : 'non précisé'),

  orientation: {
    intro: (count: number) =>
      count > 1 ? 'Voici qui peut vous accompagner, dans cet ordre :' : 'Voici qui peut vous accompagner :',
    fallbackNote:
      'Votre projet sort des cas que je connais bien : je vous indique l’interlocuteur le plus à même de vous orienter.',
    referral: (index: number, name: string, tierLabel: string, offer: string, reason: string, days: number, website: string | null) =>
      [
        `${index}. ${name} (${tierLabel})`,
        offer,
        `Pourquoi : ${reason}`,
        `Délai promis : un premier contact sous ${days} jour${days > 1 ? 's' : ''}.`,
        website ? `Site : ${website}` : null,
      ]
        .filter(Boolean)
        .join('\n'),
    unavailable:
      'Je n’arrive pas à consulter l’annuaire des accompagnateurs pour le moment. Vous pouvez contacter la CRESS Pays de la Loire, qui oriente tous les projets de l’ESS : https://www.cress-pdl.org',
  },

  contact: {
    /** Changing the consent text means changing this version: each referral records the one it was given. */
    consentVersion: 'consentement-2026-12-v3',
    /**
     * Who receives the request and when, as the referral service does it: the first structures
     * now, the next ones when those decline or do not answer in time, the network head last.
     * Names come with their article (« à la Communauté de communes… », « aux Ecossolies »).
     */
    route: (now: string[], later: string[], lastResort: string | null, expireDays: number) =>
      [
        `je transmettrai votre demande ${joinNames(now)}`,
        later.length || lastResort
          ? ` ; sans réponse sous ${expireDays} jours ou en cas de refus, elle passera ${later.length ? `ensuite ${joinNames(later)}${lastResort ? `, puis, en dernier recours, ${lastResort}` : ''}` : lastResort}`
          : '',
      ].join(''),
    /** What consent means; the question itself comes next, alone with its buttons (it stays in view). */
    consentInfo: (route: string) =>
      [
        `Si vous êtes d’accord, ${route}. Chaque structure recevra votre nom, votre moyen de contact, ce résumé et votre description du projet.`,
        'Ces informations servent uniquement à vous recontacter ; elles sont anonymisées au plus tard 24 mois après la fin du suivi, et votre numéro de dossier vous permet de les consulter ou de les faire effacer.',
      ].join('\n'),
    consentAsk: (several: boolean) => (several ? 'Êtes-vous d’accord ? Vous pouvez aussi ne garder que certaines structures.' : 'Êtes-vous d’accord ?'),
    acceptAll: 'Oui, à toutes',
    acceptOne: 'Oui, d’accord',
    refuse: 'Non merci',
    notUnderstoodChoice: 'Je n’ai pas compris votre choix : cliquez sur un bouton, ou écrivez « oui » ou « non ».',
    kept: (route: string) => `C’est noté : ${route}.`,
    refused: (sites: string[]) =>
      [
        'Entendu : je ne transmets rien et je n’enregistre aucune donnée personnelle.',
        sites.length ? `Vous pouvez contacter ces accompagnateurs directement :\n${sites.map((s) => `• ${s}`).join('\n')}` : null,
        'Bonne continuation pour votre projet !',
      ]
        .filter(Boolean)
        .join('\n'),
    askContact:
      'Pour qu’on vous recontacte, écrivez votre nom et votre adresse e-mail ou votre numéro de téléphone (et, si vous voulez, le moment qui vous arrange), par exemple : « Camille Martin, 06 12 34 56 78, plutôt le matin ».',
    askName: 'Merci. Et votre nom (ou votre prénom) ?',
    badName: 'Je n’ai pas compris votre nom. Écrivez simplement votre prénom et votre nom, par exemple : « Marie Dupont ».',
    askReach: 'Merci. À quelle adresse e-mail ou à quel numéro de téléphone peut-on vous joindre ?',
    badAny: 'Je n’ai reconnu ni une adresse e-mail ni un numéro de téléphone. Par exemple : marie.dupont@exemple.fr ou 06 12 34 56 78',
    askTime: 'À quel moment préférez-vous être appelé ?',
    times: ['En semaine, le matin', 'En semaine, l’après-midi', 'En fin de journée', 'Peu importe'],
    confirmed: (reference: string, who: string[], days: number, emailSent: boolean, statusUrl?: string) =>
      [
        `C’est fait ! Votre demande est transmise ${joinNames(who)}.`,
        `Votre numéro de dossier : ${reference}`,
        `On vous recontactera sous ${days} jour${days > 1 ? 's' : ''}.`,
        statusUrl ? `Pour suivre votre demande (sans compte) : ${statusUrl}` : '',
        emailSent ? 'Un e-mail de confirmation vous a été envoyé, avec ce lien.' : 'Notez bien ce numéro : il vous permet de suivre ou d’effacer votre demande, et vous pouvez me demander « où en est ma demande ? ».',
      ]
        .filter(Boolean)
        .join('\n'),
    failed: 'Désolé, votre demande n’a pas pu être enregistrée et rien n’a été transmis. Vos réponses sont gardées : vous pouvez réessayer dans un instant.',
    retry: 'Réessayer',
    alreadySent: (reference: string) => `Votre demande est déjà enregistrée sous le numéro ${reference}.`,
  },

  restarted: 'C’est reparti de zéro : j’ai tout effacé.',
  help:
    'Je pose quelques questions sur votre projet (où, à quel stade, dans quel domaine, avec qui, pour quels besoins), puis je vous indique qui peut vous accompagner près de chez vous et, si besoin, un expert de l’économie sociale et solidaire.\nVous pouvez à tout moment corriger une réponse (« non, c’est à Vallet », ou « corriger »), écrire « recommencer » pour repartir de zéro, ou « parler à quelqu’un ».',
  human:
    'Je vais vous mettre en relation avec une personne qui pourra vous accompagner. Pour choisir la bonne, il me faut encore quelques informations.',
  humanNow:
    'Vous pouvez aussi contacter directement la CRESS Pays de la Loire, qui oriente les porteurs de projet de l’économie sociale et solidaire : https://www.cress-pdl.org',
  unknownCommand:
    'Je ne connais pas cette commande. Vous pouvez me décrire votre projet, corriger une réponse, ou écrire « aide », « recommencer » ou « parler à quelqu’un ».',
  finished:
    'Votre demande est terminée. Écrivez « recommencer » pour décrire un autre projet.',
  /** After a hand-off: the number again (its confirmation may have been lost), and how to follow it. */
  finishedWithReference: (reference: string) =>
    `Votre demande est enregistrée sous le numéro ${reference}. Pour savoir où elle en est, écrivez « où en est ma demande ${reference} ». Écrivez « recommencer » pour décrire un autre projet.`,
  error: 'Désolé, une erreur est survenue de mon côté. Votre message n’est pas perdu : pouvez-vous le renvoyer dans un instant ?',
} as const;

/** « à la Communauté de communes X et aux Ecossolies »: name forms joined the French way. */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} et ${names[names.length - 1]}`;
}
