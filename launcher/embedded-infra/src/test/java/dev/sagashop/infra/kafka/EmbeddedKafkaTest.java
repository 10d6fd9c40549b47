package dev.sagashop.infra.kafka;

import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EmbeddedKafkaTest {

  @TempDir
  Path logDir;

  @Test
  @DisplayName("messages and committed offsets survive a restart on the same log folder")
  void messagesSurviveRestart() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      try (EmbeddedKafka kafka = EmbeddedKafka.start(logDir, 0, 0, 2)) {
        KafkaProducer<String, String> producer = KafkaProducer.create(vertx, Map.of(
          "bootstrap.servers", kafka.bootstrapServers(), "acks", "all", "enable.idempotence", "true",
          "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
          "value.serializer", "org.apache.kafka.common.serialization.StringSerializer"));
        for (int i = 0; i < 3; i++) {
          producer.send(KafkaProducerRecord.create("t", "k" + i, "v" + i)).await(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of("v0", "v1", "v2"), consume(vertx, kafka, 3, true));
        producer.send(KafkaProducerRecord.create("t", "k", "after-commit")).await(30, TimeUnit.SECONDS);
        producer.close().await(10, TimeUnit.SECONDS);
      }
      try (EmbeddedKafka kafka = EmbeddedKafka.start(logDir, 0, 0, 2)) {
        assertEquals(List.of("after-commit"), consume(vertx, kafka, 1, false));
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static List<String> consume(Vertx vertx, EmbeddedKafka kafka, int count, boolean commit) throws Exception {
    KafkaConsumer<String, String> consumer = KafkaConsumer.create(vertx, Map.of(
      "bootstrap.servers", kafka.bootstrapServers(), "group.id", "g", "auto.offset.reset", "earliest",
      "enable.auto.commit", "false",
      "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
      "value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer"));
    consumer.subscribe("t").await(30, TimeUnit.SECONDS);
    List<String> values = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 30_000;
    while (values.size() < count && System.currentTimeMillis() < deadline) {
      KafkaConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200)).await(30, TimeUnit.SECONDS);
      for (int i = 0; i < records.size(); i++) {
        values.add(records.recordAt(i).value());
      }
    }
    if (commit) {
      consumer.commit().await(30, TimeUnit.SECONDS);
    }
    consumer.close().await(30, TimeUnit.SECONDS);
    values.sort(String::compareTo);
    return values;
  }
}
