package dev.sagashop.messaging;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.OrderApi;
import dev.sagashop.contracts.PaymentApi;
import dev.sagashop.contracts.Settings;
import dev.sagashop.contracts.StockApi;
import dev.sagashop.contracts.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;

import java.util.List;

/**
 * Creates the shop's topics if they are missing, before any consumer subscribes: a consumer subscribed to a topic
 * that appears later may not see it for minutes (its metadata refresh interval).
 */
public final class KafkaTopics {

  public static final List<String> ALL = List.of(Topics.SAGA_REPLIES, Topics.ORDER_OUTCOMES, Topics.DEAD_LETTERS,
    Topics.commands(OrderApi.SERVICE), Topics.commands(StockApi.SERVICE), Topics.commands(PaymentApi.SERVICE));

  private KafkaTopics() {
  }

  /** Partitions of the topics the shop creates (the embedded broker's default for topics made on first use). */
  public static int partitions(JsonObject config) {
    return Settings.integer(config, ConfigKeys.KAFKA_PARTITIONS, 1, 1, 10_000);
  }

  public static Future<Void> ensure(Vertx vertx, JsonObject config) {
    int partitions = partitions(config);
    short replication = (short) Settings.integer(config, "KAFKA_REPLICATION_FACTOR", 1, 1, Short.MAX_VALUE);
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, KafkaSettings.admin(config, 10_000, 30_000));
    return admin.listTopics()
      .compose(existing -> {
        List<NewTopic> missing = ALL.stream().filter(topic -> !existing.contains(topic))
          .map(topic -> new NewTopic(topic, partitions, replication)).toList();
        return missing.isEmpty() ? Future.<Void>succeededFuture() : admin.createTopics(missing)
          // Another process may have created them in between.
          .recover(failure -> admin.listTopics().compose(now -> now.containsAll(ALL) ? Future.succeededFuture()
            : Future.failedFuture(failure)));
      })
      .eventually(admin::close);
  }
}
