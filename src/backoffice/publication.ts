// Several instances on one database: the published configuration (rules, actors' directory,
// partner sites, named territories) lives in the database, and each instance keeps a local copy
// of its files, which the router, the partner directory and the territories read as before.
// At start the latest publication is written to the local files (or, on an empty database, the
// shipped files become the first publication). A coordinator's change is written locally, then
// published (the commit point); every instance picks up a publication made elsewhere within
// seconds (NOTIFY, and a poll every 2 s), writes the files that differ and tells its listeners
// (router reload, partner directory swap…). A received set is checked first (validateWith): an
// invalid one is not written, the last good one stays in service.
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { partnersFileSchema } from '../domain/partner.js';
import { loadRuleSet, RulesError, SCHEMA_FILE } from '../routing/load.js';
import { writeFileAtomic } from '../store/durableFile.js';
import type { Database } from '../store/postgres/database.js';
import { PostgresPublishedConfig, PUBLISHED_CHANNEL, type PublishedFiles } from '../store/postgres/published.js';

export type { PublishedFiles };
import { DEFAULT_TERRITORY_DIR, namedTerritoriesSchema } from '../territory/lexicon.js';
import type { TerritoryIndex } from '../territory/types.js';

export type PublishScope = 'rules' | 'actors' | 'partners' | 'territories';
/** Publishes the local files of one scope (after a coordinator saved them). */
export type Publish = (scope: PublishScope, by?: string) => Promise<void>;

export interface PublicationFiles {
  rulesDir: string;
  actorsFile: string;
  partnersFile: string;
  /** Directory of named-territories.json (default data/territory). */
  territoryDir?: string;
}

export interface FollowOptions extends PublicationFiles {
  /** Poll interval (default 2 s). */
  intervalMs?: number;
  /**
   * A deploy that ships configuration on purpose (rules edited in the repository): the local
   * files become a new publication at start (only when they differ), instead of being replaced
   * by the database's. Default false: the database wins, the shipped files only seed it.
   */
  publishLocalFiles?: boolean;
  log?: (message: string) => void;
}

export interface Publications {
  /** Id of the publication the local files hold. */
  readonly appliedId: number;
  publish: Publish;
  /** Called after files of these scopes changed locally because of another instance's publication. */
  onChange(listener: (scopes: ReadonlySet<PublishScope>) => void | Promise<void>): void;
  /**
   * Checks a publication received from another instance before its files are written here: a
   * French problem refuses it (logged), and the last good files stay, on disk as in memory.
   */
  validateWith(check: (files: PublishedFiles) => Promise<string | null>): void;
  /** Checks the database now; true when a new publication was applied. */
  poll(): Promise<boolean>;
  close(): Promise<void>;
}

const RULES = 'rules/';
const KEYS = { actors: 'actors.json', partners: 'partners.json', territories: 'named-territories.json' } as const;

const scopeOf = (key: string): PublishScope | null =>
  key.startsWith(RULES) ? 'rules' : key === KEYS.actors ? 'actors' : key === KEYS.partners ? 'partners' : key === KEYS.territories ? 'territories' : null;

