package dev.sagashop.saga.journal;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Settings;
import dev.sagashop.saga.engine.JournalEntry;
import dev.sagashop.saga.engine.SagaState;
import dev.sagashop.saga.engine.SagaState.Status;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The saga journal in MySQL: a row per saga (its current state, enough to resume it) and an append-only row per
 * event. The coordinator writes a whole poll's worth of both in one transaction, before it sends any command those
 * events lead to.
 */
public final class Journal {

  private static final String DEFAULT_DATABASE = "saga";
  /** Multi-row statements come in these sizes only, so every shape stays in the prepared-statement cache. */
  private static final int[] CHUNKS = {64, 8, 1};
  private static final String ACTIVE = Arrays.stream(Status.values()).filter(s -> !s.finished())
    .map(s -> "'" + s.name() + "'").collect(Collectors.joining(","));

  private static final String SAGA_COLUMNS = "(saga_id, saga_type, order_id, status, step, awaiting, partition_no, "
    + "payload, reason, owner, created_at, updated_at)";
  private static final String SAGA_UPSERT = " ON DUPLICATE KEY UPDATE status = VALUES(status), step = VALUES(step), "
    + "awaiting = VALUES(awaiting), reason = VALUES(reason), owner = VALUES(owner), updated_at = VALUES(updated_at)";
  private static final String STEP_COLUMNS = "(saga_id, step_name, event, detail, at)";

  private final Pool pool;
  private final String owner;

  private Journal(Pool pool, String owner) {
    this.pool = pool;
    this.owner = owner;
  }

  /** Connects, creating the database and tables if they are missing. */
  public static Future<Journal> open(Vertx vertx, JsonObject config, String owner) {
    String url = Settings.string(config, ConfigKeys.MYSQL_URL, null);
    if (url == null) {
      return Future.failedFuture(new IllegalStateException(ConfigKeys.MYSQL_URL + " is not set"));
    }
    int timeout = (int) Settings.number(config, "MYSQL_TIMEOUT_MS", 5000);
    MySQLConnectOptions options = MySQLConnectOptions.fromUri(url)
      .setCachePreparedStatements(true)
      .setPreparedStatementCacheMaxSize(64)
      .setPreparedStatementCacheSqlLimit(8192)
      .setPipeliningLimit(16);
    NetClientOptions network = new NetClientOptions().setConnectTimeout(timeout);
    String database = options.getDatabase() == null || options.getDatabase().isBlank()
      ? DEFAULT_DATABASE : options.getDatabase();
    Pool admin = MySQLBuilder.pool().connectingTo(new MySQLConnectOptions(options).setDatabase(""))
      .with(new PoolOptions().setMaxSize(1)).with(network).using(vertx).build();
    Pool pool = MySQLBuilder.pool().connectingTo(options.setDatabase(database))
      .with(new PoolOptions().setMaxSize(Settings.integer(config, "MYSQL_POOL_SIZE", 4))
        .setConnectionTimeout(timeout).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
      .with(network)
      .using(vertx).build();
    // A managed MySQL may not let us create databases; then the database must exist already.
    return admin.query("CREATE DATABASE IF NOT EXISTS `" + database + "`").execute()
      .transform(created -> admin.close())
      .compose(closed -> pool.query("""
        CREATE TABLE IF NOT EXISTS saga (
          saga_id VARCHAR(64) NOT NULL PRIMARY KEY,
          saga_type VARCHAR(32) NOT NULL,
          order_id VARCHAR(64) NOT NULL,
          status VARCHAR(16) NOT NULL,
          step INT NOT NULL,
          awaiting VARCHAR(64) NOT NULL,
          partition_no INT NOT NULL,
          payload TEXT NOT NULL,
          reason VARCHAR(512) NULL,
          owner VARCHAR(64) NOT NULL,
          created_at DATETIME(3) NOT NULL,
          updated_at DATETIME(3) NOT NULL,
          KEY saga_by_order (order_id, created_at),
          KEY saga_by_status (status, partition_no)
        ) ENGINE=InnoDB""").execute())
      .compose(created -> pool.query("""
        CREATE TABLE IF NOT EXISTS saga_step (
          id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
          saga_id VARCHAR(64) NOT NULL,
          step_name VARCHAR(32) NOT NULL,
          event VARCHAR(32) NOT NULL,
          detail VARCHAR(512) NULL,
          at DATETIME(3) NOT NULL,
          KEY step_by_saga (saga_id, id)
        ) ENGINE=InnoDB""").execute())
      .map(created -> new Journal(pool, owner))
      .onFailure(failure -> pool.close());
  }

  /** Writes the sagas' new states and their journal lines in one transaction. */
  public Future<Void> record(Collection<SagaState> states, List<JournalEntry> entries) {
    List<Tuple> sagas = new ArrayList<>(states.size());
    for (SagaState state : states) {
      sagas.add(Tuple.of(state.sagaId(), state.saga(), state.key(), state.status().name(), state.step(),
          state.awaiting().stream().sorted().map(String::valueOf).collect(Collectors.joining(",")), state.partition(),
          state.payload().encode(), clip(state.reason()), owner)
        .addValue(time(state.createdAt())).addValue(time(state.sentAt())));
    }
    List<Tuple> steps = new ArrayList<>(entries.size());
    for (JournalEntry entry : entries) {
      steps.add(Tuple.of(entry.sagaId(), entry.step(), entry.event(), clip(entry.detail()), time(entry.at())));
    }
    // Statements of one transaction are pipelined on its connection: BEGIN, the inserts, COMMIT in three trips.
    return pool.withTransaction(client -> {
      List<Future<Void>> inserts = new ArrayList<>();
      insert(client, "INSERT INTO saga_step " + STEP_COLUMNS, "", 5, steps, inserts);
      insert(client, "INSERT INTO saga " + SAGA_COLUMNS, SAGA_UPSERT, 12, sagas, inserts);
      return Future.all(inserts).mapEmpty();
    });
  }

  /** Which of these sagas the journal has ever seen. */
  public Future<Set<String>> known(Collection<String> sagaIds) {
    if (sagaIds.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    return pool.preparedQuery("SELECT saga_id FROM saga WHERE saga_id IN (" + placeholders(sagaIds.size()) + ")")
      .execute(Tuple.wrap(new ArrayList<>(sagaIds)))
      .map(rows -> {
        Set<String> known = new HashSet<>();
        rows.forEach(row -> known.add(row.getString("saga_id")));
        return known;
      });
  }

  /** The unfinished sagas whose messages arrive on these partitions of the replies topic. */
  public Future<List<SagaState>> unfinished(Collection<Integer> partitions) {
    if (partitions.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery("SELECT * FROM saga WHERE status IN (" + ACTIVE + ") AND partition_no IN ("
        + placeholders(partitions.size()) + ")")
      .execute(Tuple.wrap(new ArrayList<>(partitions)))
      .map(rows -> {
        List<SagaState> states = new ArrayList<>();
        rows.forEach(row -> states.add(toState(row)));
        return states;
      });
  }

  /** A saga and its journal, as the inspection API shows it; 404 if unknown. */
  public Future<JsonObject> find(String sagaId) {
    return pool.preparedQuery("SELECT * FROM saga WHERE saga_id = ?").execute(Tuple.of(sagaId))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.failedFuture(ServiceException.notFound("saga " + sagaId + " not found"));
        }
        JsonObject saga = toJson(rows.iterator().next());
        return pool.preparedQuery("SELECT step_name, event, detail, at FROM saga_step WHERE saga_id = ? ORDER BY id")
          .execute(Tuple.of(sagaId))
          .map(steps -> {
            JsonArray journal = new JsonArray();
            steps.forEach(row -> journal.add(new JsonObject()
              .put("step", row.getString("step_name"))
              .put("event", row.getString("event"))
              .put("detail", row.getString("detail"))
              .put("at", row.getLocalDateTime("at").toInstant(ZoneOffset.UTC).toString())));
            return saga.put("journal", journal);
          });
      });
  }

