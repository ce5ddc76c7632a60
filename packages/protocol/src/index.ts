export * from './batch-layout';
export * from './batch-view';
export * from './crc32c';
export * from './errors';
export * from './int64';
