package dev.sagashop.saga.journal;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.OrderApi;
import dev.sagashop.contracts.Settings;
import dev.sagashop.contracts.Topics;
import dev.sagashop.messaging.KafkaSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which finished sagas the journal may delete now: completed or aborted, and finished — every message of theirs
 * sent — before {@code before}. A saga's row is what tells the coordinator that the saga has started: a
 * {@code CheckoutStarted} delivered again (after a rewind, or from the earliest offset once a group's committed
 * offsets expired), or an order announced again because its outcome was not applied yet, must not start the saga a
 * second time, which would charge the order again. So nothing goes while Kafka still holds a message from before
 * {@code before} on the topics that start sagas and settle orders — asked of the broker itself, which also covers
 * a topic that keeps messages for good and a quiet topic whose open segment never ages out.
 */
public record JournalRetention(Instant before, String why) {

  private static final long DEFAULT_DAYS = 30;
  /** The messages that start a saga (on the replies topic) and that settle its order. */
  private static final List<String> TOPICS = List.of(Topics.SAGA_REPLIES, Topics.commands(OrderApi.SERVICE));
  /** Records carry their producer's clock and the journal the coordinator's: the broker is asked with this to spare. */
  private static final Duration CLOCKS_APART = Duration.ofHours(1);

  public boolean prunes() {
    return before != null;
  }

  /** What may go at {@code now}; fails if the broker does not answer. */
  public static Future<JournalRetention> at(Vertx vertx, JsonObject config, Instant now) {
    return at(vertx, config, TOPICS, now);
  }

  /** What may go at {@code now}, judged by these topics. */
  public static Future<JournalRetention> at(Vertx vertx, JsonObject config, List<String> topics, Instant now) {
    long days = Settings.number(config, ConfigKeys.JOURNAL_RETENTION_DAYS, DEFAULT_DAYS, 0, 36_500);
    if (days == 0) {
      return Future.succeededFuture(new JournalRetention(null, ConfigKeys.JOURNAL_RETENTION_DAYS + " is 0"));
    }
    Instant before = now.minus(Duration.ofDays(days));
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, KafkaSettings.admin(config, 5_000, 10_000));
    return admin.describeTopics(topics)
      .compose(described -> {
        List<TopicPartition> partitions = described.values().stream().flatMap(topic -> topic.getPartitions().stream()
          .map(partition -> new TopicPartition(topic.getName(), partition.getPartition()))).toList();
        Future<Map<TopicPartition, ListOffsetsResultInfo>> earliest = admin.listOffsets(ask(partitions,
          OffsetSpec.EARLIEST));
        Future<Map<TopicPartition, ListOffsetsResultInfo>> latest = admin.listOffsets(ask(partitions,
          OffsetSpec.LATEST));
        Future<Map<TopicPartition, ListOffsetsResultInfo>> since = admin.listOffsets(ask(partitions,
          OffsetSpec.TIMESTAMP(before.plus(CLOCKS_APART).toEpochMilli())));
        return Future.all(earliest, latest, since).map(all -> {
          for (TopicPartition partition : partitions) {
            long first = earliest.result().get(partition).getOffset();
            long end = latest.result().get(partition).getOffset();
            // The first record stamped at or after the bound; -1 if there is none.
            long firstSince = since.result().get(partition).getOffset();
            if (first < end && firstSince != first) {
              return new JournalRetention(null, "Kafka still holds messages older than "
                + ConfigKeys.JOURNAL_RETENTION_DAYS + " on " + partition.getTopic() + "-" + partition.getPartition());
            }
          }
          return new JournalRetention(before, days + " days, and Kafka holds no older message");
        });
      })
      .timeout(15, TimeUnit.SECONDS)
      .eventually(admin::close);
  }

  private static Map<TopicPartition, OffsetSpec> ask(List<TopicPartition> partitions, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> asked = new HashMap<>();
    partitions.forEach(partition -> asked.put(partition, spec));
    return asked;
  }
}
