package dev.sagashop.messaging;

import dev.sagashop.contracts.Meters;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Poll a batch, hand it to the handler, poll again — and commit offsets only behind batches whose effects are
 * durable. The next poll goes out as soon as the handler has the batch, so its records are at hand when the batch's
 * effects are durable. A handler answers in two steps: when its effects are durable (the next batch may be handled),
 * and when the batch may be committed (say, once its replies are acknowledged); in between, the loop already works on
 * the next batch. Offsets are committed at most every {@value #COMMIT_EVERY_MS} ms. If either step fails, the
 * consumer goes back to the oldest uncommitted batch and everything from there is delivered again after a backoff:
 * Kafka delivers at least once, and handlers make redelivery harmless. One batch is handled at a time, on the
 * verticle's context.
 */
public final class MessageLoop {

  /** Applies a batch. */
  @FunctionalInterface
  public interface BatchHandler {
    /**
     * Completes when the batch's effects are durable, with a future that completes when its offsets may be
     * committed.
     */
    Future<Future<Void>> handle(List<KafkaConsumerRecord<String, String>> records);
  }

  /**
   * Told of partitions gained or lost, before any batch from the gained ones is handled. A partition may be lost
   * while a batch with its records is still being handled (the poll that runs meanwhile rebalances).
   */
  public interface Rebalance {
    void assigned(Set<TopicPartition> partitions);

    void revoked(Set<TopicPartition> partitions);
  }

  private static final Rebalance NOTHING = new Rebalance() {
    @Override
    public void assigned(Set<TopicPartition> partitions) {
    }

    @Override
    public void revoked(Set<TopicPartition> partitions) {
    }
  };

  private static final Logger log = LoggerFactory.getLogger(MessageLoop.class);
  private static final Duration POLL = Duration.ofMillis(100);
  /** Short: a loop that waits out a long backoff after its dependency is back holds every saga behind it. */
  private static final long MAX_BACKOFF_MS = 1_000;
  private static final long SLOW_BATCH_MS = 1_000;
  static final long COMMIT_EVERY_MS = 1_000;

  /** A handled batch: where it starts and ends per partition, and whether it may be committed yet. */
  private static final class Batch {
    final Map<TopicPartition, Long> first = new HashMap<>();
    final Map<TopicPartition, Long> next = new HashMap<>();
    boolean committable;
  }

  private final Vertx vertx;
  private final String name;
  private final KafkaConsumer<String, String> consumer;
  private final BatchHandler handler;
  private final Promise<Void> stopped = Promise.promise();
  private final Promise<Void> firstAssignment = Promise.promise();
  private final Gauge lag;
  /** Handled batches not yet committed, oldest first. */
  private final Deque<Batch> uncommitted = new ArrayDeque<>();
  /** Offsets ready to commit, and whether a commit is scheduled or running. */
  private final Map<TopicPartition, Long> toCommit = new HashMap<>();
  private boolean committing;
  /** Bumped on every rewind, so completions of batches from before it are ignored. */
  private long generation;
  /** The poll and handling in progress; a rewind waits for it, so no two batches are ever handled at once. */
  private Future<Void> current = Future.succeededFuture();
  /** The poll issued while the batch in hand is made durable, so its records are ready when that batch is. */
  private Future<KafkaConsumerRecords<String, String>> prefetched;
  /**
   * Per partition, the first record a rewind dropped unhandled (polled, not yet handed over): the consumer's position
   * is past it, so the rewind seeks back to it too, also where no uncommitted batch holds that partition.
   */
  private final Map<TopicPartition, Long> dropped = new HashMap<>();
  private volatile boolean running = true;
  private long backoffMs = 100;

  private MessageLoop(Vertx vertx, String name, KafkaConsumer<String, String> consumer, BatchHandler handler) {
    this.vertx = vertx;
    this.name = name;
    this.consumer = consumer;
    this.handler = handler;
    // The consumer's own figure (the largest lag over its partitions, recent samples); reading it takes no lock. A
    // loop that replaces a crashed one takes its place on the gauge.
    Meters.registry().find(Meters.KAFKA_CONSUMER_LAG).tag("consumer", name).meters().forEach(Meters.registry()::remove);
    this.lag = Gauge.builder(Meters.KAFKA_CONSUMER_LAG, consumer, MessageLoop::lagOf).tag("consumer", name)
      .description("Records behind the end of the consumer's partitions, the largest of them")
      .register(Meters.registry());
  }

  /** Subscribes {@code consumer} to {@code topics} and loops on the caller's context. */
  public static Future<MessageLoop> start(Vertx vertx, String name, KafkaConsumer<String, String> consumer,
                                          List<String> topics, BatchHandler handler) {
    return start(vertx, name, consumer, topics, handler, NOTHING);
  }

  /**
   * Subscribes and loops; completes once the group has given this consumer its partitions (or after a minute, with
   * a warning: the loop goes on and picks them up when they come), so a deployed verticle is really consuming.
   */
  public static Future<MessageLoop> start(Vertx vertx, String name, KafkaConsumer<String, String> consumer,
                                          List<String> topics, BatchHandler handler, Rebalance rebalance) {
    MessageLoop loop = new MessageLoop(vertx, name, consumer, handler);
    // Vert.x runs these on our context, queued before the poll result that follows the rebalance.
    consumer.partitionsAssignedHandler(partitions -> {
      rebalance.assigned(partitions);
      loop.firstAssignment.tryComplete();
    });
    consumer.partitionsRevokedHandler(partitions -> {
      loop.forget(partitions);
      rebalance.revoked(partitions);
    });
    long deadline = vertx.setTimer(60_000, timer -> {
      if (loop.firstAssignment.tryComplete()) {
        log.warn("{}: no partitions assigned within 60 s; carrying on", name);
      }
    });
    return consumer.subscribe(new HashSet<>(topics))
      .compose(subscribed -> {
        loop.next();
        return loop.firstAssignment.future();
      })
      .map(assigned -> {
        vertx.cancelTimer(deadline);
        return loop;
      });
  }

  /** Finishes the batch in hand and commits what may be, then closes the consumer. */
  public Future<Void> stop() {
    running = false;
    Meters.registry().remove(lag);
    return stopped.future().compose(done -> commitNow()).eventually(consumer::close);
  }

  private static double lagOf(KafkaConsumer<String, String> consumer) {
    for (Map.Entry<MetricName, ? extends Metric> metric : consumer.unwrap().metrics().entrySet()) {
      if (metric.getKey().name().equals("records-lag-max") && metric.getKey().tags().containsKey("client-id")
        && !metric.getKey().tags().containsKey("topic")) {
        Object value = metric.getValue().metricValue();
        return value instanceof Number number && !Double.isNaN(number.doubleValue()) ? number.doubleValue() : 0;
      }
    }
    return 0;
  }

  private void next() {
    if (!running) {
      stopped.tryComplete();
      return;
    }
    long at = generation;
    Future<KafkaConsumerRecords<String, String>> poll = prefetched != null ? prefetched : consumer.poll(POLL);
    prefetched = null;
    current = poll.compose(polled -> {
      if (at == generation) {
        return process(polled, at);
      }
      drop(polled);
      return Future.succeededFuture();
    });
    current.onComplete(done -> {
      if (at != generation) {
        return; // a rewind took over, and restarts the loop
      }
      if (done.succeeded()) {
        backoffMs = 100;
        next();
      } else {
        rewindAndRetry(done.cause(), at);
      }
    });
  }

  private Future<Void> process(KafkaConsumerRecords<String, String> polled, long at) {
    if (polled.isEmpty()) {
      return Future.succeededFuture();
    }
    List<KafkaConsumerRecord<String, String>> records = new ArrayList<>(polled.size());
    Batch batch = new Batch();
    for (int i = 0; i < polled.size(); i++) {
      KafkaConsumerRecord<String, String> record = polled.recordAt(i);
      records.add(record);
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      batch.first.merge(partition, record.offset(), Math::min);
      batch.next.merge(partition, record.offset() + 1, Math::max);
    }
    uncommitted.addLast(batch);
    long started = System.nanoTime();
    Future<Future<Void>> handled;
    try {
      handled = handler.handle(records);
    } catch (RuntimeException e) {
      handled = Future.failedFuture(e);
    }
    if (running && !handled.failed()) {
      prefetched = consumer.poll(POLL);
    }
    return handled.map(committable -> {
      long millis = (System.nanoTime() - started) / 1_000_000;
      if (millis > SLOW_BATCH_MS) {
        log.warn("{}: a batch of {} took {} ms", name, records.size(), millis);
      }
      committable.onComplete(done -> {
        if (at != generation) {
          return;
        }
        if (done.succeeded()) {
          batch.committable = true;
          advanceCommit();
        } else {
          rewindAndRetry(done.cause(), at);
        }
      });
      return null;
    });
  }

  /** Moves every committable batch at the head into the next commit, and schedules it. */
  private void advanceCommit() {
    while (!uncommitted.isEmpty() && uncommitted.peekFirst().committable) {
      toCommit.putAll(uncommitted.pollFirst().next);
    }
    if (!toCommit.isEmpty() && !committing) {
      committing = true;
      vertx.setTimer(COMMIT_EVERY_MS, timer -> commitNow().onComplete(done -> {
        committing = false;
        if (!toCommit.isEmpty()) {
          advanceCommit();
        }
      }));
    }
  }

  private Future<Void> commitNow() {
    if (toCommit.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    toCommit.forEach((partition, offset) -> offsets.put(partition, new OffsetAndMetadata(offset, "")));
    toCommit.clear();
    // A failed commit is harmless: a later one covers it, or the batches are delivered again.
    return consumer.commit(offsets).<Void>mapEmpty().recover(failure -> {
      log.debug("{}: commit failed: {}", name, failure.toString());
      return Future.succeededFuture();
    });
  }

  /**
   * Goes back to the oldest uncommitted batch and, after a backoff, delivers everything from there again. Waits for
   * the batch in hand first: a command must never be applied twice at the same time.
   */
  private void rewindAndRetry(Throwable failure, long at) {
    if (at != generation) {
      return;
    }
    generation++;
    Future<KafkaConsumerRecords<String, String>> ahead = prefetched == null ? Future.succeededFuture() : prefetched;
    prefetched = null;
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    log.warn("{}: batch failed, going back {} batches and retrying in {} ms: {}", name, uncommitted.size(), delay,
      failure.toString());
    current.transform(settled -> ahead).transform(polled -> {
      if (polled.succeeded()) {
        drop(polled.result());
      }
      Map<TopicPartition, Long> first = new HashMap<>(dropped);
      dropped.clear();
      for (Batch batch : uncommitted) {
        batch.first.forEach((partition, offset) -> first.merge(partition, offset, Math::min));
      }
      uncommitted.clear();
      // What is already in toCommit lies behind every uncommitted batch, so it is still committed (also on stop):
      // delivering it again would only hand a crashed handler more to get through.
      return Future.join(first.entrySet().stream().map(e -> consumer.seek(e.getKey(), e.getValue())).toList());
    }).onComplete(rewound -> vertx.setTimer(delay, timer -> next()));
  }

  /** Records polled and not handed over, as a rewind took over: the rewind must read them again. */
  private void drop(KafkaConsumerRecords<String, String> polled) {
    if (polled == null) {
      return; // no poll was ahead
    }
    for (int i = 0; i < polled.size(); i++) {
      KafkaConsumerRecord<String, String> record = polled.recordAt(i);
      dropped.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min);
    }
  }

  /** Partitions that went to another member: their uncommitted batches are now its to deliver again. */
  private void forget(Set<TopicPartition> partitions) {
    toCommit.keySet().removeAll(partitions);
    dropped.keySet().removeAll(partitions);
    for (Batch batch : uncommitted) {
      partitions.forEach(partition -> {
        batch.first.remove(partition);
        batch.next.remove(partition);
      });
    }
  }
}
