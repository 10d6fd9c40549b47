package dev.sagashop.launcher;

import dev.sagashop.contracts.Checkout;
import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Ids;
import dev.sagashop.messaging.KafkaSettings;
import dev.sagashop.saga.engine.JournalEntry;
import dev.sagashop.saga.engine.SagaState;
import dev.sagashop.saga.engine.SagaState.Status;
import dev.sagashop.saga.journal.Journal;
import dev.sagashop.saga.journal.JournalPruner;
import dev.sagashop.saga.journal.JournalRetention;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.sagashop.launcher.Ledger.awaitSagaFinished;
import static dev.sagashop.launcher.Ledger.checkout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The saga journal in the test shop's MariaDB. */
class JournalTest {

  private final Ledger ledger = new Ledger();

  @Test
  @DisplayName("the journal tells each saga's status, and leaves out those it has not seen, however many are asked")
  void journalKnowsItsSagas() throws Exception {
    String item = ledger.item(1, 10);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String order = ledger.order(ledger.user(10), item, 1);
      assertEquals(200, checkout(order).status());
      assertEquals("COMPLETED", awaitSagaFinished(order));
      seen.add(TestShop.get("/orders/" + order + "/saga").body().getString("saga_id"));
    }
    Journal journal = Journal.open(TestShop.shop().vertx(), TestShop.shop().config(), "test").await(10,
      TimeUnit.SECONDS);
    try {
      // Known sagas at both ends of lists short and long.
      for (int unseen : new int[] {0, 3, 67, 130}) {
        List<String> asked = new ArrayList<>(List.of(seen.get(0)));
        for (int i = 0; i < unseen; i++) {
          asked.add(Ids.newId());
        }
        asked.addAll(seen.subList(1, seen.size()));
        Map<String, Status> completed = seen.stream().collect(Collectors.toMap(id -> id, id -> Status.COMPLETED));
        assertEquals(completed, journal.statusesOf(asked).await(10, TimeUnit.SECONDS), asked.size() + " asked");
      }
      assertEquals(Set.of(seen.get(0)), known(journal, List.of(seen.get(0))));
      assertEquals(Set.of(), known(journal, List.of()));
    } finally {
      journal.close().await(10, TimeUnit.SECONDS);
    }
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("a late write of a coordinator that lost the saga's partition does not reopen the saga its new owner "
    + "finished, and its lines are kept")
  void finishedSagaStaysFinished() throws Exception {
    Journal journal = Journal.open(TestShop.shop().vertx(), TestShop.shop().config(), "test").await(10,
      TimeUnit.SECONDS);
    try {
      String sagaId = Ids.newId();
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      SagaState running = new SagaState(sagaId, "checkout", "order-" + sagaId, new JsonObject(), Status.RUNNING, 0,
        Set.of(0), null, 0, now, now, now, 0);
      journal.record(List.of(running), List.of(new JournalEntry(sagaId, "saga", "STARTED", "", now)),
        Set.of(sagaId)).await(10, TimeUnit.SECONDS);
      SagaState completed = new SagaState(sagaId, "checkout", running.key(), new JsonObject(), Status.COMPLETED, 2,
        Set.of(), null, 0, now, now.plusMillis(5), now, 0);
      journal.record(List.of(completed), List.of(new JournalEntry(sagaId, "saga", "COMPLETED", "", now)), Set.of())
        .await(10, TimeUnit.SECONDS);
      SagaState stale = new SagaState(sagaId, "checkout", running.key(), new JsonObject(), Status.RUNNING, 1,
        Set.of(1), null, 0, now, now.plusMillis(9), now, 0);
      journal.record(List.of(stale), List.of(new JournalEntry(sagaId, "pay", "SENT", "Charge", now)), Set.of())
        .await(10, TimeUnit.SECONDS);

      JsonObject saga = journal.find(sagaId).await(10, TimeUnit.SECONDS);
      assertEquals("COMPLETED", saga.getString("status"));
      assertEquals(completed.since(), Instant.parse(saga.getString("updated_at")));
      assertEquals(List.of("STARTED", "COMPLETED", "SENT"), saga.getJsonArray("journal").stream()
        .map(line -> ((JsonObject) line).getString("event")).toList());
      assertEquals(List.of(), journal.unfinished(List.of(0)).await(10, TimeUnit.SECONDS).stream()
        .filter(state -> state.sagaId().equals(sagaId)).toList());
    } finally {
      journal.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("a journal written by an earlier build (a table of lines, no stages) opens with every line and "
    + "resumes its running sagas")
  void earlierJournalIsUpgraded() throws Exception {
    String database = "upgrade_" + Ids.newId().substring(0, 8).replace('-', '_');
    String url = TestShop.shop().config().getString(ConfigKeys.MYSQL_URL);
    MySQLConnectOptions server = MySQLConnectOptions.fromUri(url).setDatabase("");
    Pool admin = MySQLBuilder.pool().connectingTo(server).using(TestShop.shop().vertx()).build();
    try {
      for (String sql : List.of(
        "CREATE DATABASE `" + database + "`",
        "CREATE TABLE `" + database + "`.saga (saga_id VARCHAR(64) NOT NULL PRIMARY KEY, saga_type VARCHAR(32) "
          + "NOT NULL, order_id VARCHAR(64) NOT NULL, status VARCHAR(16) NOT NULL, step INT NOT NULL, awaiting "
          + "VARCHAR(64) NOT NULL, partition_no INT NOT NULL, payload TEXT NOT NULL, reason VARCHAR(512) NULL, owner "
          + "VARCHAR(64) NOT NULL, created_at DATETIME(3) NOT NULL, updated_at DATETIME(3) NOT NULL)",
        "CREATE TABLE `" + database + "`.saga_step (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, saga_id "
          + "VARCHAR(64) NOT NULL, step_name VARCHAR(32) NOT NULL, event VARCHAR(32) NOT NULL, detail VARCHAR(512) "
          + "NULL, at DATETIME(3) NOT NULL)",
        "INSERT INTO `" + database + "`.saga VALUES ('old-1', 'checkout', 'o1', 'RUNNING', 1, '', 0, "
          + "'{\"order_id\":\"o1\"}', NULL, 'sec-old', '2026-12-01 10:00:00.000', '2026-12-01 10:00:00.000')",
        "INSERT INTO `" + database + "`.saga_step (saga_id, step_name, event, detail, at) VALUES "
          + "('old-1', 'saga', 'STARTED', 'order_id o1', '2026-12-01 10:00:00.000'), "
          + "('old-1', 'reserve-stock', 'SENT', 'ReserveStock', '2026-12-01 10:00:00.001')")) {
        admin.query(sql).execute().await(10, TimeUnit.SECONDS);
      }
      JsonObject config = TestShop.shop().config().copy().put(ConfigKeys.MYSQL_URL,
        url.substring(0, url.lastIndexOf('/') + 1) + database);
      Journal journal = Journal.open(TestShop.shop().vertx(), config, "test").await(10, TimeUnit.SECONDS);
      try {
        JsonObject saga = journal.find("old-1").await(10, TimeUnit.SECONDS);
        List<String> lines = saga.getJsonArray("journal").stream()
          .map(line -> ((JsonObject) line).getString("step") + ":" + ((JsonObject) line).getString("event")).toList();
        assertEquals(List.of("saga:STARTED", "reserve-stock:SENT"), lines);
        assertEquals("2026-12-01T10:00:00.001Z", saga.getJsonArray("journal").getJsonObject(1).getString("at"));
        assertEquals("ReserveStock", saga.getJsonArray("journal").getJsonObject(1).getString("detail"));
        List<SagaState> running = journal.unfinished(List.of(0)).await(10, TimeUnit.SECONDS);
        assertEquals(1, running.size());
        assertEquals(Status.RUNNING, running.get(0).status());
        assertEquals(Set.of(1), running.get(0).awaiting(), "it waits on the step the old journal named");
      } finally {
        journal.close().await(10, TimeUnit.SECONDS);
      }
    } finally {
      admin.query("DROP DATABASE IF EXISTS `" + database + "`").execute().await(10, TimeUnit.SECONDS);
      admin.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("pruning deletes the completed and aborted sagas that finished before its bound, a thousand rows a "
    + "statement, and keeps stuck, unfinished and later ones")
  void pruneDeletesOnlyOldFinishedSagas() throws Exception {
    inJournalOfItsOwn(journal -> {
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      Instant old = now.minus(40, ChronoUnit.DAYS);
      List<SagaState> completedOld = new ArrayList<>();
      for (int i = 0; i < 1_005; i++) {
        completedOld.add(saga(Status.COMPLETED, old, old));
      }
      List<SagaState> kept = List.of(saga(Status.STUCK, old, old), saga(Status.RUNNING, old, old),
        saga(Status.COMPENSATING, old, old), saga(Status.CONFIRMING, old, old),
        saga(Status.COMPLETED, old, now.minus(29, ChronoUnit.DAYS)), saga(Status.ABORTED, now, now));
      SagaState abortedOld = saga(Status.ABORTED, old, old);
      List<SagaState> all = new ArrayList<>(completedOld);
      all.addAll(kept);
      all.add(abortedOld);
      journal.record(all, List.of(), all.stream().map(SagaState::sagaId).collect(Collectors.toSet()))
        .await(30, TimeUnit.SECONDS);

      assertEquals(1_000L, journal.prune(now.minus(30, ChronoUnit.DAYS), 1_000).await(30, TimeUnit.SECONDS),
        "at most as many as asked, in whole statements");
      assertEquals(6L, journal.prune(now.minus(30, ChronoUnit.DAYS), 10_000).await(30, TimeUnit.SECONDS));
      Set<String> left = known(journal, all.stream().map(SagaState::sagaId).toList());
      assertEquals(kept.stream().map(SagaState::sagaId).collect(Collectors.toSet()), left);
      assertEquals(0L, journal.prune(now.minus(30, ChronoUnit.DAYS), 10_000).await(30, TimeUnit.SECONDS));
    });
  }

  @Test
  @DisplayName("no saga is deleted while Kafka holds a message older than the retention on the topics that start "
    + "sagas; with none there, the pruner deletes what finished before it; 0 keeps every saga")
  void retentionWaitsForKafka() throws Exception {
    Vertx vertx = TestShop.shop().vertx();
    JsonObject config = TestShop.shop().config().copy();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String quiet = "retention-quiet-" + Ids.newId();
    String recent = "retention-recent-" + Ids.newId();
    String old = "retention-old-" + Ids.newId();
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, KafkaSettings.admin(config, 10_000, 30_000));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
      "bootstrap.servers", config.getString(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS)),
      new StringSerializer(), new StringSerializer())) {
      admin.createTopics(List.of(new NewTopic(quiet, 2, (short) 1), new NewTopic(recent, 1, (short) 1),
        new NewTopic(old, 1, (short) 1))).await(30, TimeUnit.SECONDS);
      producer.send(new ProducerRecord<>(recent, 0, now.toEpochMilli(), "k", "v")).get(30, TimeUnit.SECONDS);
      producer.send(new ProducerRecord<>(old, 0, now.minus(31, ChronoUnit.DAYS).toEpochMilli(), "k", "v"))
        .get(30, TimeUnit.SECONDS);
      producer.send(new ProducerRecord<>(old, 0, now.toEpochMilli(), "k", "v")).get(30, TimeUnit.SECONDS);

      JournalRetention clear = JournalRetention.at(vertx, config, List.of(quiet, recent), now)
        .await(30, TimeUnit.SECONDS);
      assertEquals(now.minus(30, ChronoUnit.DAYS), clear.before(), clear.why());
      JournalRetention held = JournalRetention.at(vertx, config, List.of(recent, old), now)
        .await(30, TimeUnit.SECONDS);
      assertFalse(held.prunes());
      assertTrue(held.why().contains(old + "-0"), held.why());
      assertFalse(JournalRetention.at(vertx, config.copy().put(ConfigKeys.JOURNAL_RETENTION_DAYS, 0),
        List.of(quiet), now).await(30, TimeUnit.SECONDS).prunes());
    } finally {
      admin.deleteTopics(List.of(quiet, recent, old)).await(30, TimeUnit.SECONDS);
      admin.close().await(10, TimeUnit.SECONDS);
    }

    inJournalOfItsOwn(journal -> {
      Instant twoDays = now.minus(2, ChronoUnit.DAYS);
      SagaState gone = saga(Status.COMPLETED, twoDays, twoDays);
      SagaState finishedLater = saga(Status.ABORTED, twoDays, now.minus(1, ChronoUnit.HOURS));
      SagaState young = saga(Status.COMPLETED, now.minus(12, ChronoUnit.HOURS), now.minus(12, ChronoUnit.HOURS));
      List<SagaState> all = List.of(gone, finishedLater, young);
      journal.record(all, List.of(), all.stream().map(SagaState::sagaId).collect(Collectors.toSet()))
        .await(10, TimeUnit.SECONDS);
      JournalPruner pruner = new JournalPruner(vertx, config.copy().put(ConfigKeys.JOURNAL_RETENTION_DAYS, 1),
        journal);
      assertEquals(1L, pruner.pass(now).await(30, TimeUnit.SECONDS), "the shop's own topics hold only new messages");
      assertEquals(Set.of(finishedLater.sagaId(), young.sagaId()),
        known(journal, all.stream().map(SagaState::sagaId).toList()));
    });
  }

