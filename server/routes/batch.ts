/**
 * NDJSON batches: POST /api/v1/evaluate/batch. Lines are decided as they are read (in the worker
 * threads when the query names a published policy), committed to the decision log in groups, and
 * answered in line order, each only after its decision is committed. A line may be decided on a
 * draft (`draft:<id>` in the query or on the line) by the roles that may evaluate drafts; such lines
 * are judged on the main thread, and their decisions are logged with the draft's marker.
 */
import { subjectOf } from '../decisionLog.ts';
import { StringDecoder } from 'node:string_decoder';
import { stream } from 'hono/streaming';
import type { Decision } from '../../engine/evaluate/types.ts';
import { expandedJson, type DecisionTexts } from '../../engine/evaluate/lean.ts';
import type { BatchLineResult } from '../../engine/parallel/index.ts';
import { masksAnything, type MaskSpec } from '../../engine/privacy/mask.ts';
import { mayEvaluateDrafts } from '../auth/permissions.ts';
import { actorOf, depsOf, route, todayInShanghai, type App, type Ctx } from '../context.ts';
import type { PoolLike, ResolvedPolicyLike } from '../engine.ts';
import { ApiError, type ErrorBody } from '../errors.ts';
import { msg, type MessageCode } from '../messages.ts';
import { resolveDraft, resolvePublished } from '../refs.ts';
import { requirePolicyScope } from '../auth/scope.ts';
import type { DraftMarker } from '../store/store.ts';
import * as C from '../contract/wire.ts';
import { check, dateQuery, parseJson } from '../validate.ts';
import type { BatchFailed, BatchLine, BatchTexts, BatchUnreadable } from '../wire.ts';
import { DRAFT_REF, draftVersionRefused, invalidFacts, requireDraftEvaluator } from './evaluate.ts';

type BatchLineV1 = BatchLine;

