package dev.sagashop.messaging;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.ConfigEntry;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.common.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How long a consumer group waits before it gives a silent member's partitions to the others: the time a SIGKILLed
 * replica's sagas and commands stand still. As short as the broker allows, down to {@value #PREFERRED_MS} ms; a
 * broker refuses a member that asks less than its {@code group.min.session.timeout.ms} (6 s on a stock broker,
 * lowered on the embedded one), so the broker is asked first. Shorter would turn a long GC pause into a rebalance.
 */
public final class GroupSession {

  static final long PREFERRED_MS = 3_000;
  /** What every stock broker accepts: its default minimum. */
  static final long STOCK_MINIMUM_MS = 6_000;
  private static final String BROKER_MINIMUM = "group.min.session.timeout.ms";
  private static final Logger log = LoggerFactory.getLogger(GroupSession.class);

  private GroupSession() {
  }

  /** The session timeout consumers use: {@code KAFKA_SESSION_TIMEOUT_MS} if set (not 0), else as resolved. */
  public static long timeoutMs(JsonObject config) {
    long configured = Settings.number(config, ConfigKeys.KAFKA_SESSION_TIMEOUT_MS, 0, 0, Integer.MAX_VALUE);
    return configured > 0 ? configured : STOCK_MINIMUM_MS;
  }

  /**
   * {@code KAFKA_SESSION_TIMEOUT_MS} if set; else {@value #PREFERRED_MS} ms or the broker's minimum if that is more;
   * {@value #STOCK_MINIMUM_MS} ms if the broker will not say (an ACL may forbid describing its configuration).
   */
  public static Future<Long> resolve(Vertx vertx, JsonObject config) {
    long configured = Settings.number(config, ConfigKeys.KAFKA_SESSION_TIMEOUT_MS, 0, 0, Integer.MAX_VALUE);
    if (configured > 0) {
      return Future.succeededFuture(configured);
    }
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, KafkaSettings.admin(config, 5_000, 10_000));
    return admin.describeCluster()
      .compose(cluster -> admin.describeConfigs(List.of(new ConfigResource(
        org.apache.kafka.common.config.ConfigResource.Type.BROKER,
        Integer.toString(cluster.getNodes().get(0).getId())))))
      .map(configs -> configs.values().stream().flatMap(broker -> broker.getEntries().stream())
        .filter(entry -> BROKER_MINIMUM.equals(entry.getName())).map(ConfigEntry::getValue).findFirst()
        .map(minimum -> Math.max(PREFERRED_MS, Long.parseLong(minimum))).orElse(STOCK_MINIMUM_MS))
      // Bounded here too: describeCluster may never complete on a broker that has no controller yet.
      .timeout(15, TimeUnit.SECONDS)
      .recover(failure -> {
        log.warn("could not read the broker's {} ({}); consumer sessions last {} ms", BROKER_MINIMUM,
          failure.toString(), STOCK_MINIMUM_MS);
        return Future.succeededFuture(STOCK_MINIMUM_MS);
      })
      .eventually(admin::close);
  }
}
