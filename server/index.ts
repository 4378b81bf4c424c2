/**
 * `tiaowen/server`: the server as a library. `startServer` opens a store and listens (what
 * `tiaowen serve` runs); `createApp` + `prepareDeps` give the Hono app over an open `Store` for
 * embedding it in another Node HTTP server or testing it with `app.request()`.
 */
export { createApp, prepareDeps, DEFAULT_CONFIG, type AppDeps, type ServerConfig } from './app.ts';
export { startServer, StartupError, readConfigFile, type StartOptions, type RunningServer } from './main.ts';
export { Store, systemClock, type Clock } from './store/store.ts';
export { bundlePaths, bundleSchemas } from './bundles/contract.ts';