/** Opens the follower: local files brought to the latest publication (or the first one seeded). */
export async function followPublications(database: Database, options: FollowOptions): Promise<Publications> {
  const store = new PostgresPublishedConfig(database);
  const log = options.log ?? (() => undefined);
  const territoryFile = join(options.territoryDir ?? DEFAULT_TERRITORY_DIR, 'named-territories.json');
  const pathOf = (key: string): string | null => {
    if (key.startsWith(RULES)) {
      const name = key.slice(RULES.length);
      return /^[a-z0-9][a-z0-9-]*\.json$/.test(name) && name !== SCHEMA_FILE ? join(options.rulesDir, name) : null;
    }
    return key === KEYS.actors ? options.actorsFile : key === KEYS.partners ? options.partnersFile : key === KEYS.territories ? territoryFile : null;
  };

  async function localRules(): Promise<PublishedFiles> {
    const files: PublishedFiles = {};
    const names = (await readdir(options.rulesDir)).filter((n) => n.endsWith('.json') && n !== SCHEMA_FILE).sort();
    for (const name of names) files[`${RULES}${name}`] = await readFile(join(options.rulesDir, name), 'utf8');
    return files;
  }

  async function local(scope: PublishScope): Promise<PublishedFiles> {
    if (scope === 'rules') return localRules();
    const key = KEYS[scope];
    return { [key]: await readFile(pathOf(key)!, 'utf8') };
  }

  /** Writes the files that differ, removes rule files the set no longer has; returns the scopes touched. */
  async function materialise(files: PublishedFiles): Promise<Set<PublishScope>> {
    const changed = new Set<PublishScope>();
    for (const [key, text] of Object.entries(files)) {
      const path = pathOf(key);
      const scope = scopeOf(key);
      if (!path || !scope) continue;
      const current = await readFile(path, 'utf8').catch(() => null);
      if (current === text) continue;
      await writeFileAtomic(path, text, 0o644);
      changed.add(scope);
    }
    for (const key of Object.keys(await localRules())) {
      if (!(key in files)) {
        await unlink(pathOf(key)!).catch(() => undefined);
        changed.add('rules');
      }
    }
    return changed;
  }

  const listeners: Array<(scopes: ReadonlySet<PublishScope>) => void | Promise<void>> = [];
  let validate: ((files: PublishedFiles) => Promise<string | null>) | null = null;
  async function tell(scopes: Set<PublishScope>): Promise<void> {
    if (scopes.size === 0) return;
    for (const listener of listeners) {
      try {
        await listener(scopes);
      } catch (error) {
        log(`publication : rechargement refusé (${error instanceof Error ? error.message : String(error)}) ; la configuration précédente reste en service`);
      }
    }
  }

  // One step at a time: a poll never writes files while a publication does.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = tail.then(task, task);
    tail = next.catch(() => undefined);
    return next;
  };

  let appliedId = 0;
  const shipped = async () => ({ ...(await local('rules')), ...(await local('actors')), ...(await local('partners')), ...(await local('territories')) });
  if (options.publishLocalFiles) {
    const files = await shipped();
    const current = await store.latest();
    const changes: Record<string, string | null> = { ...files };
    for (const key of Object.keys(current?.files ?? {})) if (key.startsWith(RULES) && !(key in files)) changes[key] = null;
    const published = current ? await store.publish(changes, 'fichiers livrés') : await store.seed(files);
    log(`fichiers de configuration livrés publiés dans la base (publication n° ${published.id}${current && published.id === current.id ? ', identique à la précédente' : ''})`);
  }
  const latest = await store.latest();
  if (latest) {
    const changed = await materialise(latest.files);
    appliedId = latest.id;
    log(`publication n° ${latest.id} de la configuration lue dans la base${changed.size ? ` (${[...changed].join(', ')} mis à jour)` : ''}`);
  } else {
    const seeded = await store.seed(await shipped());
    await materialise(seeded.files);
    appliedId = seeded.id;
    log(`configuration publiée dans la base depuis les fichiers livrés (publication n° ${seeded.id})`);
  }

  const poll = () =>
    serial(async () => {
      const id = await store.latestId();
      if (id === appliedId) return false;
      const publication = await store.latest();
      if (!publication) return false;
      const problem = validate ? await validate(publication.files) : null;
      if (problem) {
        appliedId = publication.id;
        log(`publication n° ${publication.id} de la configuration refusée (${publication.by}) : ${problem} ; la configuration précédente reste en service`);
        return true;
      }
      const changed = await materialise(publication.files);
      appliedId = publication.id;
      log(`publication n° ${publication.id} de la configuration reçue (${publication.by})${changed.size ? ` : ${[...changed].join(', ')}` : ''}`);
      await tell(changed);
      return true;
    });

  const publish: Publish = (scope, by = 'back-office') =>
    serial(async () => {
      const files = await local(scope);
      try {
        const changes: Record<string, string | null> = { ...files };
        if (scope === 'rules') {
          const current = await store.latest();
          for (const key of Object.keys(current?.files ?? {})) if (key.startsWith(RULES) && !(key in files)) changes[key] = null;
        }
        const publication = await store.publish(changes, by);
        // Another instance may have published other files meanwhile: the merged set is the truth.
        const changed = await materialise(publication.files);
        appliedId = publication.id;
        await tell(changed);
      } catch (error) {
        // Not published: the next poll puts the database's set back in the local files.
        appliedId = -1;
        throw error;
      }
    });

  // NOTIFY wakes the poll at once; the timer covers a lost LISTEN connection.
  let listener: pg.Client | null = null;
  let connecting = false;
  let closed = false;
  const listen = async () => {
    if (listener || connecting || closed) return;
    connecting = true;
    const client = new pg.Client({ connectionString: database.url, application_name: 'aiguillage-publication', connectionTimeoutMillis: 5_000 });
    client.on('error', () => {
      if (listener === client) listener = null;
      void client.end().catch(() => undefined);
    });
    client.on('notification', () => void poll().catch(() => undefined));
    try {
      await client.connect();
      await client.query(`LISTEN ${PUBLISHED_CHANNEL}`);
      if (closed) await client.end();
      else listener = client;
    } catch {
      void client.end().catch(() => undefined);
    } finally {
      connecting = false;
    }
  };
  await listen();
  // An outage is logged once when it starts and once when it ends, not every 2 s.
  let failing = false;
  const timer = setInterval(() => {
    void listen();
    poll().then(
      () => {
        if (failing) log('publication : base de nouveau joignable');
        failing = false;
      },
      (error: unknown) => {
        if (!failing) log(`publication : base injoignable, la configuration locale reste en service (${error instanceof Error ? error.message : String(error)})`);
        failing = true;
      },
    );
  }, options.intervalMs ?? 2_000);
  timer.unref();

  return {
    get appliedId() {
      return appliedId;
    },
    publish,
    onChange: (l) => void listeners.push(l),
    validateWith: (check) => void (validate = check),
    poll,
    async close() {
      closed = true;
      clearInterval(timer);
      await tail.catch(() => undefined);
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
    },
  };
}

