/**
 * The SQLite schema's numbered migrations, applied in order inside one transaction each (../migrate.ts).
 * Never edit a migration that has shipped; add the next number. PostgreSQL has its own list
 * (../postgres/migrations.ts): the same tables, numbered on their own.
 */
import { migrate as migrateWith, type Migration } from '../migrate.ts';
import type { SqlDatabase } from '../sql.ts';

export const MIGRATIONS: Migration[] = [
  {
    id: 1,
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin','author','reviewer','system','viewer')),
  hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  revoked_at TEXT
);
-- Published versions: immutable, content-addressed by the IR hash.
CREATE TABLE versions (
  hash TEXT PRIMARY KEY,
  policy_id TEXT NOT NULL,
  version TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  title TEXT NOT NULL,
  effective_from TEXT NOT NULL,
  effective_until TEXT,
  format TEXT NOT NULL CHECK (format IN ('dsl','yaml')),
  source TEXT NOT NULL,
  ir TEXT NOT NULL,
  published_at TEXT NOT NULL,
  published_by TEXT NOT NULL,
  draft_id INTEGER,
  UNIQUE (policy_id, version)
);
CREATE TRIGGER versions_immutable BEFORE UPDATE ON versions
  BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
CREATE TRIGGER versions_undeletable BEFORE DELETE ON versions
  BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
CREATE TABLE drafts (
  id INTEGER PRIMARY KEY,
  policy_id TEXT,
  base_hash TEXT REFERENCES versions(hash),
  format TEXT NOT NULL CHECK (format IN ('dsl','yaml')),
  source TEXT NOT NULL,
  revision INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('editing','in-review','approved','rejected','published')),
  author TEXT NOT NULL,
  editors TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  published_hash TEXT REFERENCES versions(hash)
);
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY,
  draft_id INTEGER NOT NULL REFERENCES drafts(id),
  actor TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('submit','approve','reject')),
  comment TEXT,
  revision INTEGER NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  before TEXT,
  after TEXT
);
CREATE INDEX audit_actor ON audit(actor, at);
CREATE INDEX audit_target ON audit(target, at);
CREATE INDEX audit_at ON audit(at);
CREATE TABLE decisions (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  caller TEXT NOT NULL,
  policy_id TEXT NOT NULL,
  version TEXT NOT NULL,
  policy_hash TEXT NOT NULL,
  as_of TEXT NOT NULL,
  facts TEXT NOT NULL,
  masked TEXT NOT NULL,
  decision TEXT NOT NULL
);
CREATE INDEX decisions_at ON decisions(at);
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled')),
  params TEXT NOT NULL,
  total INTEGER NOT NULL DEFAULT 0,
  done INTEGER NOT NULL DEFAULT 0,
  result TEXT,
  error TEXT,
  finished_at TEXT
);
CREATE TABLE job_changes (
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  line INTEGER NOT NULL,
  record TEXT NOT NULL,
  baseline TEXT NOT NULL,
  candidate TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
);
`,
  },
  {
    id: 2,
    // Drafts say who saved last and when (updated_at now moves on saves only, not on review
    // steps, whose times are in `reviews`); backfilled from the audit trail. Decisions made on
    // a draft carry its id, revision and IR hash.
    sql: `
ALTER TABLE drafts ADD COLUMN updated_by TEXT;
UPDATE drafts SET
  updated_by = COALESCE(
    (SELECT actor FROM audit WHERE target = 'draft:' || drafts.id AND action IN ('draft.create', 'draft.edit') ORDER BY id DESC LIMIT 1),
    author),
  updated_at = COALESCE(
    (SELECT at FROM audit WHERE target = 'draft:' || drafts.id AND action IN ('draft.create', 'draft.edit') ORDER BY id DESC LIMIT 1),
    updated_at);
ALTER TABLE decisions ADD COLUMN draft TEXT;
CREATE INDEX reviews_draft ON reviews(draft_id, action);
`,
  },
  {
    id: 3,
    // Decisions are logged lean: what a policy version's rules say (titles, messages, citations,
    // labels) is kept once per version in decision_texts (id = hash of the texts); a row with
    // `texts` holds only what varies. Rows without it (older ones) hold the whole decision.
    sql: `
CREATE TABLE decision_texts (id TEXT PRIMARY KEY, texts TEXT NOT NULL);
ALTER TABLE decisions ADD COLUMN texts TEXT REFERENCES decision_texts(id);
`,
  },
  {
    id: 4,
    // The audit trail becomes a hash chain (entries written before are chained at start, in id
    // order: ../store.ts chainAudit). Jobs are claimed from the table by whichever process runs
    // them, keep a heartbeat so a dead runner's job is taken over, and keep their input.
    sql: `
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;
ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
ALTER TABLE jobs ADD COLUMN heartbeat_at TEXT;
ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_claim ON jobs(status, created_at);
CREATE TABLE job_inputs (
  job_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  format TEXT NOT NULL,
  bytes BLOB NOT NULL,
  baseline TEXT NOT NULL,
  candidate TEXT NOT NULL,
  as_of TEXT NOT NULL
);
`,
  },
  {
    id: 5,
    // The decision log is searched: by policy, caller or subject (the caller's own id of the case:
    // evaluate's `subject`, a batch line's `id`) within a time range.
    sql: `
