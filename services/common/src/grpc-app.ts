/**
 * Starts a service's Nest application on the sluice gRPC transport and hands back what the
 * service needs next: the bound address (to register with, to print) and a bounded close.
 */
import type { DynamicModule, INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { contractPackageDefinition, contractReflectionDefinition } from '@sluice/proto';
import { SluiceGrpcServer, type SluiceGrpcServerOptions } from './sluice-grpc-server';

export interface GrpcAppOptions extends SluiceGrpcServerOptions {
  /** The service's root module (it imports `SluiceRpcModule.forRoot(...)`). */
  readonly module: Type<unknown> | DynamicModule;
}

export interface GrpcApp {
  readonly app: INestMicroservice;
  readonly port: number;
  /** `host:port` peers dial. */
  readonly address: string;
  /** Closes the Nest application: lifecycle hooks (onApplicationShutdown), then the server. */
  close(): Promise<void>;
}

export async function startGrpcApp(options: GrpcAppOptions): Promise<GrpcApp> {
  const server = new SluiceGrpcServer(options);
  // Nest's own logger stays off: every service logs through pino, and errors surface as thrown
  // exceptions (abortOnError false) instead of a process.exit inside Nest.
  const app = await NestFactory.createMicroservice(options.module, {
    strategy: server,
    logger: false,
    abortOnError: false,
  });
  try {
    await app.listen();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    app,
    port: server.boundPort,
    address: server.address,
    close: () => (closed ??= app.close()),
  };
}

/**
 * A service of the sluice contract: the whole contract loaded once (contractPackageDefinition),
 * and reflection describing it with the exact descriptors `buf build` made.
 */
export function startContractGrpcApp(
  options: Omit<GrpcAppOptions, 'packageDefinition' | 'reflectionDescriptors'>,
): Promise<GrpcApp> {
  return startGrpcApp({
    ...options,
    packageDefinition: contractPackageDefinition(),
    reflectionDescriptors: contractReflectionDefinition(),
  });
}
