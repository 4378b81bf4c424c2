/** The node-only entry of the engine: everything in index.ts plus loading policies from disk. */
export * from './index.ts';
export { loadPolicyDir, type LoadedFile } from './library/load.ts';