ALTER TABLE decisions ADD COLUMN subject TEXT;
CREATE INDEX decisions_subject ON decisions(subject);
CREATE INDEX decisions_policy ON decisions(policy_id, version, id);
CREATE INDEX decisions_caller ON decisions(caller, id);
`,
  },
  {
    id: 6,
    // Decisions made by a client in its own process (a policy bundle) and reported in batches:
    // the client's name, so the log shows which decisions the server did not make itself.
    sql: `
ALTER TABLE decisions ADD COLUMN reported_by TEXT;
`,
  },
  {
    id: 7,
    // the decision log's tamper evidence (../ledger.ts): each group commit is a batch hashed
    // over its rows and chained per partition (writer and day); a row names its partition and
    // batch. Checkpoints keep the last hash of partitions the retention sweep dropped.
    sql: `
ALTER TABLE decisions ADD COLUMN ledger TEXT;
ALTER TABLE decisions ADD COLUMN ledger_seq INTEGER;
CREATE TABLE decision_batches (
  part TEXT NOT NULL,
  seq INTEGER NOT NULL,
  alg TEXT NOT NULL CHECK (alg IN ('sha256','sm3')),
  at TEXT NOT NULL,
  count INTEGER NOT NULL,
  entries TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (part, seq)
);
CREATE TABLE decision_checkpoints (
  part TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  last_seq INTEGER NOT NULL,
  last_hash TEXT NOT NULL,
  count INTEGER NOT NULL,
  dropped_at TEXT NOT NULL
);
-- Rows logged before the chain existed: chained at the first start (../store.ts chainDecisions).
UPDATE decisions SET ledger = 'unchained';
`,
  },
  {
    id: 8,
    // Persons: tokens belong to a person (one identity per normalised name key), a person holds
    // grants (role × jurisdictions, each active or pending a second admin's approval). Existing
    // tokens are linked to persons at open (../persons.ts linkTokens): the key needs NFKC, which
    // SQL does not have.
    sql: `
CREATE TABLE persons (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  key TEXT NOT NULL UNIQUE,
  grants TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending','active','disabled')),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  approved_by TEXT,
  approved_at TEXT
);
ALTER TABLE tokens ADD COLUMN person_id INTEGER REFERENCES persons(id);
CREATE INDEX tokens_person ON tokens(person_id);
`,
  },
  {
    id: 9,
    // the impact report (server/report/): a changed record keeps the columns the reviewer kept
    // for grouping; a finished job keeps its report basis (policy change, rule names, counts per
    // group value, amounts); a draft under review lists the simulations attached to it, with who
    // attached them, the `by` column chosen and the draft's revision then.
    sql: `
ALTER TABLE job_changes ADD COLUMN columns TEXT;
CREATE TABLE job_reports (
  job_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  basis TEXT NOT NULL
);
CREATE TABLE draft_simulations (
  draft_id INTEGER NOT NULL REFERENCES drafts(id),
  job_id TEXT NOT NULL REFERENCES jobs(id),
  by_column TEXT,
  attached_by TEXT NOT NULL,
  attached_at TEXT NOT NULL,
  revision INTEGER NOT NULL,
  PRIMARY KEY (draft_id, job_id)
);
`,
  },
  {
    id: 10,
    // personal facts declared by the policy (server/privacy.ts): the subject fact's keyed hash,
    // searched by exact value, and the paths of personal facts kept because a rule reads them (hidden
    // from roles without personal access when read). Both are in a row's ledger digest when set.
    sql: `
ALTER TABLE decisions ADD COLUMN subject_key TEXT;
ALTER TABLE decisions ADD COLUMN personal TEXT;
CREATE INDEX decisions_subject_key ON decisions(subject_key);
`,
  },
  {
    id: 11,
    // OpenID Connect login (server/auth/oidc.ts): a provider account (issuer, sub) linked to the
    // person it first logged in as, and session tokens that expire (NULL: a system token, forever).
    sql: `
CREATE TABLE oidc_links (
  issuer TEXT NOT NULL,
  sub TEXT NOT NULL,
  person_id INTEGER NOT NULL REFERENCES persons(id),
  linked_at TEXT NOT NULL,
  PRIMARY KEY (issuer, sub)
);
CREATE INDEX oidc_links_person ON oidc_links(person_id);
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
`,
  },
];

export function migrate(db: SqlDatabase): Promise<number> {
  return migrateWith(db, MIGRATIONS);
}
