// End-to-end latency of Apache Kafka at a target rate, measured the way bench/src/compare-load.ts
// measures every other system: one JVM runs a paced producer and a tailing consumer (assigned to
// every partition, positioned at the end before the first send); System.nanoTime() of the send
// rides in the first 8 bytes of each record and the consumer subtracts it on arrival.
// Run with the source launcher: java -cp '<kafka libs>/*' E2eRate.java BOOTSTRAP TOPIC PARTITIONS RATE SECONDS BYTES ACKS
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class E2eRate {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    int partitions = Integer.parseInt(args[2]);
    double rate = Double.parseDouble(args[3]);
    double seconds = Double.parseDouble(args[4]);
    int bytes = Integer.parseInt(args[5]);
    String acks = args[6];
    long total = Math.round(rate * seconds);

    Properties cp = new Properties();
    cp.put("bootstrap.servers", bootstrap);
    cp.put("key.deserializer", ByteArrayDeserializer.class.getName());
    cp.put("value.deserializer", ByteArrayDeserializer.class.getName());
    cp.put("enable.auto.commit", "false");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) tps.add(new TopicPartition(topic, p));
    consumer.assign(tps);
    consumer.seekToEnd(tps);
    for (TopicPartition tp : tps) consumer.position(tp);

    long[] latencies = new long[(int) total + 16];
    AtomicLong received = new AtomicLong();
    AtomicLong acked = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    final boolean[] producing = {true};
    Thread tail = new Thread(() -> {
      long drainDeadline = Long.MAX_VALUE;
      while (System.nanoTime() < drainDeadline && (producing[0] || received.get() < acked.get())) {
        if (!producing[0] && drainDeadline == Long.MAX_VALUE) drainDeadline = System.nanoTime() + 10_000_000_000L;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.nanoTime();
          int i = (int) received.getAndIncrement();
          if (i < latencies.length) latencies[i] = now - ByteBuffer.wrap(r.value()).getLong(0);
        }
      }
    });
    tail.start();

    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("acks", acks);
    pp.put("key.serializer", ByteArraySerializer.class.getName());
    pp.put("value.serializer", ByteArraySerializer.class.getName());
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);
    byte[] template = new byte[bytes];
    for (int i = 12; i < bytes; i++) template[i] = (byte) (i * 31 + 7);
    long start = System.nanoTime();
    long sent = 0;
    while (sent < total) {
      long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate));
      for (; sent < due; sent++) {
        byte[] value = template.clone();
        ByteBuffer.wrap(value).putLong(0, System.nanoTime()).putInt(8, (int) sent);
        producer.send(new ProducerRecord<>(topic, (int) (sent % partitions), null, value), (meta, e) -> {
          if (e == null) acked.incrementAndGet(); else errors.incrementAndGet();
        });
      }
      Thread.sleep(1);
    }
    producer.flush();
    double produceSeconds = (System.nanoTime() - start) / 1e9;
    producing[0] = false;
    tail.join();
    producer.close();
    consumer.close();
    int n = (int) Math.min(received.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    System.out.printf("RESULT {\"records\":%d,\"seconds\":%.4f,\"received\":%d,\"errors\":%d,\"p50\":%.4f,\"p99\":%.4f,\"p999\":%.4f}%n",
        acked.get(), produceSeconds, n, errors.get(), pct(sorted, 0.5), pct(sorted, 0.99), pct(sorted, 0.999));
  }

  static double pct(long[] sorted, double f) {
    if (sorted.length == 0) return 0;
    int rank = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(f * sorted.length) - 1));
    return sorted[rank] / 1e6;
  }
}
