/** Injection token for the CoordinatorApi the coordinator node hands its gRPC surface. */
export const COORDINATOR_API = Symbol('COORDINATOR_API');
