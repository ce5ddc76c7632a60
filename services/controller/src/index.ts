/** What other packages (benches, tests) use from the controller: its client. The wire types are @sluice/proto's. */
export * from './client/controller-client';
