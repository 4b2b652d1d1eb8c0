// A holder's rights (RGPD articles 15 and 17) exercised through the coordination: when a holder
// asks by e-mail or phone for their data or for its erasure, a coordinator proves the request
// with the reference and the holder's e-mail or phone (the same proof as the command line),
// downloads everything stored, or erases the personal data at once. The audit log keeps the
// reference and who did it, never the proof.
import type { Request, Response, Router } from 'express';
import { ReferralError } from '../../referrals/errors.js';
import { attachment } from '../csv.js';
import { render, type Deps } from '../context.js';
import { account, field, state } from '../http.js';
import { html } from '../views/html.js';
import { csrfField } from '../views/layout.js';

export const HOLDER_DATA_PATH = '/donnees-personnelles';

export function mountHolderData(app: Router, deps: Deps): void {
  const who = (res: Response) => {
    const me = account(res);
    return { id: me.id, email: me.email, role: me.role };
  };

  const formPage = (req: Request, res: Response, error?: string, status = 200) => {
    const csrf = state(res).session?.csrf ?? null;
    const reference = error ? field(req, 'reference') : '';
    render(
      deps,
      res,
      {
        title: 'Données personnelles d’un porteur',
        active: 'donnees',
        body: html`<h1>Données personnelles d’un porteur</h1>
          <p>Quand un porteur demande à voir ses données ou à les faire effacer, demandez-lui le numéro de
            dossier (AIG-…) et l’adresse e-mail ou le téléphone qu’il a donnés au bot : les deux doivent
            correspondre. L’export contient tout ce qu’Aiguillage garde de sa demande ; l’effacement retire
            tout de suite son nom et ses coordonnées de chaque orientation, supprime la conversation et les
            e-mails pas encore envoyés. Les chiffres anonymes des statistiques restent.</p>
          ${error ? html`<div class="flash error" role="alert">${error}</div>` : ''}
          <form method="post" action="${HOLDER_DATA_PATH}">${csrfField(csrf)}
            <label for="reference">Numéro de dossier</label>
            <input type="text" id="reference" name="reference" required autocomplete="off" placeholder="AIG-XXXX-XX" value="${reference}">
            <label for="proof">E-mail ou téléphone du porteur</label>
            <input type="text" id="proof" name="proof" required autocomplete="off">
            <fieldset><legend>Demande du porteur</legend>
              <label class="check"><input type="radio" name="action" value="export" checked> Recevoir ses données (fichier JSON à lui transmettre)</label>
              <label class="check"><input type="radio" name="action" value="erase"> Effacer ses données personnelles maintenant</label>
            </fieldset>
            <label class="check"><input type="checkbox" name="confirm" value="1"> Pour un effacement : je confirme, il est définitif</label>
            <p><button type="submit">Valider</button></p>
          </form>`,
      },
      status,
    );
  };

  app.get(HOLDER_DATA_PATH, (req, res) => formPage(req, res));

  app.post(HOLDER_DATA_PATH, async (req, res) => {
    const reference = field(req, 'reference').trim().toUpperCase();
    const proof = field(req, 'proof');
    const action = field(req, 'action');
    if (!/^AIG-[A-Z0-9]{4}-[A-Z0-9]{2}$/.test(reference)) return formPage(req, res, 'Le numéro de dossier a la forme AIG-XXXX-XX (il figure dans la confirmation reçue par le porteur).', 400);
    if (!proof.trim()) return formPage(req, res, 'Indiquez l’adresse e-mail ou le téléphone donné par le porteur.', 400);
    if (action !== 'export' && action !== 'erase') return formPage(req, res, 'Choisissez : recevoir ses données, ou les effacer.', 400);
    if (action === 'erase' && field(req, 'confirm') !== '1') return formPage(req, res, 'Cochez la confirmation : l’effacement est définitif.', 400);
    try {
      if (action === 'export') {
        const data = await deps.service.exportHolder(reference, proof);
        await deps.audit.record({ by: who(res), action: 'holder.export', target: data.reference, summary: `Export des données du porteur de la demande ${data.reference}.` });
        res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Disposition': attachment(`aiguillage-${data.reference}.json`), 'Cache-Control': 'no-store' });
        return res.send(`${JSON.stringify(data, null, 2)}\n`);
      }
      const report = await deps.service.eraseHolder(reference, proof, `coordinator:${account(res).id}`);
      await deps.audit.record({
        by: who(res),
        action: 'holder.erase',
        target: report.reference,
        summary: `Effacement des données du porteur de la demande ${report.reference}.`,
        details: { ...report },
      });
      deps.flash.add(
        res,
        'ok',
        `Données personnelles effacées pour ${report.reference} : ${report.referrals} orientation(s), ${report.conversations} conversation(s), ${report.discardedEmails} e-mail(s) non envoyé(s) supprimé(s).`,
      );
      return res.redirect(303, HOLDER_DATA_PATH);
    } catch (error) {
      // Same message whether the reference exists or not: the form does not reveal who asked.
      if (error instanceof ReferralError && error.code === 'not_found') return formPage(req, res, error.message, 404);
      throw error;
    }
  });
}
