/**
 * `POST /api/v1/library/sync` (admin): the server's own library folder against what it has
 * published and what its drafts propose; each new policy or version becomes a draft, as
 * `tiaowen library sync` does over the API (./sync.ts holds the plan both use).
 */
import { actorOf, depsOf, route, type App, type AppDeps } from '../context.ts';
import { ApiError } from '../errors.ts';
import * as C from '../contract/wire.ts';
import { jsonBody } from '../validate.ts';
import type { LibrarySyncResponse } from '../wire.ts';
import { readLibrary, runSync, sourceHash, type SyncPort } from './sync.ts';

/** The port on the server's own store: drafts are created as `POST /api/v1/drafts` creates them. */
function storePort(deps: AppDeps, author: string): SyncPort {
  return {
    async remote() {
      const drafts = await deps.store.listDrafts({});
      return {
        versions: deps.policies.records().map((v) => ({ id: v.policyId, version: v.version, hash: v.hash })),
        drafts: drafts.map((d) => {
          // A draft's content hash as a published version's: its IR, base resolved as the server does.
          const ir = deps.policies.compile(d.source, d.format, `draft:${d.id}`).value;
          return { id: d.id, status: d.status, hash: ir ? deps.engine.policyHash(ir) : undefined, sourceHash: sourceHash(d.source) };
        }),
      };
    },
    async propose(v) {
      const d = await deps.store.createDraft({ policyId: v.id, format: v.format, source: v.source, author });
      return d.id;
    },
  };
}

export function libraryRoutes(app: App): void {
  route(app, 'POST /api/v1/library/sync', async (c) => {
    const deps = depsOf(c);
    const body = await jsonBody(c, C.LibrarySyncRequest, { optional: true });
    if (!deps.policiesDir) {
      throw ApiError.of(409, 'library.none', [
        { path: 'server.policies', message: { zh: '服务启动时未指定政策库目录(--policies)', en: 'the server was started without a library folder (--policies)' } },
      ]);
    }
    const { local, problems } = await readLibrary(deps.engine, deps.policiesDir);
    const rows = await runSync(local, problems, storePort(deps, actorOf(c).name), { dryRun: body.dryRun ?? false });
    return c.json<LibrarySyncResponse>({ items: rows });
  });
}