/** The loader's checks on a whole published set (rules with the actors, partner sites, territories); a French problem or null. */
export async function checkPublication(files: PublishedFiles, territory: TerritoryIndex): Promise<string | null> {
  const dir = await mkdtemp(join(tmpdir(), 'aiguillage-publication-'));
  try {
    await mkdir(join(dir, 'rules'));
    for (const [key, text] of Object.entries(files)) {
      if (key.startsWith(RULES) && /^[a-z0-9][a-z0-9-]*\.json$/.test(key.slice(RULES.length))) await writeFile(join(dir, 'rules', key.slice(RULES.length)), text);
    }
    const actors = files[KEYS.actors];
    if (actors === undefined) return 'annuaire des structures absent';
    await writeFile(join(dir, 'actors.json'), actors);
    try {
      await loadRuleSet({ rulesDir: join(dir, 'rules'), actorsFile: join(dir, 'actors.json'), territory });
    } catch (error) {
      if (!(error instanceof RulesError)) throw error;
      return error.issues.map((i) => `${i.file.startsWith(dir) ? i.file.slice(dir.length + 1) : i.file}${i.rule ? `, règle « ${i.rule} »` : ''} : ${i.message}`).join(' ; ');
    }
    const partners = parseJson(files[KEYS.partners]);
    if (!partnersFileSchema.safeParse(partners).success) return 'fichier des sites partenaires invalide';
    const named = namedTerritoriesSchema.safeParse(parseJson(files[KEYS.territories]));
    if (!named.success) return 'fichier des territoires invalide';
    const unknown = named.data.territories.flatMap((t) => t.epcis).filter((e) => !territory.epci(e));
    if (unknown.length) return `territoires : intercommunalité inconnue (SIREN ${unknown.join(', ')})`;
    return null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
