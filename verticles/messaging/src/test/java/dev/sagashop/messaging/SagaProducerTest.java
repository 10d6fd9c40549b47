package dev.sagashop.messaging;

import dev.sagashop.contracts.SagaMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
    Node node = new Node(0, "localhost", 9092);
    List<PartitionInfo> partitions = IntStream.range(0, PARTITIONS)
      .mapToObj(p -> new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node})).toList();
    MockProducer<String, String> mock = new MockProducer<>(new Cluster("c", List.of(node), partitions, Set.of(),
      Set.of()), true, null, new StringSerializer(), new StringSerializer());
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
}