export function batchRoutes(app: App): void {
  route(app, 'POST /api/v1/evaluate/batch', async (c) => {
    const d = depsOf(c);
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(x-)?(ndjson|jsonl|jsonlines|x-jsonlines)\b/i.test(type)) {
      throw ApiError.of(415, 'http.unsupported-media-type', [
        { path: 'header.content-type', message: { zh: `应为 application/x-ndjson,收到 ${type || '(无)'}`, en: `expected application/x-ndjson, got ${type || '(none)'}` } },
      ]);
    }
    const q = { policy: c.req.query('policy'), version: c.req.query('version'), asOf: dateQuery(c, 'asOf') };
    // view=lean: each answer carries the decision's lean form (engine/evaluate/lean.ts), and the
    // rule texts it refers to come once per policy version, on a line of their own before the first
    // answer that needs them. A seventh of the bytes, and serialised once for the log and the answer.
    const view = c.req.query('view') ?? 'full';
    if (view !== 'full' && view !== 'lean') {
      throw ApiError.of(400, 'http.invalid-query', [{ path: 'query.view', message: { zh: `应为 full 或 lean,收到 ${view}`, en: `must be full or lean, got ${view}` } }]);
    }
    const queryDraft = q.policy !== undefined && DRAFT_REF.test(q.policy);
    if (queryDraft) {
      // Who asks, and a version with a draft, concern the whole request (as on evaluate); whether
      // the draft exists and compiles is answered on each line, as for a published policy.
      requireDraftEvaluator(c, 'query.policy');
      if (q.version) throw draftVersionRefused('http.invalid-query', 'query.version');
    }
    const textsSent = new Set<string>();
    const actor = actorOf(c);
    const caller = actor.name;
    const mayDraft = mayEvaluateDrafts(actor.role);
    // A query policy outside the caller's jurisdictions refuses the whole request; a line's own, that line.
    if (q.policy && !queryDraft) requirePolicyScope(actor, q.policy, 'query.policy');
    const body = c.req.raw.body;
    c.header('content-type', 'application/x-ndjson; charset=utf-8');
    // Lines that use the query's published policy go to the worker threads, which parse, decide
    // and serialise them (the JSON that is stored and sent); the main thread reads the body, keeps
    // the decision log and writes the answers. Anything else (a line naming its own policy, a
    // draft, bad JSON, invalid facts) is judged here, one line at a time: the workers hold
    // published policies only, by hash. Masking (server-wide fields, the policy's personal facts
    // and subject) happens in the workers too, with the decision log's mask spec.
    const asOfDefault = q.asOf ?? todayInShanghai(d.clock);
    // One as-of date for the whole request, even if it runs past midnight.
    const lineDefaults: LineDefaults = { policy: q.policy, version: q.version, asOf: asOfDefault };
    let offload: { pool: PoolLike; hash: string; resolved: ResolvedPolicyLike; texts: DecisionTexts; mask?: MaskSpec } | undefined;
    if (q.policy && !queryDraft) {
      try {
        await d.policies.ensure(q.policy, q.version);
        const resolved = resolvePublished(d, q.policy, q.version, asOfDefault, 'query.policy');
        const pool = d.jobs.workers();
        const mask = d.decisions.maskSpec(resolved);
        offload = { pool, hash: pool.register(resolved), resolved, texts: d.engine.decisionTexts(resolved), ...(masksAnything(mask) ? { mask } : {}) };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e; // each line then reports it
      }
    }
    return stream(c, async (out) => {
      const cache = new Map<string, ResolvedPolicyLike>();
      // Drafts are read and compiled once per request (per draft and as-of date), before the lines
      // naming them are judged, so that judging stays synchronous.
      const draftCache = new Map<string, Promise<DraftResolution>>();
      const draftsFor = (texts: readonly string[]): Promise<Drafts> | undefined => {
        if (!mayDraft) return undefined; // such lines are refused without reading the draft
        let wanted: Map<string, Promise<DraftResolution>> | undefined;
        for (const text of texts) {
          // Cheap test first; a backslash may hide `draft:` behind an escape.
          if (!queryDraft && !text.includes('draft:') && !text.includes('\\')) continue;
          const w = draftWanted(text, lineDefaults);
          if (!w) continue;
          const key = draftKey(w.id, w.asOf);
          if (wanted?.has(key)) continue;
          let p = draftCache.get(key);
          if (!p) {
            if (draftCache.size >= 1000) draftCache.clear();
            p = resolveDraft(d, w.id, w.asOf, DRAFT_PATH).catch((e: unknown) => {
              if (e instanceof ApiError) return e;
              throw e;
            });
            draftCache.set(key, p);
          }
          (wanted ??= new Map()).set(key, p);
        }
        if (!wanted) return undefined;
        const keys = [...wanted.keys()];
        return Promise.all(wanted.values()).then((rs) => new Map(rs.map((r, i) => [keys[i]!, r])));
      };
      let lineNo = 0;
      // Lines are decided as they are read and gathered into groups; a group goes to the decision
      // log (one commit) when it is large, when the body ends, or when the body pauses (nothing more
      // to read within IDLE_MS), so a small request costs one commit however many reads its body
      // takes, and a slow stream still gets prompt answers. Groups are pipelined: the next is decided
      // while the previous commits. Answers go out in order, each only after its own decisions are
      // committed; at most MAX_IN_FLIGHT groups wait at once.
      const MAX_IN_FLIGHT = 8;
      const GROUP_MAX = 500;
      const IDLE_MS = 1;
      /** Fewest lines worth a worker's task of their own. */
      const MIN_PIECE = 16;
      let tail: Promise<void> = Promise.resolve();
      let inFlight = 0;
      // An answer is an object, or its JSON already written: as text, or as pieces of text and
      // UTF-8 bytes (whole decisions encoded by a worker, written as they are).
      type Answer = Record<string, unknown> | string | (string | Uint8Array)[] | null;
      /** Decided here: the decision as a value (and on a draft, which one). */
      type ToLog = { idx: number; policy: ResolvedPolicyLike; decision: Decision; facts: unknown; subject?: string; draft?: DraftMarker };
      /** Decided in a worker: the JSON to store and send. */
      type Serialised = { idx: number; line: Extract<BatchLineResult, { facts: string }>; decision?: Uint8Array };
      type Part = { answers: Answer[]; toLog: ToLog[]; serialised: Serialised[] };
      let group: { parts: (Part | Promise<Part>)[]; lines: number } = { parts: [], lines: 0 };

      /** Judges one line on this thread, appending its answer to `part`; `drafts` from `draftsFor`. */
      const judgeHere = (part: Part, text: string, line: number, drafts: Drafts | undefined) => {
        if (text.trim() === '') {
          part.answers.push(null);
          return;
        }
        const res = batchLine(c, text, line, lineDefaults, cache, drafts);
        if (res.ok) {
          part.toLog.push({ idx: part.answers.length, policy: res.policy, decision: res.decision, facts: res.facts, subject: subjectOf(res.id), ...(res.draft ? { draft: res.draft } : {}) });
          part.answers.push({ line, ...(res.id !== undefined ? { id: res.id } : {}), ...(res.draft ? { draft: res.draft } : {}) });
        } else part.answers.push(res.answer);
      };
      const decideHere = (lines: string[], first: number): Part | Promise<Part> => {
        const judge = (drafts?: Drafts): Part => {
          const part: Part = { answers: [], toLog: [], serialised: [] };
          lines.forEach((text, i) => judgeHere(part, text, first + i, drafts));
          return part;
        };
        const reading = draftsFor(lines);
        return reading ? reading.then(judge) : judge();
      };
      const decideInWorker = async (o: NonNullable<typeof offload>, lines: string[], first: number): Promise<Part> => {
        const r = await o.pool.run({ op: 'batch', policy: o.hash, asOf: asOfDefault, lines: lines.join('\n'), full: view === 'full', ...(o.mask ? { mask: o.mask } : {}) });
        // The worker's texts are made from the same policy by the same function; anything else is a bug, judged here instead.
        if (r.op !== 'batch' || r.texts !== o.texts.id) return decideHere(lines, first);
        const byOffset = new Array<BatchLineResult | undefined>(lines.length);
        for (const x of r.results) byOffset[x.at] = x;
        const drafts = await draftsFor(lines.filter((_, i) => byOffset[i] === undefined || byOffset[i]!.defer));
        const part: Part = { answers: [], toLog: [], serialised: [] };
        lines.forEach((text, i) => {
          const x = byOffset[i];
          if (x === undefined || x.defer) return judgeHere(part, text, first + i, drafts);
          const bytes = x.decision && r.decisions ? r.decisions.subarray(x.decision[0], x.decision[1]) : undefined;
          part.serialised.push({ idx: part.answers.length, line: x, ...(bytes ? { decision: bytes } : {}) });
          part.answers.push({ line: first + i, ...(x.id !== undefined ? { id: x.id } : {}) });
        });
        return part;
      };
      const decideLines = (lines: string[]) => {
        const first = lineNo + 1;
        lineNo += lines.length;
        group.lines += lines.length;
        if (!offload) {
          group.parts.push(decideHere(lines, first));
          return;
        }
        // Lines read together are shared out among the workers, so one request uses every core.
        const pieces = Math.max(1, Math.min(offload.pool.size, Math.floor(lines.length / MIN_PIECE)));
        const size = Math.ceil(lines.length / pieces);
        for (let s = 0; s < lines.length; s += size) {
          const piece = lines.slice(s, s + size);
          group.parts.push(decideInWorker(offload, piece, first + s).catch(() => decideHere(piece, first + s)));
        }
      };
      const textsLine = (texts: DecisionTexts): string => {
        if (textsSent.has(texts.id)) return '';
        textsSent.add(texts.id);
        return JSON.stringify({ texts } satisfies BatchTexts) + '\n';
      };
      const sendGroup = async () => {
        if (group.lines === 0) return;
        const { parts: pending, lines } = group;
        group = { parts: [], lines: 0 };
        // One commit for the whole group: both kinds of decisions are queued in the same turn.
        const committed = Promise.all(pending).then(async (parts) => {
          const answers: Answer[] = [];
          const toLog: ToLog[] = [];
          const serialised: Serialised[] = [];
          for (const p of parts) {
            const base = answers.length;
            answers.push(...p.answers);
            for (const t of p.toLog) toLog.push({ ...t, idx: base + t.idx });
            for (const x of p.serialised) serialised.push({ ...x, idx: base + x.idx });
          }
          const [logged, ids] = await Promise.all([
            toLog.length ? d.decisions.recordLean(toLog.map((t) => ({ caller, policy: t.policy, decision: t.decision, facts: t.facts, subject: t.subject, ...(t.draft ? { draft: t.draft } : {}) }))) : [],
            serialised.length ? d.decisions.recordSerialised(serialised.map((x) => ({ caller, policy: offload!.resolved, asOf: asOfDefault, factsJson: x.line.facts, leanJson: x.line.lean, subject: subjectOf(x.line.id), masked: x.line.masked, subjectKey: x.line.subjectKey }))) : [],
          ]);
          return { answers, toLog, serialised, logged, ids };
        });
        // Awaited below, in order; marked handled here so a failed commit cannot surface as unhandled first.
        committed.catch(() => undefined);
        inFlight++;
        tail = tail
          .then(async () => {
            const { answers, toLog, serialised, logged, ids } = await committed;
            // view=lean: the rule texts each answer refers to, sent before the first answer (in
            // line order) that needs them.
            const needs = new Array<DecisionTexts | undefined>(answers.length);
            toLog.forEach((t, i) => {
              const l = logged[i]!;
              const a = answers[t.idx] as Record<string, unknown>;
              if (!l.texts) {
                Object.assign(a, { decisionId: l.id, decision: t.decision });
                return;
              }
              const head = JSON.stringify({ ...a, decisionId: l.id }).slice(0, -1);
              // Full: the same JSON as the decision's, joined from the rule texts' fragments.
              if (view === 'full') answers[t.idx] = `${head},"decision":${expandedJson(l.lean, l.texts)}}`;
              else {
                answers[t.idx] = `${head},"lean":${l.leanJson}}`;
                needs[t.idx] = l.texts;
              }
            });
            serialised.forEach((x, i) => {
              const head = JSON.stringify({ ...(answers[x.idx] as Record<string, unknown>), decisionId: ids[i] }).slice(0, -1);
              if (x.decision) answers[x.idx] = [`${head},"decision":`, x.decision, '}'];
              else {
                answers[x.idx] = `${head},"lean":${x.line.lean}}`;
                needs[x.idx] = offload!.texts;
              }
            });
            d.metrics.decisions += toLog.length + serialised.length;
            d.metrics.batchLines += lines;
            const pieces: (string | Uint8Array)[] = [];
            for (let i = 0; i < answers.length; i++) {
              const a = answers[i]!;
              if (a === null) continue;
              const texts = needs[i];
              if (texts !== undefined) pieces.push(textsLine(texts));
              if (Array.isArray(a)) pieces.push(...a, '\n');
              else pieces.push((typeof a === 'string' ? a : JSON.stringify(a)) + '\n');
            }
            if (pieces.length) await out.write(utf8(pieces));
          })
          .finally(() => inFlight--);
        tail.catch(() => undefined);
        if (inFlight >= MAX_IN_FLIGHT) await tail;
      };
      if (!body) return;
      const reader = body.getReader();
      // Node's own UTF-8 decoder: keeps a character split across reads whole, and is faster than TextDecoder.
      const decoder = new StringDecoder('utf8');
      const IDLE = Symbol('idle');
      let idleTimer: NodeJS.Timeout | undefined;
      const idle = () => new Promise<typeof IDLE>((resolve) => (idleTimer = setTimeout(() => resolve(IDLE), IDLE_MS)));
      let buf = '';
      let overlong = false;
      for (;;) {
        const reading = reader.read();
        let r: ReadableStreamReadResult<Uint8Array> | typeof IDLE = group.lines > 0 ? await Promise.race([reading, idle()]) : await reading;
        clearTimeout(idleTimer);
        if (r === IDLE) {
          await sendGroup();
          r = await reading;
        }
        const { value, done } = r;
        if (done) break;
        buf += decoder.write(value);
        const parts = buf.split('\n');
        buf = parts.pop()!;
        if (overlong && parts.length) {
          // The rest of an overlong line: drop it, it was reported already.
          parts.shift();
          overlong = false;
        }
        if (buf.length > d.config.batchLineLimit) {
          if (parts.length) decideLines(parts);
          await sendGroup();
          await tail; // earlier answers first
          lineNo++;
          await out.write(JSON.stringify(lineError(lineNo, 'http.payload-too-large', [{ path: `line:${lineNo}`, message: { zh: `单行超过 ${d.config.batchLineLimit} 字节`, en: `line longer than ${d.config.batchLineLimit} bytes` } }])) + '\n');
          buf = '';
          overlong = true;
          continue;
        }
        if (parts.length) decideLines(parts);
        if (group.lines >= GROUP_MAX) await sendGroup();
      }
      buf += decoder.end();
      if (buf && !overlong) decideLines([buf]);
      await sendGroup();
      await tail;
    });
  });
}

