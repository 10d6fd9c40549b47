package dev.sagashop.messaging;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The loop's offset bookkeeping, over Kafka's own in-memory consumer made to behave like a partition's log (a
 * record stays readable after a seek back). No broker: what is checked is what the loop commits and re-reads.
 */
class MessageLoopTest {

  private static final TopicPartition PARTITION = new TopicPartition("commands", 0);
  private static final TopicPartition OTHER = new TopicPartition("commands", 1);

  /** A MockConsumer whose records stay in a log per partition, so seeking back reads them again, as from a broker. */
  private static final class LogConsumer extends MockConsumer<String, String> {
    private final Map<TopicPartition, List<ConsumerRecord<String, String>>> logs = Map.of(PARTITION, new ArrayList<>(),
      OTHER, new ArrayList<>());

    LogConsumer() {
      super(OffsetResetStrategy.EARLIEST);
    }

    synchronized void append(String value) {
      append(PARTITION, value);
    }

    synchronized void append(TopicPartition partition, String value) {
      List<ConsumerRecord<String, String>> log = logs.get(partition);
      log.add(new ConsumerRecord<>(partition.topic(), partition.partition(), log.size(), "key", value));
    }

    @Override
    public synchronized ConsumerRecords<String, String> poll(Duration timeout) {
      for (TopicPartition partition : assignment()) {
        long position = position(partition);
        logs.get(partition).stream().filter(record -> record.offset() >= position).forEach(this::addRecord);
      }
      ConsumerRecords<String, String> records = super.poll(timeout);
      if (records.isEmpty()) {
        try {
          Thread.sleep(5); // a real poll waits; this keeps the loop from spinning
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return records;
    }

    synchronized Long committedOffset() {
      OffsetAndMetadata committed = committed(Set.of(PARTITION)).get(PARTITION);
      return committed == null ? null : committed.offset();
    }
  }

  private Vertx vertx;
  private LogConsumer kafka;
  private MessageLoop loop;
  /** Offsets of every record of the first partition handed to the handler, in order. */
  private final List<Long> handled = new CopyOnWriteArrayList<>();
  /** Values of every record handed to the handler, in order. */
  private final List<String> values = new CopyOnWriteArrayList<>();

  @BeforeEach
  void consumer() {
    vertx = Vertx.vertx();
    kafka = new LogConsumer();
    kafka.updateBeginningOffsets(Map.of(PARTITION, 0L, OTHER, 0L));
    kafka.schedulePollTask(() -> kafka.rebalance(List.of(PARTITION, OTHER)));
  }

  @AfterEach
  void stop() {
    if (loop != null) {
      vertx.runOnContext(v -> loop.stop());
    }
    vertx.close().await();
  }

  private void start(MessageLoop.BatchHandler handler) {
    Promise<MessageLoop> started = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> MessageLoop.start(vertx, "test",
      KafkaConsumer.create(vertx, kafka), List.of(PARTITION.topic()), records -> {
        records.stream().filter(record -> record.partition() == PARTITION.partition())
          .forEach(record -> handled.add(record.offset()));
        records.forEach(record -> values.add(record.value()));
        return handler.handle(records);
      }).onComplete(started));
    loop = started.future().await();
  }

  /** A handler whose batches are durable at once and committable when the test completes their promise. */
  private List<Promise<Void>> startHoldingCommits() {
    List<Promise<Void>> committable = new CopyOnWriteArrayList<>();
    start(records -> {
      Promise<Void> mayCommit = Promise.promise();
      committable.add(mayCommit);
      return Future.succeededFuture(mayCommit.future());
    });
    return committable;
  }

  private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  @DisplayName("offsets are committed only behind batches that may be committed, oldest first")
  void commitsBehindTheOldestUnfinishedBatch() throws InterruptedException {
    List<Promise<Void>> committable = startHoldingCommits();
    kafka.append("a");
    waitFor("the first batch", () -> committable.size() == 1);
    kafka.append("b");
    waitFor("the second batch", () -> committable.size() == 2);

    vertx.runOnContext(v -> committable.get(1).complete());
    Thread.sleep(MessageLoop.COMMIT_EVERY_MS + 300);
    assertNull(kafka.committedOffset(), "the later batch may not be committed while the earlier one may not");

    vertx.runOnContext(v -> committable.get(0).complete());
    waitFor("the commit of both batches", () -> Long.valueOf(2).equals(kafka.committedOffset()));
    assertEquals(List.of(0L, 1L), handled, "each record handled once");
  }

  @Test
  @DisplayName("a failed batch rewinds to the oldest uncommitted record and is delivered again, then committed")
  void failedBatchIsDeliveredAgain() throws InterruptedException {
    List<Integer> calls = new CopyOnWriteArrayList<>();
    kafka.append("a");
    kafka.append("b");
    start(records -> {
      calls.add(records.size());
      return calls.size() == 1 ? Future.failedFuture(new IllegalStateException("the database is away"))
        : Future.succeededFuture(Future.succeededFuture());
    });
    waitFor("the commit after the retry", () -> Long.valueOf(2).equals(kafka.committedOffset()));
    assertEquals(List.of(0L, 1L, 0L, 1L), handled, "both records again, from the first");
  }

  @Test
  @DisplayName("a batch whose commit step fails is delivered again; what was committable before it stays committed")
  void rewindKeepsWhatLiesBehind() throws InterruptedException {
    List<Promise<Void>> committable = startHoldingCommits();
    kafka.append("a");
    waitFor("the first batch", () -> committable.size() == 1);
    vertx.runOnContext(v -> committable.get(0).complete());
    kafka.append("b");
    waitFor("the second batch", () -> committable.size() == 2);
    vertx.runOnContext(v -> committable.get(1).fail(new IllegalStateException("reply not acknowledged")));
    waitFor("the second batch again", () -> committable.size() == 3);
    assertEquals(List.of(0L, 1L, 1L), handled, "only the failed batch comes again");
    vertx.runOnContext(v -> committable.get(2).complete());
    waitFor("the commit of both", () -> Long.valueOf(2).equals(kafka.committedOffset()));
    assertEquals(3, handled.size(), "nothing delivered a third time");
  }

  @Test
  @DisplayName("records polled while a batch is written, of a partition no uncommitted batch holds, come again when "
    + "that batch fails")
  void recordsPolledAheadComeAgain() throws InterruptedException {
    Promise<Void> firstDurable = Promise.promise();
    kafka.append("a");
    start(records -> {
      if (!firstDurable.future().isComplete()) {
        // Arrives as the first batch is being written: the poll issued meanwhile takes it.
        kafka.append(OTHER, "x");
        return firstDurable.future().map(durable -> Future.succeededFuture());
      }
      return Future.succeededFuture(Future.succeededFuture());
    });
    waitFor("the poll ahead to take the other partition's record", () -> kafka.position(OTHER) == 1);
    vertx.runOnContext(v -> firstDurable.fail(new IllegalStateException("the database is away")));
    waitFor("the other partition's record", () -> values.contains("x"));
    assertEquals(List.of("a", "a", "x"), values.stream().sorted().toList(), "the failed batch again, and what was "
      + "polled ahead of it");
  }
}
