/** Injection tokens for what the controller node hands its gRPC surface. */
export const CONTROLLER_API = Symbol('CONTROLLER_API');
export const METADATA_FEED = Symbol('METADATA_FEED');
export const CONTROLLER_RPC_OPTIONS = Symbol('CONTROLLER_RPC_OPTIONS');

export interface ControllerRpcOptions {
  readonly clusterId: string;
  /** Counts open FetchMetadata streams (metrics). */
  readonly onStream?: (delta: 1 | -1) => void;
}
