/**
 * @sluice/proto: the bottom layer of the wire. proto/ is the only contract; this package holds
 * the TypeScript generated from it (`X` is what a caller may send, `X__Output` what arrives),
 * the loader, typed service definitions and clients, typed unary calls and the Kafka-named error
 * mapping both sides of the wire share. No framework: grpc-js, proto-loader and @sluice/protocol.
 */
export * from './generated';
export * from './proto-files';
export * from './services';
export * from './channel';
export * from './client-pool';
export * from './calls';
export * from './errors';
export * from './reflection-descriptors';
export * from './channel-security';
export * from './fetch-response-encoder';
export * from './share-fetch-response-encoder';
export * from './produce-request-encoder';
export * from './stream-message-decoders';
export * from './schema-encoder';
