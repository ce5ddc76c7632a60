/** Injection token for the TieringApi the tiering node hands its gRPC surface. */
export const TIERING_API = Symbol('TIERING_API');