  private interface JournalWork {
    void run(Journal journal) throws Exception;
  }

  /** Runs {@code work} on a journal in a database of its own, dropped afterwards. */
  private static void inJournalOfItsOwn(JournalWork work) throws Exception {
    String database = "prune_" + Ids.newId().substring(0, 8).replace('-', '_');
    String url = TestShop.shop().config().getString(ConfigKeys.MYSQL_URL);
    JsonObject config = TestShop.shop().config().copy().put(ConfigKeys.MYSQL_URL,
      url.substring(0, url.lastIndexOf('/') + 1) + database);
    Journal journal = Journal.open(TestShop.shop().vertx(), config, "test").await(10, TimeUnit.SECONDS);
    try {
      work.run(journal);
    } finally {
      journal.close().await(10, TimeUnit.SECONDS);
      Pool admin = MySQLBuilder.pool().connectingTo(MySQLConnectOptions.fromUri(url).setDatabase(""))
        .using(TestShop.shop().vertx()).build();
      admin.query("DROP DATABASE IF EXISTS `" + database + "`").execute().await(10, TimeUnit.SECONDS);
      admin.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the largest checkout an order may hold is journalled whole; twice as many lines are more than the "
    + "journal holds, and it says so before writing")
  void largestCheckoutFits() throws Exception {
    JsonObject largest = checkoutOf(Checkout.MAX_LINES);
    assertTrue(Journal.holds(largest, largest.encode()));
    JsonObject twice = checkoutOf(2 * Checkout.MAX_LINES);
    assertFalse(Journal.holds(twice, twice.encode()));
    Journal journal = Journal.open(TestShop.shop().vertx(), TestShop.shop().config(), "test").await(10,
      TimeUnit.SECONDS);
    try {
      String sagaId = Ids.newId();
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      SagaState started = new SagaState(sagaId, "checkout", largest.getString("order_id"), largest, Status.RUNNING, 0,
        Set.of(0), null, 0, now, now, now, 0);
      journal.record(List.of(started), List.of(new JournalEntry(sagaId, "saga", "STARTED", "", now)),
        Set.of(sagaId)).await(10, TimeUnit.SECONDS);
      assertEquals(largest, journal.find(sagaId).await(10, TimeUnit.SECONDS).getJsonObject("payload"));
    } finally {
      journal.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** A checkout of {@code lines} distinct items, every id and amount as long as the API allows. */
  private static JsonObject checkoutOf(int lines) {
    List<Checkout.Line> items = new ArrayList<>();
    for (int i = 0; i < lines; i++) {
      items.add(new Checkout.Line(String.format("%064d", i), Long.MAX_VALUE));
    }
    return new Checkout("o".repeat(64), "u".repeat(64), items, Long.MAX_VALUE).toJson();
  }

  /** The sagas of {@code sagaIds} the journal holds. */
  private static Set<String> known(Journal journal, List<String> sagaIds) throws Exception {
    return journal.statusesOf(sagaIds).await(30, TimeUnit.SECONDS).keySet();
  }

  /** A saga in {@code status}, started at {@code createdAt} and in that status since {@code since}. */
  private static SagaState saga(Status status, Instant createdAt, Instant since) {
    String sagaId = Ids.newId();
    return new SagaState(sagaId, "checkout", "order-" + sagaId, new JsonObject(), status, 0,
      status.finished() ? Set.of() : Set.of(0), null, 0, createdAt, since, since, 0);
  }
}
