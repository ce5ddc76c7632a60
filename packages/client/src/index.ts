export * from './murmur2';
export * from './partitioner';
