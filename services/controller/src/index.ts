/** What other packages (CLI, bench) use from the controller: the client and the local-cluster launcher. */
export * from './client/controller-client';
export * from './local/local-cluster';
