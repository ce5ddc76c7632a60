export * from './roles';
export * from './ports';
export * from './wait';
export * from './service-main';
export * from './role-processes';
export type { LocalClusterOptions, RoleOptions, StartOptions } from './options';
export * from './local-cluster';
export * from './minio';
