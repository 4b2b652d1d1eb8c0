// Holders' messages as they type them (typos, no accents, SMS style, several facts, nothing at
// all) and what qualify must understand. When a fair case fails, fix the code or the lexicons,
// not the case. Every case states stage, sector, projectType, needs and the commune's INSEE code.
import assert from 'node:assert/strict';
import { beforeAll, describe, test } from '@jest/globals';
import type { Need, ProjectType, Sector, Stage } from '../../src/domain/profile.js';
import { loadQualification, qualify } from '../../src/qualification/index.js';

interface Case {
  text: string;
  stage: Stage | null;
  sector: Sector | null;
  projectType: ProjectType | null;
  needs: Need[];
  /** INSEE code, or null when no single commune is named. */
  commune: string | null;
  epci?: string | null;
  departement?: string | null;
  teamSize?: number | null;
  employees?: number | null;
  placeKind?: 'commune' | 'epci' | 'territory' | 'departement' | 'ambiguous' | null;
}

const SEVRE_ET_LOIRE = '200067866';
const CLISSON_AGGLO = '200067635';

const CASES: Case[] = [
  // The brief's own examples
  { text: 'Bonjour, avec 3 amis on voudrait ouvrir une recyclerie à Vallet, on cherche un local', stage: 'idee', sector: 'dechets_ressources', projectType: 'collectif', needs: ['local'], commune: '44212', epci: SEVRE_ET_LOIRE, departement: '44', teamSize: 4 },
  { text: 'jai une idee de cafe associatif a clisson', stage: 'idee', sector: 'culture_loisirs', projectType: null, needs: [], commune: '44043', epci: CLISSON_AGGLO },
  { text: 'Notre asso existe depuis 10 ans au Loroux-Bottereau, on veut embaucher notre premier salarié', stage: 'developpement', sector: null, projectType: 'collectif', needs: ['emploi'], commune: '44084', employees: null },
  { text: "projet d'habitat partagé pour personnes âgées, 44190, avec la mairie et le CCAS", stage: null, sector: 'habitat', projectType: 'multi_acteurs', needs: [], commune: null },
  { text: 'on est une épicerie solidaire à Gétigné, on cherche des financements et un statut SCIC', stage: 'developpement', sector: 'alimentation', projectType: null, needs: ['financement', 'juridique'], commune: '44063' },

  // Nothing to understand
  { text: 'bonjour', stage: null, sector: null, projectType: null, needs: [], commune: null, placeKind: null },
  { text: '?', stage: null, sector: null, projectType: null, needs: [], commune: null, placeKind: null },
  { text: 'je sais pas trop', stage: null, sector: null, projectType: null, needs: [], commune: null },
  { text: '🙂👍', stage: null, sector: null, projectType: null, needs: [], commune: null, placeKind: null },
  { text: '<script>alert(1)</script>', stage: null, sector: null, projectType: null, needs: [], commune: null },
  { text: 'salut', stage: null, sector: null, projectType: null, needs: [], commune: null },
  { text: 'ok merci', stage: null, sector: null, projectType: null, needs: [], commune: null },
  { text: '', stage: null, sector: null, projectType: null, needs: [], commune: null, placeKind: null },
  { text: 'bonjour, je voudrais des infos sur vos accompagnements', stage: null, sector: null, projectType: null, needs: [], commune: null },

  // One or several facts, typos, SMS style
  { text: 'Nous sommes 5 habitants de Saint-Julien-de-Concelles et voulons monter une centrale solaire citoyenne', stage: 'creation', sector: 'energie', projectType: 'collectif', needs: [], commune: '44169', teamSize: 5 },
  { text: 'garage solidaire pour les personnes en insertion, Divatte sur Loire', stage: null, sector: 'mobilite', projectType: null, needs: [], commune: '44029' },
  { text: 'médiation numérique pour les seniors à Haute-Goulaine, on démarre', stage: 'creation', sector: 'numerique', projectType: null, needs: [], commune: '44071', epci: CLISSON_AGGLO },
  { text: 'je suis seule, je voudrais lancer une activité de couture en réemploi à Aigrefeuille sur Maine', stage: 'idee', sector: 'dechets_ressources', projectType: 'individuel', needs: [], commune: '44002' },
  { text: 'un tiers-lieu culturel en projet au Pallet avec plusieurs associations et la commune', stage: 'idee', sector: 'culture_loisirs', projectType: 'multi_acteurs', needs: [], commune: '44117' },
  // Outside the served departments the territory wants a cue ("à Lyon"): "Lyon, coopérative…" at
  // the very start of a message is not read as a place (src/territory/finder.ts).
  { text: 'coopérative d’habitants à Lyon', stage: null, sector: 'habitat', projectType: 'collectif', needs: [], commune: '69123', departement: '69' },
  { text: '44115', stage: null, sector: null, projectType: null, needs: [], commune: null, epci: null, placeKind: 'ambiguous' },
  { text: "Salut ! On est un groupe de parents à La Haie-Fouassière, on aimerait créer une micro-crèche parentale. Besoin d'aide pour le statut et le financement.", stage: 'idee', sector: 'services_personnes', projectType: 'collectif', needs: ['financement', 'juridique'], commune: '44070' },
  { text: 'je suis agriculteur a mouzillon et je voudrais faire de la vente directe avec d autres producteurs', stage: 'idee', sector: 'alimentation', projectType: 'multi_acteurs', needs: [], commune: '44108' },
  { text: 'Bjr, ns sommes 3 copines a Gorges on veut lancer une epicerie vrac, on a pas de local ni de sous', stage: 'creation', sector: 'alimentation', projectType: 'collectif', needs: ['financement', 'local'], commune: '44064', teamSize: 3 },
  { text: "L'association existe depuis 2012, on a 4 salariés et on voudrait changer d'échelle sur le Vignoble", stage: 'developpement', sector: null, projectType: 'collectif', needs: [], commune: null, employees: 4 },
  { text: 'Je réfléchis à créer une SCOP de maraîchage bio à Vieillevigne mais je suis tout seul pour l’instant', stage: 'idee', sector: 'alimentation', projectType: 'individuel', needs: ['juridique'], commune: '44216' },
  { text: 'pas besoin de financement, on a surtout besoin de trouver des partenaires et un lieu à Clisson', stage: null, sector: null, projectType: null, needs: ['local', 'reseau'], commune: '44043' },
  { text: "On n'a pas encore créé l'asso, on est 6 bénévoles motivés pour un repair café au Landreau", stage: 'idee', sector: 'dechets_ressources', projectType: 'collectif', needs: [], commune: '44079', teamSize: 6 },
  { text: "entreprise d'insertion en maraîchage depuis 15 ans à Saint-Hilaire-de-Clisson, on veut se diversifier et recruter", stage: 'developpement', sector: 'insertion_emploi', projectType: null, needs: ['emploi'], commune: '44165' },
  { text: 'je voudrais savoir comment on fait pour monter un projet', stage: 'idee', sector: null, projectType: null, needs: [], commune: null },
  { text: "Bonjour je m'appelle Sophie, j'habite à Vertou et j'aimerais monter un atelier vélo participatif avec des voisins", stage: 'idee', sector: 'mobilite', projectType: 'collectif', needs: [], commune: '44215' },
  { text: 'Nous voulons développer notre AMAP à Château-Thébaud : plus de producteurs, une nouvelle distribution. Il nous faut un hangar.', stage: 'developpement', sector: 'alimentation', projectType: null, needs: ['local'], commune: '44037' },
  { text: 'salut c pour un projet de covoiturage solidaire entre communes rurales, on est une asso de 20 adhérents', stage: 'developpement', sector: 'mobilite', projectType: 'collectif', needs: [], commune: null },
  { text: "J'ai 58 ans, ancienne aide-soignante, je veux créer une conciergerie solidaire pour les seniors de Boussay", stage: 'creation', sector: 'services_personnes', projectType: null, needs: [], commune: '44022', teamSize: null },
  { text: "Nous sommes une SCIC de production d'énergie renouvelable, on cherche à mobiliser des sociétaires et revoir notre gouvernance", stage: 'developpement', sector: 'energie', projectType: 'collectif', needs: ['gouvernance'], commune: null },
  { text: "on aimerait faire un habitat participatif intergénérationnel sur un terrain que la commune de Monnières pourrait nous céder, avec la mairie", stage: 'idee', sector: 'habitat', projectType: 'multi_acteurs', needs: ['local'], commune: '44100' },
  { text: "Besoin d'aide pour le business plan et la compta de notre café-librairie à Clisson, ouvert depuis 2 ans", stage: 'developpement', sector: 'culture_loisirs', projectType: null, needs: ['modele_economique'], commune: '44043' },
  { text: 'ressourcerie en création, statuts déposés le mois dernier, on cherche des bénévoles et un entrepôt', stage: 'creation', sector: 'dechets_ressources', projectType: 'collectif', needs: ['local'], commune: null },
  { text: 'Je suis en micro-entreprise, je fais de la médiation numérique auprès des personnes âgées à domicile, je voudrais me développer', stage: 'developpement', sector: 'numerique', projectType: 'individuel', needs: [], commune: null },
  { text: 'on voudrait créer une ferme pédagogique avec un accueil de personnes en situation de handicap, on est 2 et on cherche du foncier vers Remouillé', stage: 'idee', sector: 'alimentation', projectType: 'collectif', needs: ['local'], commune: '44142', teamSize: 2 },
  { text: 'Pas de projet précis, je me renseigne', stage: 'idee', sector: null, projectType: null, needs: [], commune: null },
  { text: "C'est pour une association d'insertion qui gère un chantier de rénovation de vélos, 12 salariés en insertion, Nantes", stage: 'developpement', sector: 'insertion_emploi', projectType: 'collectif', needs: [], commune: '44109', employees: 12 },
  { text: 'nous sommes 4 associés et on souhaite reprendre une boulangerie en SCOP à Saint-Lumine-de-Clisson', stage: 'creation', sector: 'alimentation', projectType: 'collectif', needs: ['juridique'], commune: '44173', teamSize: 4 },
  { text: 'Je veux monter ma micro entreprise de jardinage à domicile pour les personnes âgées sur Haute Goulaine', stage: 'creation', sector: 'services_personnes', projectType: 'individuel', needs: [], commune: '44071' },
  { text: 'Est ce que vous financez les projets ?', stage: null, sector: null, projectType: null, needs: ['financement'], commune: null },
  { text: 'on fait déjà des paniers de légumes depuis 3 ans, on voudrait ouvrir un magasin de producteurs avec 8 fermes du coin à Clisson', stage: 'developpement', sector: 'alimentation', projectType: 'multi_acteurs', needs: [], commune: '44043' },
  { text: "Bonjour, je suis éducatrice spécialisée et j'ai envie de créer un lieu de répit pour les aidants à Vallet", stage: 'idee', sector: 'services_personnes', projectType: null, needs: [], commune: '44212' },
  { text: 'On a déjà trouvé un terrain à La Regrippière, il nous manque juste les financements pour les panneaux solaires', stage: null, sector: 'energie', projectType: null, needs: ['financement'], commune: '44140' },
  { text: "Nous sommes un collectif de 8 structures de l'ESS du Vignoble et nous voulons créer un PTCE", stage: 'creation', sector: null, projectType: 'multi_acteurs', needs: [], commune: null },
  { text: 'quelle forme juridique choisir entre asso et SCIC pour un café-concert à Vallet ?', stage: null, sector: 'culture_loisirs', projectType: null, needs: ['juridique'], commune: '44212' },
  { text: 'Je voudrais créer une auto-école sociale à Nantes pour les jeunes en insertion', stage: 'idee', sector: 'mobilite', projectType: null, needs: [], commune: '44109' },
  { text: 'aide pour embaucher', stage: null, sector: null, projectType: null, needs: ['emploi'], commune: null },
  { text: 'Nous avons 2 salariés et 40 bénévoles dans notre ressourcerie de Divatte-sur-Loire, on voudrait un deuxième local', stage: 'developpement', sector: 'dechets_ressources', projectType: 'collectif', needs: ['local'], commune: '44029', employees: 2 },
  { text: 'je cherche des subventions pour mon festival de musique à Gétigné', stage: null, sector: 'culture_loisirs', projectType: null, needs: ['financement'], commune: '44063' },
  { text: 'On veut lancer une monnaie locale complémentaire dans le vignoble nantais', stage: 'creation', sector: 'autre', projectType: null, needs: [], commune: null },
  { text: "Pour l'instant c'est qu'une idée : un café associatif itinérant en camion", stage: 'idee', sector: 'culture_loisirs', projectType: null, needs: [], commune: null },
  { text: "Nous avons monté l'association l'an dernier, on cherche maintenant à se faire connaître et à trouver des partenaires", stage: 'creation', sector: null, projectType: 'collectif', needs: ['reseau'], commune: null },
  { text: 'vélo', stage: null, sector: 'mobilite', projectType: null, needs: [], commune: null },
  { text: 'aide administrative pour ma ferme bio a st julien de concelles', stage: null, sector: 'alimentation', projectType: null, needs: [], commune: '44169' },
  { text: 'On est 3 à vouloir reprendre le bar-restaurant du village de La Boissière-du-Doré en coopérative, la mairie est partante', stage: 'creation', sector: 'alimentation', projectType: 'multi_acteurs', needs: [], commune: '44016', teamSize: 3 },
  { text: "J'ai lancé mon activité de traiteur bio en janvier à Clisson mais je galère à trouver des clients et fixer mes prix", stage: 'creation', sector: 'alimentation', projectType: null, needs: ['modele_economique'], commune: '44043' },
  { text: "Recherche local 50m2 sur Vallet pour atelier de réparation d'électroménager", stage: null, sector: 'dechets_ressources', projectType: null, needs: ['local'], commune: '44212' },
  { text: "c'est pour un projet de micro-crèche, j'ai déjà trouvé le local et la commune nous soutient", stage: null, sector: 'services_personnes', projectType: 'multi_acteurs', needs: [], commune: null },
  { text: 'Nous souhaitons créer une SCIC avec la communauté de communes pour gérer une chaufferie bois', stage: 'creation', sector: 'energie', projectType: 'multi_acteurs', needs: ['juridique'], commune: null },
  { text: 'Coucou ! Moi et 2 copines on aimerait ouvrir une friperie solidaire à Vertou 😊', stage: 'idee', sector: 'dechets_ressources', projectType: 'collectif', needs: [], commune: '44215', teamSize: 3 },
  { text: "on n'a besoin de rien merci, juste d'une mise en relation avec d'autres recycleries", stage: null, sector: 'dechets_ressources', projectType: null, needs: ['reseau'], commune: null },
  { text: 'je ne suis pas seul, on est une bande de potes motivés à Saint-Fiacre-sur-Maine pour faire un festival', stage: null, sector: 'culture_loisirs', projectType: 'collectif', needs: [], commune: '44159' },
  { text: 'Pas une asso, plutôt une petite entreprise de réparation de vélos, juste moi', stage: null, sector: 'mobilite', projectType: 'individuel', needs: [], commune: null },
  { text: 'Comment trouver des financements pour rénover une longère en habitat inclusif pour personnes handicapées à Vallet', stage: null, sector: 'habitat', projectType: null, needs: ['financement'], commune: '44212' },
  { text: 'On se lance ! Ouverture de notre épicerie participative le 15 mars à Gorges, il nous reste à recruter un salarié', stage: 'creation', sector: 'alimentation', projectType: null, needs: ['emploi'], commune: '44064', employees: null },
  { text: "Je suis retraité et je voudrais donner des cours d'informatique aux personnes âgées isolées", stage: 'idee', sector: 'numerique', projectType: null, needs: [], commune: null },
  { text: 'On est deja 12 adhérents et on a un local prêté par la mairie à Mouzillon, on veut développer nos ateliers de couture et réparation', stage: 'developpement', sector: 'dechets_ressources', projectType: 'collectif', needs: [], commune: '44108', teamSize: 12 },
  { text: 'Bonjour, je représente la mairie du Landreau, nous voulons accompagner un projet d’épicerie solidaire avec le CCAS et deux associations', stage: null, sector: 'alimentation', projectType: 'multi_acteurs', needs: [], commune: '44079' },
  { text: 'J ai 25 ans je veux creer mon emploi en ouvrant une recyclerie mais jai 0 euros', stage: 'creation', sector: 'dechets_ressources', projectType: null, needs: ['financement'], commune: null, teamSize: null },
  { text: 'bonjour je suis maraichere bio a Gorges et je voudrais creer une legumerie avec d autres paysans du coin pour fournir les cantines', stage: 'idee', sector: 'alimentation', projectType: 'multi_acteurs', needs: [], commune: '44064' },
  { text: "Quel statut pour une asso qui veut vendre des repas ? On est à Clisson, ça fait 5 ans qu'on existe", stage: 'developpement', sector: 'alimentation', projectType: 'collectif', needs: ['juridique'], commune: '44043' },
  { text: 'on est 2 soeurs et on aimerait créer un gîte solidaire a Vallet', stage: 'idee', sector: 'culture_loisirs', projectType: 'collectif', needs: [], commune: '44212', teamSize: 2 },
  { text: 'NOUS CHERCHONS UN LOCAL POUR NOTRE RECYCLERIE A VALLET URGENT', stage: null, sector: 'dechets_ressources', projectType: null, needs: ['local'], commune: '44212' },
  { text: 'Je voudrais créer une entreprise adaptée dans le numérique', stage: 'idee', sector: 'insertion_emploi', projectType: null, needs: [], commune: null },
  { text: 'Je suis seul(e) avec mon idée de bar à jeux', stage: 'idee', sector: 'culture_loisirs', projectType: 'individuel', needs: [], commune: null },
  { text: "j'ai un projet de recylerie solidaire, besoin d'aide pour les subvension et trouver un lcoal", stage: null, sector: 'dechets_ressources', projectType: null, needs: ['financement', 'local'], commune: null },
  { text: 'une épicerie sans emballage à Clisson, pas de salarié pour le moment, on cherche un prêt', stage: null, sector: 'alimentation', projectType: null, needs: ['financement'], commune: '44043', employees: 0 },
  {
    text:
      "Bonjour, alors voilà, je m'appelle Karim, j'ai 34 ans et je travaille dans la logistique depuis 10 ans. Avec ma compagne on a depuis longtemps l'envie de faire quelque chose d'utile pour notre village, Le Pallet. " +
      "On a remarqué qu'il n'y a plus de commerce depuis la fermeture de la boulangerie. On pense à une épicerie-café associative avec des produits locaux, peut-être des ateliers. " +
      "On n'a aucune idée de par où commencer, ni du statut, ni de comment financer tout ça. Merci d'avance !",
    stage: 'idee', sector: 'alimentation', projectType: 'collectif', needs: ['financement', 'juridique'], commune: '44117', teamSize: null,
  },
  {
    text:
      'Bonsoir. Je me permets de vous écrire car notre association (chantier d’insertion en espaces verts, 14 salariés en parcours, créée en 2009 à Gétigné) voudrait ouvrir une ressourcerie. ' +
      'On a déjà un bâtiment, par contre il faudrait revoir notre modèle économique et trouver des financements pour l’investissement. La communauté d’agglo est partante pour nous suivre.',
    stage: 'developpement', sector: 'insertion_emploi', projectType: 'multi_acteurs', needs: ['financement', 'modele_economique'], commune: '44063', employees: 14,
  },
  { text: 'pas encore lancé, juste une idée de conciergerie rurale à Maisdon sur Sèvre', stage: 'idee', sector: 'services_personnes', projectType: null, needs: [], commune: '44088' },
  { text: 'on recherche une formation pour comprendre la gouvernance partagée en SCOP', stage: null, sector: null, projectType: 'collectif', needs: ['formation', 'gouvernance', 'juridique'], commune: null },
  { text: 'mon numéro : 06 12 34 56 78, email marie.dupont@example.org', stage: null, sector: null, projectType: null, needs: [], commune: null },
  { text: 'on veut monter une ressourcerie quelque part dans le Vignoble nantais', stage: 'creation', sector: 'dechets_ressources', projectType: null, needs: [], commune: null, epci: null, departement: '44', placeKind: 'territory' },
  { text: 'association de covoiturage sur la CC Sèvre et Loire qui existe depuis 2018', stage: 'developpement', sector: 'mobilite', projectType: 'collectif', needs: [], commune: null, epci: SEVRE_ET_LOIRE, departement: '44', placeKind: 'epci' },
  { text: 'projet de centrale villageoise photovoltaique en Loire-Atlantique', stage: null, sector: 'energie', projectType: null, needs: [], commune: null, departement: '44', placeKind: 'departement' },
];

