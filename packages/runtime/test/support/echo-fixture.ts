/**
 * The test-only `test.v1.Echo` service (fixtures/test/v1/echo.proto), loaded with the contract's
 * loader options. It is not part of the contract, so nothing is generated for it: its client is
 * typed here as proto-loader-gen-types would type it, which is what `unaryCall` needs.
 */
import { join } from 'node:path';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import type {
  ChannelCredentials,
  ChannelOptions,
  Client,
  ClientUnaryCall,
  requestCallback,
  ServiceDefinition,
} from '@grpc/grpc-js';
import { DEFAULT_CHANNEL_OPTIONS, loadProtos } from '@sluice/proto';

export const ECHO_FIXTURES_DIR = join(__dirname, '..', 'fixtures');
export const ECHO_PROTO_FILE = 'test/v1/echo.proto';

/** What the Echo server receives (defaults filled, int64 as a string). */
export interface EchoRequest__Output {
  text: string;
  bigNumber: string;
  payload: Buffer;
  failWith: string;
}

export type EchoRequest = Partial<EchoRequest__Output>;

export interface EchoResponse__Output {
  text: string;
  bigNumber: string;
  payload: Buffer;
}

export interface EchoClient extends Client {
  Echo(argument: EchoRequest, callback: requestCallback<EchoResponse__Output>): ClientUnaryCall;
}

type EchoClientConstructor = (new (
  address: string,
  credentials: ChannelCredentials,
  options?: ChannelOptions,
) => EchoClient) & { readonly service: ServiceDefinition };

export function echoClientConstructor(): EchoClientConstructor {
  const loaded = loadPackageDefinition(loadProtos([ECHO_PROTO_FILE], ECHO_FIXTURES_DIR)) as unknown as {
    test: { v1: { Echo: EchoClientConstructor } };
  };
  return loaded.test.v1.Echo;
}

export function createEchoClient(address: string): EchoClient {
  const Echo = echoClientConstructor();
  return new Echo(address, credentials.createInsecure(), { ...DEFAULT_CHANNEL_OPTIONS });
}
