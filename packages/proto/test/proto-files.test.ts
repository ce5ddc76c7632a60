import { contractPackageDefinition, CONTRACT_PROTO_FILES, findProtoDir, loadProtos, PROTO_DIR_ENV } from '../src';
import { SERVICE_FULL_NAMES, serviceDefinition } from '../src';

// The generator's own file list (every .proto under proto/), so a new file cannot be left out of the runtime's.
const { protoFiles } = require('../scripts/generate.js') as { protoFiles(dir: string): string[] };

describe('proto loading', () => {
  it('finds proto/ from src by walking up to pnpm-workspace.yaml, or from the env override', () => {
    const dir = findProtoDir(__dirname, {});
    expect(dir.endsWith('proto')).toBe(true);
    expect(findProtoDir('/', { [PROTO_DIR_ENV]: dir })).toBe(dir);
    expect(() => findProtoDir('/', {})).toThrow(/SLUICE_PROTO_DIR/);
    expect(() => findProtoDir('/', { [PROTO_DIR_ENV]: '/does/not/exist' })).toThrow(/does not exist/);
  });

  it('loads the health proto and names a missing file', () => {
    expect(Object.keys(loadProtos(['grpc/health/v1/health.proto']))).toContain('grpc.health.v1.Health');
    expect(() => loadProtos(['sluice/v1/missing.proto'])).toThrow(/missing.proto/);
  });

  it('loads every .proto file of the contract, and every service clients call', () => {
    expect([...CONTRACT_PROTO_FILES].sort()).toEqual(protoFiles(findProtoDir()));
    const loaded = Object.keys(contractPackageDefinition());
    for (const fullName of Object.values(SERVICE_FULL_NAMES)) expect(loaded).toContain(fullName);
    expect(loaded).toContain('sluice.v1.TopicPartitions');
  });

  it('keeps the gRPC paths clients already call', () => {
    expect(serviceDefinition('Broker').InitProducerId.path).toBe('/sluice.v1.Broker/InitProducerId');
    expect(serviceDefinition('Controller').FetchMetadata.path).toBe('/sluice.v1.Controller/FetchMetadata');
    expect(serviceDefinition('Coordinator').FindCoordinator.path).toBe('/sluice.v1.Coordinator/FindCoordinator');
    expect(serviceDefinition('RaftPeer').Send.path).toBe('/sluice.v1.RaftPeer/Send');
    expect(serviceDefinition('Health').Check.path).toBe('/grpc.health.v1.Health/Check');
  });
});