// Lexicons and territory loaded up front. The recognizers are not warmed here: qualify only calls
// them for numbers in words, e-mails and phones (warmed and tested in recognizers.test.ts).
beforeAll(async () => {
  await loadQualification();
});

describe('qualify: utterances as holders type them', () => {
  test('the table is large enough and states every field', () => {
    assert.ok(CASES.length >= 70, `${CASES.length} cas`);
    const texts = new Set(CASES.map((c) => c.text));
    assert.equal(texts.size, CASES.length, 'cas en double');
  });

  for (const c of CASES) {
    test(JSON.stringify(c.text.length > 90 ? `${c.text.slice(0, 90)}…` : c.text), () => {
      const q = qualify(c.text);
      const got = {
        stage: q.profile.stage,
        sector: q.profile.sector,
        projectType: q.profile.projectType,
        needs: [...q.profile.needs].sort(),
        commune: q.profile.commune?.code ?? null,
      };
      const expected = { stage: c.stage, sector: c.sector, projectType: c.projectType, needs: [...c.needs].sort(), commune: c.commune };
      const why = q.matched.map((m) => `${m.field}:${m.code ?? ''} ← ${m.term}`).join('\n  ');
      assert.deepEqual(got, expected, `termes reconnus :\n  ${why || '(aucun)'}`);
      if (c.epci !== undefined) assert.equal(q.profile.epci?.code ?? null, c.epci, 'epci');
      if (c.departement !== undefined) assert.equal(q.profile.departement, c.departement, 'departement');
      if (c.teamSize !== undefined) assert.equal(q.teamSize, c.teamSize, 'teamSize');
      if (c.employees !== undefined) assert.equal(q.employees, c.employees, 'employees');
      if (c.placeKind !== undefined) assert.equal(q.place?.kind ?? null, c.placeKind, 'place.kind');
    });
  }
});
