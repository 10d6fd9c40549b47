package dev.sagashop.messaging;

import dev.sagashop.contracts.SagaMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends saga messages so that one saga's messages keep their order: each goes to the partition its saga id picks,
 * as Kafka's own partitioner would pick it for that key. The messages one event-loop turn sends to one partition
 * travel as one record (a batch): a coordinator's poll, a participant's replies to a poll, the checkouts an order
 * service starts at once. Every verticle of a process shares one Kafka producer: one send queue and one network
 * thread instead of one each. A message's future completes once the broker has acknowledged the record carrying it.
 */
public final class SagaProducer {

  private static final String SHARED = "saga-shop-producer";
  /** Records stay well below Kafka's default 1 MB message size limit. */
  private static final int MAX_RECORD_CHARS = 256 * 1024;
  /** Partition counts are looked up again after this long, in case partitions were added. */
  private static final long PARTITIONS_FRESH_MS = 60_000;

  /** A message and where it goes. */
  public record Outgoing(String topic, SagaMessage message) {
  }

  private record Queued(String key, String encoded, Promise<Void> sent) {
  }

  /** A topic's partition count, or the look-up of it in flight: later sends wait behind it, in order. */
  private record Partitions(Future<Integer> count, long lookedUpAt) {
  }

  /** What a record may take of the producer's buffer: a batch of its own, or its bytes (chars are 1-4 bytes). */
  private static final long BATCH_BYTES = 16 * 1024;
  /** Half of the producer's default buffer ({@code buffer.memory}, 32 MB). */
  private static final long DIRECT_BYTES = 16L * 1024 * 1024;
  /** The records this process's verticles handed to the shared producer from their event loops, not yet acked. */
  private static final AtomicLong inFlightBytes = new AtomicLong();

  private final Context context;
  private final KafkaProducer<String, String> producer;
  private final Map<String, Partitions> partitions = new HashMap<>();
  /** Messages waiting for this event-loop turn to end, per topic, in the order they were sent. */
  private final Map<String, List<Queued>> queued = new LinkedHashMap<>();
  private boolean flushing;
  /** Records sent through the worker thread and not yet acknowledged. */
  private int viaWorker;

  /** A producer for the calling verticle, used on its context. */
  public SagaProducer(Vertx vertx, JsonObject config) {
    this(vertx, KafkaProducer.createShared(vertx, SHARED,
      KafkaSettings.producer(config, SHARED + "-" + ProcessHandle.current().pid())));
  }

  SagaProducer(Vertx vertx, KafkaProducer<String, String> producer) {
    this.context = vertx.getOrCreateContext();
    this.producer = producer;
  }

  /** Sends the message once the current event-loop turn is over, with whatever else it sends to its partition. */
  public Future<Void> send(String topic, SagaMessage message) {
    Queued entry = new Queued(message.sagaId(), message.encode(), Promise.promise());
    queued.computeIfAbsent(topic, t -> new ArrayList<>()).add(entry);
    if (!flushing) {
      flushing = true;
      context.runOnContext(turnOver -> flush());
    }
    return entry.sent().future();
  }

  /** Completes once every message is acknowledged by the broker. */
  public Future<Void> sendAll(List<Outgoing> messages) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.all(messages.stream().map(out -> send(out.topic(), out.message())).toList()).mapEmpty();
  }

  /** Sends a raw record as it is (a dead letter keeps the bytes it came with). */
  public Future<Void> sendRaw(String topic, String key, String value) {
    return producer.send(KafkaProducerRecord.create(topic, key, value)).mapEmpty();
  }

  /** Lets go of the shared producer; it closes with its last user. */
  public Future<Void> close() {
    return producer.close();
  }

  private void flush() {
    flushing = false;
    Map<String, List<Queued>> topics = new LinkedHashMap<>(queued);
    queued.clear();
    topics.forEach((topic, messages) -> partitions(topic).onComplete(counted -> {
      if (counted.failed()) {
        messages.forEach(message -> message.sent().fail(counted.cause()));
        return;
      }
      Map<Integer, List<Queued>> byPartition = new LinkedHashMap<>();
      for (Queued message : messages) {
        byPartition.computeIfAbsent(partitionOf(message.key(), counted.result()), p -> new ArrayList<>()).add(message);
      }
      byPartition.forEach((partition, batch) -> sendRecords(topic, partition, batch));
    }));
  }

  /** One record per run of messages that fits in a record. */
  private void sendRecords(String topic, int partition, List<Queued> batch) {
    int from = 0;
    while (from < batch.size()) {
      int to = from;
      int chars = 0;
      List<String> values = new ArrayList<>();
      while (to < batch.size() && (to == from || chars + batch.get(to).encoded().length() < MAX_RECORD_CHARS)) {
        chars += batch.get(to).encoded().length();
        values.add(batch.get(to).encoded());
        to++;
      }
      List<Queued> carried = batch.subList(from, to);
      send(topic, partition, carried.get(0).key(), SagaMessage.encodeBatch(values), chars)
        .onComplete(acked -> carried.forEach(message -> message.sent().handle(acked)));
      from = to;
    }
  }

  /**
   * Hands a record to the Kafka producer. Its {@code send} blocks only while it has no metadata for the partition
   * (looked up before the first send to a topic) or no room in its buffer, so a record goes straight from the event
   * loop while the records in flight leave plenty of room; otherwise, and until those sent that way are acknowledged
   * (a record must never pass one sent before it), through the Vert.x client's worker thread, which may block.
   */
  private Future<Void> send(String topic, int partition, String key, String value, int chars) {
    long size = Math.max(BATCH_BYTES, 4L * chars);
    if (viaWorker > 0 || inFlightBytes.get() + size > DIRECT_BYTES) {
      viaWorker++;
      return producer.send(KafkaProducerRecord.create(topic, key, value, null, partition)).<Void>mapEmpty()
        .andThen(acked -> viaWorker--);
    }
    inFlightBytes.addAndGet(size);
    Promise<Void> acked = Promise.promise();
    try {
      producer.unwrap().send(new ProducerRecord<>(topic, partition, key, value), (metadata, failure) -> {
        inFlightBytes.addAndGet(-size);
        context.runOnContext(back -> acked.handle(failure == null ? Future.succeededFuture()
          : Future.failedFuture(failure)));
      });
    } catch (RuntimeException e) {
      inFlightBytes.addAndGet(-size);
      acked.fail(e);
    }
    return acked.future();
  }

  private Future<Integer> partitions(String topic) {
    Partitions known = partitions.get(topic);
    long now = System.currentTimeMillis();
    if (known == null || now - known.lookedUpAt() >= PARTITIONS_FRESH_MS && known.count().isComplete()) {
      Future<Integer> previous = known == null ? null : known.count();
      Future<Integer> count = producer.partitionsFor(topic).map(List::size)
        .recover(failure -> previous != null && previous.succeeded() ? previous : Future.failedFuture(failure));
      Partitions lookUp = new Partitions(count, now);
      partitions.put(topic, lookUp);
      // A failed look-up is tried again by the next send.
      count.onFailure(failure -> partitions.remove(topic, lookUp));
      return count;
    }
    return known.count();
  }

  /** The partition Kafka's default partitioner gives a record keyed {@code key}. */
  static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
