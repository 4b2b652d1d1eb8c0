// The public bot server (restify): health, the widget's Direct Line channel (mounted by `mount`),
// and the Bot Framework endpoint for Azure channels, only when an app id is configured: an
// anonymous /api/messages would post replies to any serviceUrl a caller names (SSRF).
import restify from 'restify';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { Config } from '../config.js';
import { fr } from '../bot/messages.fr.js';
import { mountOffer, type Offer } from '../offer/index.js';

export interface BotServerOptions {
  config: Pick<Config, 'MicrosoftAppId' | 'MicrosoftAppPassword' | 'MicrosoftAppTenantId' | 'MicrosoftAppType'>;
  logic: (context: TurnContext) => Promise<void>;
  /** Readiness details shown on /healthz. */
  health: () => Record<string, unknown>;
  logError: (message: string, error?: unknown) => void;
  /** Mounts more routes (the widget's Direct Line channel) after the body parser. */
  mount?: (server: restify.Server) => void;
  /** The published offer: /offre, /offre/:territoire and the open data (/open-data/data-inclusion/…). */
  offer?: Offer;
}

export function createBotServer(options: BotServerOptions): restify.Server {
  const server = restify.createServer({ name: 'aiguillage', handleUncaughtExceptions: false });
  // restify's body reader gunzips `Content-Encoding: gzip` bodies without an error handler (a
  // body that is not gzip kills the process) and counts the size limit before decompression (a
  // small gzip bomb fills memory). Its multipart parser (formidable) writes uploaded files to the
  // system's temporary directory, up to 200 MB each, outside the size limit, and never deletes
  // them. No client of ours compresses what it sends or uploads files: refuse both.
  server.pre((req, res, next) => {
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      res.json(415, { code: 'UnsupportedMediaType', message: 'Encodage de contenu non pris en charge : envoyez le corps non compressé.' });
      return next(false);
    }
    if (/^\s*multipart\//i.test(req.headers['content-type'] ?? '')) {
      res.json(415, { code: 'UnsupportedMediaType', message: 'Type de contenu non pris en charge : aucun fichier n’est accepté ici.' });
      return next(false);
    }
    return next();
  });
  server.use(restify.plugins.bodyParser({ maxBodySize: 64 * 1024, mapParams: false, rejectUnknown: true }));

  server.get('/healthz', (_req, res, next) => {
    res.json(200, { status: 'ok', ...options.health() });
    return next();
  });

  options.mount?.(server);
  if (options.offer) mountOffer(server, options.offer, options.logError);

  const { MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppTenantId, MicrosoftAppType } = options.config;
  if (MicrosoftAppId) {
    const auth = new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId,
      MicrosoftAppPassword,
      MicrosoftAppTenantId,
      MicrosoftAppType,
    });
    const adapter = new CloudAdapter(auth);
    adapter.onTurnError = async (context, error) => {
      options.logError('Erreur pendant un tour Bot Framework', error);
      await context.sendActivity(fr.error).catch(() => undefined);
    };
    server.post('/api/messages', async (req, res) => {
      await adapter.process(req, res, options.logic);
    });
  }

  server.on('restifyError', (_req, _res, err, callback) => {
    // Public errors in French, without internals.
    err.toJSON = () => ({ code: err.code ?? 'Error', message: frenchHttpMessage(err.statusCode) });
    return callback();
  });
  return server;
}

function frenchHttpMessage(status: number | undefined): string {
  switch (status) {
    case 400:
      return 'Requête invalide.';
    case 404:
      return 'Ressource introuvable.';
    case 405:
      return 'Méthode non autorisée.';
    case 413:
      return 'Message trop volumineux.';
    case 415:
      return 'Type de contenu non pris en charge.';
    default:
      return status !== undefined && status < 500 ? 'Requête refusée.' : 'Erreur interne du serveur.';
  }
}
