export * from './murmur2';
export * from './partitioner';
export * from './accumulator-config';
export * from './record-size';
export * from './accumulator';
export * from './errors';
export * from './controller-channel';
export * from './admin';
