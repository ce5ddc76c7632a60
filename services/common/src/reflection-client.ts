/**
 * A minimal gRPC server reflection client (`grpc.reflection.v1.ServerReflection`), what grpcurl
 * and Postman speak: lists a server's services and fetches the descriptors that define a symbol.
 * Tests use it to prove every sluice port describes itself to clients that have no proto files.
 */
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import type { Client, ClientDuplexStream, ServiceClientConstructor } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

let ctor: ServiceClientConstructor | undefined;

function reflectionClientConstructor(): ServiceClientConstructor {
  if (ctor !== undefined) return ctor;
  const protoFile = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
  const definition = protoLoader.loadSync(protoFile, { keepCase: false, longs: String, enums: String, defaults: true });
  const loaded = loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: ServiceClientConstructor } } };
  };
  ctor = loaded.grpc.reflection.v1.ServerReflection;
  return ctor;
}

async function ask(address: string, request: Record<string, string>, timeoutMs: number): Promise<ReflectionResponse> {
  const client: Client = new (reflectionClientConstructor())(address, credentials.createInsecure());
  try {
    return await new Promise<ReflectionResponse>((resolveAnswer, rejectAnswer) => {
      const stream = (
        client as unknown as {
          ServerReflectionInfo(options: { deadline: Date }): ClientDuplexStream<unknown, ReflectionResponse>;
        }
      ).ServerReflectionInfo({ deadline: new Date(Date.now() + timeoutMs) });
      stream.once('data', (answer: ReflectionResponse) => {
        resolveAnswer(answer);
        stream.end();
      });
      stream.once('error', rejectAnswer);
      stream.write(request);
    });
  } finally {
    client.close();
  }
}

/** The fully qualified services a server lists through reflection, sorted. */
export async function listServicesViaReflection(address: string, timeoutMs = 5_000): Promise<string[]> {
  const answer = await ask(address, { listServices: '' }, timeoutMs);
  if (answer.listServicesResponse === undefined)
    throw new Error(`reflection list_services failed: ${answer.errorResponse?.errorMessage ?? 'no answer'}`);
  return answer.listServicesResponse.service.map((s) => s.name).sort();
}

/** Serialized FileDescriptorProtos of the file defining `symbol` and its dependencies. */
export async function fileDescriptorsViaReflection(
  address: string,
  symbol: string,
  timeoutMs = 5_000,
): Promise<Buffer[]> {
  const answer = await ask(address, { fileContainingSymbol: symbol }, timeoutMs);
  if (answer.fileDescriptorResponse === undefined)
    throw new Error(
      `reflection file_containing_symbol ${symbol} failed: ${answer.errorResponse?.errorMessage ?? 'no answer'}`,
    );
  return answer.fileDescriptorResponse.fileDescriptorProto;
}
