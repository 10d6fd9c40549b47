package dev.sagashop.service.messaging;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Poll a batch, hand it to the handler, commit once the handler says its effects are durable, poll again. If the
 * handler fails, the consumer is moved back to the batch's first offsets and the batch is retried after a backoff:
 * Kafka delivers at least once, and handlers make redelivery harmless. One batch at a time, on the verticle's
 * event loop.
 */
public final class MessageLoop {

  /** Applies a batch; the future completes when its effects are durable. */
  @FunctionalInterface
  public interface BatchHandler {
    Future<Void> handle(List<KafkaConsumerRecord<String, String>> records);
  }

  private static final Logger log = LoggerFactory.getLogger(MessageLoop.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long MAX_BACKOFF_MS = 5_000;
  private static final long SLOW_BATCH_MS = 1_000;

  private final Vertx vertx;
  private final String name;
  private final KafkaConsumer<String, String> consumer;
  private final BatchHandler handler;
  private final Promise<Void> stopped = Promise.promise();
  private final Promise<Void> firstAssignment = Promise.promise();
  private volatile boolean running = true;
  private long backoffMs = 100;

  private MessageLoop(Vertx vertx, String name, KafkaConsumer<String, String> consumer, BatchHandler handler) {
    this.vertx = vertx;
    this.name = name;
    this.consumer = consumer;
    this.handler = handler;
  }

  /** Told of partitions gained or lost, before any batch from the gained ones is handled. */
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
    consumer.partitionsRevokedHandler(rebalance::revoked);
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

  /** Finishes the batch in hand, then closes the consumer (its partitions go to the rest of the group). */
  public Future<Void> stop() {
    running = false;
    return stopped.future().compose(done -> consumer.close());
  }

  private void next() {
    if (!running) {
      stopped.tryComplete();
      return;
    }
    consumer.poll(POLL)
      .compose(this::process)
      .onSuccess(done -> {
        backoffMs = 100;
        next();
      })
      .onFailure(failure -> {
        log.warn("{}: batch failed, retrying in {} ms: {}", name, backoffMs, failure.toString());
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        vertx.setTimer(delay, timer -> next());
      });
  }

  private Future<Void> process(KafkaConsumerRecords<String, String> polled) {
    if (polled.isEmpty()) {
      return Future.succeededFuture();
    }
    List<KafkaConsumerRecord<String, String>> records = new ArrayList<>(polled.size());
    for (int i = 0; i < polled.size(); i++) {
      records.add(polled.recordAt(i));
    }
    long started = System.nanoTime();
    Future<Void> handled;
    try {
      handled = handler.handle(records);
    } catch (RuntimeException e) {
      handled = Future.failedFuture(e);
    }
    return handled
      .onComplete(done -> {
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (millis > SLOW_BATCH_MS) {
          log.warn("{}: a batch of {} took {} ms", name, records.size(), millis);
        }
      })
      .compose(done -> consumer.commit())
      .recover(failure -> rewind(records).transform(rewound -> Future.failedFuture(failure)));
  }

  /** Moves the consumer back to the first offset of each partition in the failed batch. */
  private Future<Void> rewind(List<KafkaConsumerRecord<String, String>> records) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (KafkaConsumerRecord<String, String> record : records) {
      first.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min);
    }
    return Future.join(first.entrySet().stream().map(e -> consumer.seek(e.getKey(), e.getValue())).toList())
      .mapEmpty();
  }
}
