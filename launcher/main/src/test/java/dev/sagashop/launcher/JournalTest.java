package dev.sagashop.launcher;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Ids;
import dev.sagashop.saga.engine.JournalEntry;
import dev.sagashop.saga.engine.SagaState;
import dev.sagashop.saga.engine.SagaState.Status;
import dev.sagashop.saga.journal.Journal;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.sagashop.launcher.Ledger.checkout;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The saga journal in the test shop's MariaDB. */
class JournalTest {

  private final Ledger ledger = new Ledger();

  @Test
  @DisplayName("the journal tells the sagas it has seen from those it has not, however many are asked at once")
  void journalKnowsItsSagas() throws Exception {
    String item = ledger.item(1, 10);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String order = ledger.order(ledger.user(10), item, 1);
      assertEquals(200, checkout(order).status());
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
        assertEquals(Set.copyOf(seen), journal.known(asked).await(10, TimeUnit.SECONDS), asked.size() + " asked");
      }
      assertEquals(Set.of(seen.get(0)), journal.known(List.of(seen.get(0))).await(10, TimeUnit.SECONDS));
      assertEquals(Set.of(), journal.known(List.of()).await(10, TimeUnit.SECONDS));
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
}