  /** The latest saga of an order (with the ids of earlier ones); 404 if it never had one. */
  public Future<JsonObject> findByOrder(String orderId) {
    return pool.preparedQuery("SELECT saga_id FROM saga WHERE order_id = ? ORDER BY created_at DESC, saga_id")
      .execute(Tuple.of(orderId))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.failedFuture(ServiceException.notFound("order " + orderId + " has no saga"));
        }
        List<String> ids = new ArrayList<>();
        rows.forEach(row -> ids.add(row.getString("saga_id")));
        return find(ids.get(0)).map(latest -> latest.put("earlier_sagas", new JsonArray(ids.subList(1, ids.size()))));
      });
  }

  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  public Future<Void> close() {
    return pool.close();
  }

  private static void insert(SqlClient client, String head, String tail, int width, List<Tuple> rows,
                             List<Future<Void>> inserts) {
    int from = 0;
    for (int chunk : CHUNKS) {
      while (rows.size() - from >= chunk) {
        List<Tuple> slice = rows.subList(from, from + chunk);
        String sql = head + " VALUES " + String.join(",", Collections.nCopies(chunk,
          "(" + placeholders(width) + ")")) + tail;
        Tuple values = Tuple.tuple();
        slice.forEach(row -> {
          for (int i = 0; i < row.size(); i++) {
            values.addValue(row.getValue(i));
          }
        });
        inserts.add(client.preparedQuery(sql).execute(values).mapEmpty());
        from += chunk;
      }
    }
  }

  private static SagaState toState(Row row) {
    Set<Integer> awaiting = new HashSet<>();
    for (String index : row.getString("awaiting").split(",")) {
      if (!index.isBlank()) {
        awaiting.add(Integer.parseInt(index));
      }
    }
    return new SagaState(row.getString("saga_id"), row.getString("saga_type"), row.getString("order_id"),
      new JsonObject(row.getString("payload")), Status.valueOf(row.getString("status")), row.getInteger("step"),
      Set.copyOf(awaiting), row.getString("reason"), row.getInteger("partition_no"),
      row.getLocalDateTime("created_at").toInstant(ZoneOffset.UTC),
      row.getLocalDateTime("updated_at").toInstant(ZoneOffset.UTC), 0);
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
      .put("saga_id", row.getString("saga_id"))
      .put("saga", row.getString("saga_type"))
      .put("order_id", row.getString("order_id"))
      .put("status", row.getString("status"))
      .put("reason", row.getString("reason"))
      .put("owner", row.getString("owner"))
      .put("payload", new JsonObject(row.getString("payload")))
      .put("created_at", row.getLocalDateTime("created_at").toInstant(ZoneOffset.UTC).toString())
      .put("updated_at", row.getLocalDateTime("updated_at").toInstant(ZoneOffset.UTC).toString());
  }

  private static String placeholders(int count) {
    return String.join(",", Collections.nCopies(count, "?"));
  }

  private static LocalDateTime time(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static String clip(String text) {
    return text == null || text.length() <= 512 ? text : text.substring(0, 509) + "...";
  }
}
