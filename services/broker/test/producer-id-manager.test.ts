import { MAX_PRODUCER_EPOCH, ProducerIdManager } from '../src/node/producer-id-manager';

describe('ProducerIdManager', () => {
  it('hands out ids from controller blocks, sharing one allocation between concurrent callers', async () => {
    const blocks = [
      { start: 0, length: 3 },
      { start: 1_000, length: 3 },
    ];
    let calls = 0;
    const manager = new ProducerIdManager(async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return blocks.shift()!;
    });
    const ids = await Promise.all(
      Array.from({ length: 5 }, () => manager.initProducerId({ producerId: -1, producerEpoch: -1 })),
    );
    expect(ids.map((a) => a.producerId).sort((a, b) => a - b)).toEqual([0, 1, 2, 1_000, 1_001]);
    expect(ids.every((a) => a.producerEpoch === 0)).toBe(true);
    expect(calls).toBe(2);
  });

  it('bumps the epoch of a known producer (KIP-360) and gives a new id at the last epoch', async () => {
    const manager = new ProducerIdManager(async () => ({ start: 500, length: 10 }));
    expect(await manager.initProducerId({ producerId: 7, producerEpoch: 3 })).toEqual({
      producerId: 7,
      producerEpoch: 4,
    });
    expect(await manager.initProducerId({ producerId: 7, producerEpoch: MAX_PRODUCER_EPOCH })).toEqual({
      producerId: 500,
      producerEpoch: 0,
    });
  });

  it('refuses a malformed identity and a bad block with named errors', async () => {
    const manager = new ProducerIdManager(async () => ({ start: -5, length: 0 }));
    await expect(manager.initProducerId({ producerId: 7, producerEpoch: -1 })).rejects.toMatchObject({
      errorName: 'INVALID_REQUEST',
    });
    await expect(manager.initProducerId({ producerId: -1, producerEpoch: -1 })).rejects.toMatchObject({
      errorName: 'UNKNOWN_SERVER_ERROR',
    });
  });
});
