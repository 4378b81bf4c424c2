/**
 * The encoding agrees with the reference interpreter: on records built from each library policy's
 * constants, Z3 with every fact pinned to the record gives each rule the interpreter's raw
 * condition value (true / false / undetermined) and its final status after exceptions. This
 * holds the three-valued encoding, parameters by date, calendar months, working days, lists and
 * money rounding to the interpreter on real policies.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyDir } from '../../../engine/node.ts';
import { parseDate } from '../../../engine/values/index.ts';
import { shutdownSolver } from '../../../engine/analysis/index.ts';
import { solverContext, checkSat } from '../../../engine/analysis/solver.ts';
import { Encoder, Unsupported, World } from '../../../engine/analysis/encode.ts';
import { finalStatuses } from '../../../engine/analysis/analyze.ts';
import { sampleRecords } from '../../../engine/analysis/probe.ts';
import { replay } from '../../../engine/analysis/replay.ts';

afterAll(async () => {
  await shutdownSolver();
});

const ROOT = path.resolve(import.meta.dirname, '../../../policies');

describe('the encoding agrees with the interpreter', () => {
  it('on every library policy, record by record', { timeout: 180_000 }, async () => {
    const z = await solverContext();
    const { library } = await loadPolicyDir(ROOT);
    let compared = 0;
    const seenResults = new Set<string>();
    for (const id of library.ids()) {
      for (const v of library.versions(id)) {
        const ir = library.resolve(id, { version: v.version, asOf: v.effectiveFrom }).value!.ir;
        const w = new World(z, 3, 'bounded');
        const enc = new Encoder(ir, w);
        const skip = new Set<string>();
        for (const r of ir.rules) {
          try {
            enc.condition(r);
          } catch (e) {
            if (!(e instanceof Unsupported)) throw e;
            skip.add(r.id);
          }
        }
        expect([...skip], id).toEqual([]);
        const finals = finalStatuses(z, enc, ir);
        const from = parseDate(v.effectiveFrom)!;
        for (const record of sampleRecords(ir, { from, until: from + 3650 }, 4, 7)) {
          const d = replay(ir, record, true);
          if (d.status !== 'ok') continue;
          const pins = w.pin(record);
          if (!pins) continue;
          const r = await checkSat(z, [...w.constraints, ...w.allDefinitions(), ...pins], 20_000);
          // unsat would mean the encoding contradicts a real record (a bug); unknown (a busy machine) skips it.
          expect(r.status, `${id} ${JSON.stringify(record)}`).not.toBe('unsat');
          if (r.status !== 'sat') continue;
          const holds = (b: Parameters<typeof r.model.eval>[0]) => z.isTrue(r.model.eval(b, true));
          for (const t of d.trace!) {
            const rule = ir.rules.find((x) => x.id === t.ruleId);
            if (!rule) continue; // disabled base rules
            const c = enc.condition(rule);
            const raw = holds(c.t) ? true : holds(c.f) ? false : 'undetermined';
            expect(raw, `${id} ${rule.id} ${JSON.stringify(record)}`).toBe(t.condition.result);
            const f = finals.get(rule.id)!;
            const status = holds(f.fired) ? 'fired' : holds(f.notFired) ? 'not-fired' : holds(f.suppressed) ? 'suppressed' : 'undetermined';
            expect(status, `${id} ${rule.id} final`).toBe(t.result);
            seenResults.add(String(t.condition.result));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
    expect([...seenResults].sort()).toEqual(['false', 'true', 'undetermined']);
  });
});
