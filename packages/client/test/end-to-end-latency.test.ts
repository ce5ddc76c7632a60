/** The end-to-end histogram: cumulative buckets per topic, skew counted, topics bounded. */
import { EndToEndLatencyHistogram } from '../src/end-to-end-latency';

describe('EndToEndLatencyHistogram', () => {
  it('keeps cumulative buckets, count and sum per topic', () => {
    const histogram = new EndToEndLatencyHistogram([0.01, 0.1, 1]);
    histogram.observe('orders', 1_000, 1_005); // 5 ms
    histogram.observe('orders', 1_000, 1_050); // 50 ms
    histogram.observe('orders', 1_000, 3_000); // 2 s: above every bound
    histogram.observe('audit', 2_000, 1_990); // skew: -10 ms
    expect(histogram.snapshot()).toEqual([
      {
        topic: 'orders',
        bucketsSeconds: [0.01, 0.1, 1],
        cumulativeCounts: [1, 2, 2],
        count: 3,
        sumSeconds: 2.055,
        negativeCount: 0,
      },
      {
        topic: 'audit',
        bucketsSeconds: [0.01, 0.1, 1],
        cumulativeCounts: [1, 1, 1],
        count: 1,
        sumSeconds: 0,
        negativeCount: 1,
      },
    ]);
    expect(histogram.quantileUpperBoundSeconds('orders', 0.5)).toBe(0.1);
    expect(histogram.quantileUpperBoundSeconds('orders', 0.99)).toBe(Number.POSITIVE_INFINITY);
    expect(histogram.quantileUpperBoundSeconds('nothing', 0.5)).toBeUndefined();
  });

  it('bounds the topics it keeps and refuses bad buckets', () => {
    const histogram = new EndToEndLatencyHistogram([1], 2);
    for (const topic of ['a', 'b', 'c', 'c']) histogram.observe(topic, 0, 1);
    expect(histogram.snapshot().map((s) => s.topic)).toEqual(['a', 'b']);
    expect(histogram.droppedTopics).toBe(2);
    expect(() => new EndToEndLatencyHistogram([])).toThrow(RangeError);
    expect(() => new EndToEndLatencyHistogram([1, 1])).toThrow(RangeError);
    expect(() => new EndToEndLatencyHistogram([1], 0)).toThrow(RangeError);
  });
});
