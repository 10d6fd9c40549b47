package dev.sagashop.infra.kafka;

import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.common.ConfigResource;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  @DisplayName("a consumer group's committed offsets are kept through ten years of the group standing empty, not "
    + "Kafka's seven days, after which its consumers would start again from the earliest offset")
  void committedOffsetsOutliveAnEmptyGroup() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(logDir, 0, 0, 2)) {
      KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", kafka.bootstrapServers()));
      String kept = admin.describeCluster()
        .compose(cluster -> admin.describeConfigs(List.of(new ConfigResource(
          org.apache.kafka.common.config.ConfigResource.Type.BROKER,
          Integer.toString(cluster.getNodes().get(0).getId())))))
        .map(configs -> configs.values().iterator().next().getEntries().stream()
          .filter(entry -> entry.getName().equals("offsets.retention.minutes")).findFirst().orElseThrow().getValue())
        .await(30, TimeUnit.SECONDS);
      assertEquals(Duration.ofDays(3650).toMinutes(), Long.parseLong(kept));
      admin.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("a broker killed with SIGKILL starts again without waiting for its old registration to lapse")
  void restartAfterKillDoesNotWaitOutTheOldSession() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), Child.class.getName(), logDir.toString())
      .redirectErrorStream(true).start();
    try {
      var output = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()));
      String line;
      while ((line = output.readLine()) != null && !line.equals(Child.UP)) {
        // The child's log, until it says the broker is up.
      }
      assertTrue(line != null, "the child broker did not start");
    } finally {
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    long started = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(logDir, 0, 0, 2)) {
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(tookMs < EmbeddedKafka.BROKER_SESSION_MS, "the broker took " + tookMs + " ms to start: it waited "
        + "for the killed run's session (" + EmbeddedKafka.BROKER_SESSION_MS + " ms) to lapse");
    }
  }

  /** A broker in a process of its own, to be killed. */
  public static final class Child {
    static final String UP = "broker up";

    public static void main(String[] args) throws Exception {
      EmbeddedKafka.start(Path.of(args[0]), 0, 0, 2);
      System.out.println(UP);
      Thread.sleep(Long.MAX_VALUE);
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
