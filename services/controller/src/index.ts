/** What other packages (brokers, benches, tests) use from the controller: its client and wire types. */
export * from './client/controller-client';
export type * from './api/proto-types';
