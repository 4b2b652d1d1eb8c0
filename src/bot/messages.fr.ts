// Every sentence the bot says, in French, in one place: vouvoiement, short messages.
// Functions take only official or catalogue values (commune names, labels): the bot never
// repeats what the holder typed, so no markup a holder sends can come back.

export const fr = {
  greeting: (partnerName?: string) =>
    partnerName
      ? `Bonjour et bienvenue sur Aiguillage, avec ${partnerName} ! Je vous aide à trouver qui peut accompagner votre projet d’économie sociale et solidaire.`
      : 'Bonjour et bienvenue sur Aiguillage ! Je vous aide à trouver qui peut accompagner votre projet d’économie sociale et solidaire.',
  inviteDescription:
    'Décrivez votre projet en une phrase : ce que vous voulez faire, où, et où vous en êtes. Par exemple : « Avec deux amis, nous voulons ouvrir une recyclerie à Vallet. »',

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
    needs: 'De quoi avez-vous besoin en priorité ? Vous pouvez en citer plusieurs.',
    confirm: 'Est-ce bien cela ?',
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
    noParticularNeed: 'Rien de précis',
    confirmYes: 'Oui, c’est bien ça',
    confirmCorrect: 'Corriger',
    restart: 'Recommencer',
  },

  place: {
    outOfArea: (commune: string, departement: string) =>
      `${commune} (${departement}) est en dehors des territoires que je connais bien. Je vous indiquerai tout de même un interlocuteur régional.`,
    delegated: (deleguee: string, commune: string) => `${deleguee} fait partie de la commune de ${commune}.`,
    unknown: 'Je n’ai pas reconnu de commune.',
  },

  summaryTitle: 'Voici votre projet :',
  summaryLine: {
    place: 'Lieu',
    stage: 'Stade',
    sector: 'Domaine',
    projectType: 'Forme',
    needs: 'Besoins',
  },
  notSpecified: 'non précisé',
  placeLabel: (commune: string | null, epci: string | null, departement: string | null) =>
    [commune, epci ? `(${epci})` : null].filter(Boolean).join(' ') || (departement ? `département ${departement}` : 'non précisé'),

  qualified:
    'Merci, votre projet est bien qualifié. Je cherche maintenant qui peut vous accompagner.',
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
    offerContact: (first: string) => `Souhaitez-vous que je transmette votre demande à ${first} pour qu’on vous recontacte ?`,
    yes: 'Oui, mettez-moi en relation',
    no: 'Non merci',
    declined:
      'Entendu, je ne transmets rien. Vous pouvez contacter ces accompagnateurs directement grâce à leurs sites ci-dessus. Bonne continuation pour votre projet !',
    unavailable:
      'Je n’arrive pas à consulter l’annuaire des accompagnateurs pour le moment. Vous pouvez contacter la CRESS Pays de la Loire, qui oriente tous les projets de l’ESS : https://www.cress-pdl.org',
  },

  contact: {
    /** Changing the consent text means changing this version: each referral records the one it was given. */
    consentVersion: 'consentement-2026-11-v1',
    consent: (first: string[], next: string[]) =>
      [
        `Pour vous mettre en relation, je transmettrai à ${first.join(' et ')} votre nom, le moyen de vous joindre que vous choisirez et le résumé de votre projet${next.length ? ` ; si ${first.length > 1 ? 'ils' : 'cet accompagnateur'} ne peu${first.length > 1 ? 'vent' : 't'} pas vous aider, votre demande pourra être transmise à ${next.join(' ou ')}` : ''}.`,
        'Ces informations servent uniquement à vous recontacter pour accompagner ce projet. Elles sont anonymisées au plus tard 24 mois après la fin du suivi, et vous pouvez à tout moment les consulter ou les faire effacer avec votre numéro de dossier.',
        'Êtes-vous d’accord ?',
      ].join('\n'),
    accept: 'J’accepte',
    refuse: 'Je refuse',
    refused: (sites: string[]) =>
      [
        'Entendu : je n’enregistre aucune donnée personnelle.',
        sites.length ? `Vous pouvez contacter ces accompagnateurs directement :\n${sites.map((s) => `• ${s}`).join('\n')}` : null,
        'Bonne continuation pour votre projet !',
      ]
        .filter(Boolean)
        .join('\n'),
    askName: 'Merci. Quel est votre nom (ou votre prénom) ?',
    badName: 'Je n’ai pas compris votre nom. Écrivez simplement votre prénom et votre nom, par exemple : « Marie Dupont ».',
    askChannel: 'Comment préférez-vous être recontacté ?',
    channels: { email: 'Par e-mail', phone: 'Par téléphone', any: 'Peu importe' },
    askEmail: 'Quelle est votre adresse e-mail ?',
    badEmail: 'Cette adresse e-mail ne semble pas valide. Par exemple : marie.dupont@exemple.fr',
    askPhone: 'Quel est votre numéro de téléphone ?',
    badPhone: 'Ce numéro ne semble pas valide. Par exemple : 06 12 34 56 78',
    askAny: 'Laissez-moi une adresse e-mail ou un numéro de téléphone.',
    badAny: 'Je n’ai reconnu ni une adresse e-mail ni un numéro de téléphone. Par exemple : marie.dupont@exemple.fr ou 06 12 34 56 78',
    askTime: 'À quel moment préférez-vous être recontacté ?',
    times: ['En semaine, le matin', 'En semaine, l’après-midi', 'En fin de journée', 'Peu importe'],
    confirmed: (reference: string, who: string[], days: number, emailSent: boolean) =>
      [
        `C’est fait ! Votre demande est transmise à ${who.join(' et ')}.`,
        `Votre numéro de dossier : ${reference}`,
        `On vous recontactera sous ${days} jour${days > 1 ? 's' : ''}.`,
        emailSent ? 'Un e-mail de confirmation vous a été envoyé.' : 'Notez bien ce numéro : il vous permet de suivre ou d’effacer votre demande.',
      ].join('\n'),
    failed: 'Désolé, votre demande n’a pas pu être enregistrée et rien n’a été transmis. Vos réponses sont gardées : vous pouvez réessayer dans un instant.',
    retry: 'Réessayer',
    alreadySent: (reference: string) => `Votre demande est déjà enregistrée sous le numéro ${reference}.`,
  },

  restarted: 'C’est reparti de zéro : j’ai tout effacé.',
  help:
    'Je pose quelques questions sur votre projet (où, à quel stade, dans quel domaine, avec qui, pour quels besoins), puis je vous indique qui peut vous accompagner près de chez vous et, si besoin, un expert de l’économie sociale et solidaire.\nVous pouvez à tout moment corriger une réponse (« non, c’est à Vallet »), écrire « recommencer » pour repartir de zéro, ou « parler à quelqu’un ».',
  human:
    'Je vais vous mettre en relation avec une personne qui pourra vous accompagner. Pour choisir la bonne, il me faut encore quelques informations.',
  humanNow:
    'Vous pouvez aussi contacter directement la CRESS Pays de la Loire, qui oriente les porteurs de projet de l’économie sociale et solidaire : https://www.cress-pdl.org',
  unknownCommand:
    'Je ne connais pas cette commande. Vous pouvez me décrire votre projet, corriger une réponse, ou écrire « aide », « recommencer » ou « parler à quelqu’un ».',
  finished:
    'Votre demande est terminée. Écrivez « recommencer » pour décrire un autre projet.',
  error: 'Désolé, une erreur est survenue de mon côté. Votre message n’est pas perdu : pouvez-vous le renvoyer dans un instant ?',
} as const;