type BatchAnswer =
  | { ok: true; policy: ResolvedPolicyLike; decision: Decision; facts: unknown; id?: unknown; draft?: DraftMarker }
  | { ok: false; answer: Record<string, unknown> };

/** What a line leaves out comes from the query; `asOf` is the request's (the query's, or today). */
interface LineDefaults {
  policy?: string;
  version?: string;
  asOf: string;
}

/** A draft read for a request: resolved with its marker, or why not (its details' path is DRAFT_PATH). */
type DraftResolution = { resolved: ResolvedPolicyLike; draft: DraftMarker } | ApiError;
/** The drafts some lines name, by `draftKey`. */
type Drafts = ReadonlyMap<string, DraftResolution>;
/** Stands for a line's `line:<n>/policy` in the errors of a draft read once for many lines. */
const DRAFT_PATH = 'line/policy';

const draftKey = (id: number, asOf: string) => `${id}\u0000${asOf}`;

/**
 * The draft and as-of date a line is to be judged on, when it names one (its own `policy` or the
 * query's); undefined for lines that will be refused before any draft is read.
 */
function draftWanted(text: string, q: LineDefaults): { id: number; asOf: string } | undefined {
  let l: BatchLineV1;
  try {
    l = check(C.BatchLine, parseJson(text));
  } catch {
    return undefined; // answered as a malformed or invalid line
  }
  const m = DRAFT_REF.exec(l.policy ?? q.policy ?? '');
  if (!m || (l.version ?? (l.policy ? undefined : q.version)) !== undefined) return undefined;
  return { id: Number(m[1]), asOf: l.asOf ?? q.asOf };
}

