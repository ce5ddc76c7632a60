/** TypeScript shapes of proto/sluice/v1/broker.proto: the client SDK owns them; the broker serves the same. */
export type * from '@sluice/client/dist/broker-api';
