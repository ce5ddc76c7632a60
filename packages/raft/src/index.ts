export * from './config';
export * from './errors';
export * from './memory-storage';
export * from './messages';
export * from './raft';
export * from './ready';
export * from './storage';
export * from './types';
