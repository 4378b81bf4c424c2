// The analysis thread starts as plain JavaScript: register the TypeScript loader, then load it.
// (No esbuild bundle as for the pool: z3-solver loads its Wasm file relative to its own package.)
import { register } from 'tsx/esm/api';

register();
await import('./analysis-worker.ts');
