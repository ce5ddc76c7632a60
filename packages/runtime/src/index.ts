export * from './config';
export * from './errors';
export * from './grpc';
export * from './health';
export * from './logger';
export * from './meta-properties';
export * from './metrics';
export * from './proto';
