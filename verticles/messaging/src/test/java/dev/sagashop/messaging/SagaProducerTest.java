package dev.sagashop.messaging;

import dev.sagashop.contracts.SagaMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The producer's batching, over Kafka's own in-memory producer: no broker. */
class SagaProducerTest {

  private static final String TOPIC = "saga.stock.commands";
  private static final int PARTITIONS = 4;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("a saga id picks the partition Kafka's own partitioner picks for it as a key")
  void partitionsAsKafkaDoes() {
    for (int i = 0; i < 1000; i++) {
      String key = UUID.randomUUID().toString();
      for (int partitions = 1; partitions <= 16; partitions++) {
        assertEquals(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions),
          SagaProducer.partitionOf(key, partitions));
      }
    }
  }

  @Test
  @DisplayName("what one turn sends goes as one record per partition, each saga's messages in the order sent")
  void oneRecordPerPartitionPerTurn() throws Exception {
    MockProducer<String, String> mock = new MockProducer<>(cluster(), true, null, new StringSerializer(),
      new StringSerializer());
    List<SagaMessage> sent = new ArrayList<>();
    for (int saga = 0; saga < 20; saga++) {
      for (int step = 0; step < 3; step++) {
        sent.add(SagaMessage.command("saga-" + saga, step, "ReserveStock", new JsonObject().put("n", step)));
      }
    }
    Future<Void> acked = vertx.getOrCreateContext().<Future<Void>>executeBlocking(() -> null)
      .compose(ignored -> {
        SagaProducer producer = new SagaProducer(vertx, KafkaProducer.create(vertx, mock));
        return Future.all(sent.stream().map(message -> producer.send(TOPIC, message)).toList()).mapEmpty();
      });
    acked.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    List<ProducerRecord<String, String>> records = mock.history();
    assertTrue(records.size() <= PARTITIONS, records.size() + " records for " + sent.size() + " messages");
    List<SagaMessage> received = new ArrayList<>();
    for (ProducerRecord<String, String> record : records) {
      for (SagaMessage message : SagaMessage.decodeAll(record.value())) {
        assertEquals(record.partition(), SagaProducer.partitionOf(message.sagaId(), PARTITIONS));
        received.add(message);
      }
    }
    assertEquals(sent.size(), received.size());
    for (int saga = 0; saga < 20; saga++) {
      String id = "saga-" + saga;
      assertEquals(List.of(0, 1, 2), received.stream().filter(message -> message.sagaId().equals(id))
        .map(SagaMessage::step).toList(), id + "'s messages keep their order");
    }
  }

  @Test
  @DisplayName("while a record waits for room in the producer's buffer, none sent after it passes it")
  void keepsOrderWhenTheBufferFills() throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch room = new CountDownLatch(1);
    // Kafka's producer blocks a send while its buffer is full; this one blocks any send off the event loop.
    MockProducer<String, String> mock = new MockProducer<>(cluster(), false, null, new StringSerializer(),
      new StringSerializer()) {
      @Override
      public java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<String, String> record,
                                                              Callback callback) {
        if (!Context.isOnEventLoopThread()) {
          blocked.countDown();
          try {
            room.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }
        return super.send(record, callback);
      }
    };
    Context context = vertx.getOrCreateContext();
    SagaProducer producer = on(context, () -> new SagaProducer(vertx, KafkaProducer.create(vertx, mock)));
    // Each message fills a record of its own, and together they take more than half of the producer's buffer.
    String filler = "x".repeat(200 * 1024);
    int many = 40;
    List<Future<Void>> acked = new ArrayList<>(on(context, () -> IntStream.range(0, many).mapToObj(step ->
      producer.send(TOPIC, SagaMessage.command("saga-1", step, "ReserveStock", new JsonObject().put("filler", filler))))
      .toList()));
    assertTrue(blocked.await(10, TimeUnit.SECONDS), "the records beyond half the buffer wait");
    while (mock.completeNext()) {
      // the records that went at once are acknowledged, and the buffer has room again
    }
    acked.add(on(context, () -> producer.send(TOPIC, SagaMessage.command("saga-1", many, "ReleaseStock",
      new JsonObject()))));
    room.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!acked.stream().allMatch(Future::isComplete) && System.nanoTime() < deadline) {
      if (!mock.completeNext()) {
        Thread.sleep(5);
      }
    }
    assertTrue(acked.stream().allMatch(Future::succeeded), "every record acknowledged");
    assertEquals(IntStream.rangeClosed(0, many).boxed().toList(), mock.history().stream()
      .flatMap(record -> SagaMessage.decodeAll(record.value()).stream()).map(SagaMessage::step).toList());
  }

  /** What {@code action} returns, run on {@code context}. */
  private static <T> T on(Context context, Callable<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(turn -> {
      try {
        result.complete(action.call());
      } catch (Exception e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }

  private static Cluster cluster() {
    Node node = new Node(0, "localhost", 9092);
    List<PartitionInfo> partitions = IntStream.range(0, PARTITIONS)
      .mapToObj(p -> new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node})).toList();
    return new Cluster("c", List.of(node), partitions, Set.of(), Set.of());
  }
}