/** A line's draft, after the checks evaluate makes: the caller's role, no version. */
function draftFor(c: Ctx, drafts: Drafts | undefined, id: number, version: string | undefined, asOf: string, path: string) {
  requireDraftEvaluator(c, path);
  if (version) throw draftVersionRefused('http.invalid-body', path.replace(/policy$/, 'version'));
  const r = drafts?.get(draftKey(id, asOf));
  // draftsFor reads every draft a line that passes the checks above names.
  if (r === undefined) throw new Error(`draft ${id} on ${asOf} was not read before ${path}`);
  if (r instanceof ApiError) throw new ApiError(r.status, r.code, r.text, r.details?.map((x) => (x.path === DRAFT_PATH ? { ...x, path } : x)));
  return r;
}

function lineError(line: number, code: MessageCode, details?: ErrorBody['error']['details']) {
  return { line, error: { code, message: msg(code), ...(details?.length ? { details } : {}) } } satisfies BatchUnreadable;
}

function batchLine(
  c: Ctx,
  text: string,
  line: number,
  q: LineDefaults,
  cache: Map<string, ResolvedPolicyLike>,
  drafts: Drafts | undefined,
): BatchAnswer {
  const d = depsOf(c);
  let value: unknown;
  try {
    value = parseJson(text, `line:${line}`);
  } catch (e) {
    // Too deep or not JSON: either way this line cannot be read; the detail says which.
    const details = e instanceof ApiError ? e.details : undefined;
    return { ok: false, answer: lineError(line, 'batch.malformed-line', details) };
  }
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  try {
    const l = check(C.BatchLine, value, `line:${line}`);
    const policy = l.policy ?? q.policy;
    if (!policy) {
      throw ApiError.of(400, 'http.invalid-body', [{ path: `line:${line}/policy`, message: { zh: '缺少政策(查询参数 policy 或行内 policy)', en: 'no policy (query parameter `policy` or `policy` on the line)' } }]);
    }
    const version = l.version ?? (l.policy ? undefined : q.version);
    const asOf = l.asOf ?? q.asOf;
    const m = DRAFT_REF.exec(policy);
    let resolved: ResolvedPolicyLike | undefined;
    let draft: DraftMarker | undefined;
    if (m) {
      ({ resolved, draft } = draftFor(c, drafts, Number(m[1]), version, asOf, `line:${line}/policy`));
      requirePolicyScope(actorOf(c), resolved.ir.id, `line:${line}/policy`);
    } else {
      requirePolicyScope(actorOf(c), policy, `line:${line}/policy`);
      const key = `${policy}\u0000${version ?? ''}\u0000${asOf}`;
      resolved = cache.get(key);
      if (!resolved) {
        resolved = resolvePublished(d, policy, version, asOf, `line:${line}/policy`);
        if (cache.size > 1000) cache.clear();
        cache.set(key, resolved);
      }
    }
    const decision = d.engine.decide(resolved, l.facts, { asOf });
    if (decision.status === 'invalid-facts') throw invalidFacts(decision);
    return { ok: true, policy: resolved, decision, facts: l.facts, id, ...(draft ? { draft } : {}) };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { ok: false, answer: { line, ...(id !== undefined ? { id } : {}), status: e.status, ...e.body() } satisfies BatchFailed };
  }
}

/** Text and UTF-8 bytes as one buffer, for one write. */
function utf8(pieces: readonly (string | Uint8Array)[]): Uint8Array {
  let total = 0;
  for (const p of pieces) total += typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of pieces) {
    if (typeof p === 'string') at += out.write(p, at, 'utf8');
    else {
      out.set(p, at);
      at += p.length;
    }
  }
  return out;
}
