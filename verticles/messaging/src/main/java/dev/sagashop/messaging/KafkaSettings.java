package dev.sagashop.messaging;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Settings;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/** Kafka client settings shared by every verticle: idempotent producers, consumers that commit by hand. */
public final class KafkaSettings {

  private KafkaSettings() {
  }

  public static String bootstrap(JsonObject config) {
    String servers = Settings.string(config, ConfigKeys.KAFKA_BOOTSTRAP_SERVERS, null);
    if (servers == null) {
      throw new IllegalStateException(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS
        + " is not set: the launcher sets it, or the configuration must");
    }
    return servers;
  }

  public static Map<String, String> producer(JsonObject config, String clientId) {
    Map<String, String> settings = common(config, clientId);
    settings.put("acks", "all");
    settings.put("enable.idempotence", "true");
    settings.put("max.in.flight.requests.per.connection", "5");
    settings.put("linger.ms", Long.toString(Settings.number(config, "KAFKA_LINGER_MS", 1, 0, Integer.MAX_VALUE)));
    settings.put("delivery.timeout.ms",
      Long.toString(Settings.number(config, "KAFKA_DELIVERY_TIMEOUT_MS", 30_000, 1, Integer.MAX_VALUE)));
    settings.put("request.timeout.ms", "10000");
    settings.put("max.block.ms",
      Long.toString(Settings.number(config, "KAFKA_MAX_BLOCK_MS", 10_000, 0, Integer.MAX_VALUE)));
    settings.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    settings.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    return settings;
  }

  /** A consumer in {@code group} that starts from the earliest offset the group has not committed. */
  public static Map<String, String> consumer(JsonObject config, String clientId, String group) {
    Map<String, String> settings = common(config, clientId);
    settings.put("group.id", group);
    settings.put("enable.auto.commit", "false");
    settings.put("auto.offset.reset", "earliest");
    settings.put("max.poll.records", "500");
    settings.put("fetch.max.wait.ms", "100");
    long session = GroupSession.timeoutMs(config);
    settings.put("session.timeout.ms", Long.toString(session));
    settings.put("heartbeat.interval.ms", Long.toString(session / 3));
    // A rebalance stops only the partitions that move: the survivors of a crash go on with their own meanwhile.
    settings.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    settings.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    // Bytes are parsed by the loop, so a malformed message becomes a dead letter instead of a stuck consumer.
    settings.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    return settings;
  }

  /** An admin client's settings: each request bounded, the whole call (retries included) bounded too. */
  public static Map<String, String> admin(JsonObject config, long requestTimeoutMs, long callTimeoutMs) {
    Map<String, String> settings = new HashMap<>();
    settings.put("bootstrap.servers", bootstrap(config));
    settings.put("request.timeout.ms", Long.toString(requestTimeoutMs));
    settings.put("default.api.timeout.ms", Long.toString(callTimeoutMs));
    settings.put("reconnect.backoff.max.ms", "1000");
    return settings;
  }

  private static Map<String, String> common(JsonObject config, String clientId) {
    Map<String, String> settings = new HashMap<>();
    settings.put("bootstrap.servers", bootstrap(config));
    settings.put("client.id", clientId);
    // Kafka's default; a broker back from a restart is found within a second.
    settings.put("reconnect.backoff.max.ms", "1000");
    return settings;
  }
}
