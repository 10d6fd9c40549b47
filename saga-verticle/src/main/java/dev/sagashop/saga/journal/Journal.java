package dev.sagashop.saga.journal;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Meters;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Settings;
import dev.sagashop.saga.engine.JournalEntry;
import dev.sagashop.saga.engine.SagaState;
import dev.sagashop.saga.engine.SagaState.Status;
import io.micrometer.core.instrument.DistributionSummary;
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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The saga journal in MySQL: a row per saga holding its current state (enough to resume it) and its events, each
 * transition appending its own. The coordinator writes a whole poll's worth of transitions in one multi-row
 * statement (one transaction), before it sends any command those transitions lead to.
 */
public final class Journal {

  private static final String DEFAULT_DATABASE = "saga";
  /** What the payload column (TEXT) holds, in bytes of UTF-8. */
  private static final int PAYLOAD_BYTES = 65_535;
  /** Rows per statement at most; every shape up to it stays in the prepared-statement cache. */
  private static final int CHUNK = 64;
  private static final String ACTIVE = statuses(status -> !status.finished());

  private static final String SAGA_COLUMNS = "(saga_id, saga_type, order_id, status, step, awaiting, partition_no, "
    + "payload, reason, owner, created_at, updated_at, events)";
  private static final int SAGA_WIDTH = 13;
  private static final String FINISHED = statuses(Status::finished);
  /** What retention may delete: a stuck saga waits for an operator, however old. */
  private static final String PRUNABLE = statuses(status -> status.finished() && status != Status.STUCK);
  /** Rows one delete takes at most, so the journal's own writes go between a large prune's statements. */
  private static final int PRUNE_CHUNK = 1_000;
  /**
   * A saga's payload is written once, with its first row; later transitions send it empty. A finished saga's state
   * never changes again: a coordinator that was frozen past its session may still write a transition it had in
   * hand after the partition's new owner finished the saga, and that late write must not make it look unfinished
   * (its lines are still appended: they are what it did). MySQL assigns left to right, each assignment seeing the
   * ones before, so status comes last and every other column is guarded by the status the row had.
   */
  private static final String SAGA_UPSERT = " ON DUPLICATE KEY UPDATE "
    + "step = IF(status IN (" + FINISHED + "), step, VALUES(step)), "
    + "awaiting = IF(status IN (" + FINISHED + "), awaiting, VALUES(awaiting)), "
    + "reason = IF(status IN (" + FINISHED + "), reason, VALUES(reason)), "
    + "owner = IF(status IN (" + FINISHED + "), owner, VALUES(owner)), "
    + "updated_at = IF(status IN (" + FINISHED + "), updated_at, VALUES(updated_at)), "
    + "events = CONCAT(events, VALUES(events)), "
    + "status = IF(status IN (" + FINISHED + "), status, VALUES(status))";

  private final Pool pool;
  private final String owner;
  private final DistributionSummary batches = DistributionSummary.builder(Meters.JOURNAL_BATCH)
    .description("Sagas one journal write carries").register(Meters.registry());

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
    int timeout = Settings.integer(config, "MYSQL_TIMEOUT_MS", 5000, 1, Integer.MAX_VALUE);
    MySQLConnectOptions options = MySQLConnectOptions.fromUri(url)
      .setCachePreparedStatements(true)
      .setPreparedStatementCacheMaxSize(4 * CHUNK)
      .setPreparedStatementCacheSqlLimit(8192)
      .setPipeliningLimit(16);
    NetClientOptions network = new NetClientOptions().setConnectTimeout(timeout);
    String database = options.getDatabase() == null || options.getDatabase().isBlank()
      ? DEFAULT_DATABASE : options.getDatabase();
    Pool admin = MySQLBuilder.pool().connectingTo(new MySQLConnectOptions(options).setDatabase(""))
      .with(new PoolOptions().setMaxSize(1)).with(network).using(vertx).build();
    Pool pool = MySQLBuilder.pool().connectingTo(options.setDatabase(database))
      .with(new PoolOptions().setMaxSize(Settings.integer(config, "MYSQL_POOL_SIZE", 4, 1, 1_000))
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
          events MEDIUMTEXT NOT NULL,
          KEY saga_by_order (order_id, created_at),
          KEY saga_by_time (created_at),
          KEY saga_by_status_time (status, created_at)
        ) ENGINE=InnoDB""").execute())
      .compose(created -> JournalUpgrade.run(pool))
      .map(created -> new Journal(pool, owner))
      .onFailure(failure -> pool.close());
  }

  /**
   * Whether a saga's payload fits its journal row. {@code carriedIn}, the text it arrived in, bounds it: short text
   * (the usual) needs no encoding to tell.
   */
  public static boolean holds(JsonObject payload, String carriedIn) {
    return (long) carriedIn.length() * 3 <= PAYLOAD_BYTES
      || payload.encode().getBytes(StandardCharsets.UTF_8).length <= PAYLOAD_BYTES;
  }

  /**
   * Writes the sagas' new states and appends their journal lines, in one transaction; {@code fresh} names the
   * sagas the journal has no row for yet. Lines of sagas without a new state (a late effect undone after the saga
   * ended) are appended to their rows.
   */
  public Future<Void> record(Collection<SagaState> states, List<JournalEntry> entries, Set<String> fresh) {
    Map<String, StringBuilder> events = new LinkedHashMap<>();
    for (JournalEntry entry : entries) {
      events.computeIfAbsent(entry.sagaId(), id -> new StringBuilder()).append(',').append(encode(entry));
    }
    batches.record(states.size());
    List<Tuple> sagas = new ArrayList<>(states.size());
    for (SagaState state : states) {
      StringBuilder lines = events.remove(state.sagaId());
      sagas.add(Tuple.of(state.sagaId(), state.saga(), state.key(), state.status().name(), state.step(),
          state.awaiting().stream().sorted().map(String::valueOf).collect(Collectors.joining(",")), state.partition(),
          fresh.contains(state.sagaId()) ? state.payload().encode() : "", clip(state.reason()), owner)
        .addValue(time(state.createdAt())).addValue(time(state.since()))
        .addValue(lines == null ? "" : lines.toString()));
    }
    if (sagas.size() <= CHUNK && events.isEmpty()) {
      // One statement is a transaction of its own: no BEGIN and COMMIT to send.
      return upsert(pool, sagas);
    }
    return pool.withTransaction(client -> {
      List<Future<Void>> writes = new ArrayList<>();
      for (int from = 0; from < sagas.size(); from += CHUNK) {
        writes.add(upsert(client, sagas.subList(from, Math.min(sagas.size(), from + CHUNK))));
      }
      events.forEach((sagaId, lines) -> writes.add(client
        .preparedQuery("UPDATE saga SET events = CONCAT(events, ?) WHERE saga_id = ?")
        .execute(Tuple.of(lines.toString(), sagaId)).mapEmpty()));
      return Future.all(writes).mapEmpty();
    });
  }

  /**
   * Deletes the completed and aborted sagas that finished before {@code before}, {@value #PRUNE_CHUNK} a statement
   * (through the index on status and start time: a saga finishes after it starts), up to {@code most} rounded up to
   * a whole statement; completes with how many went.
   */
  public Future<Long> prune(Instant before, long most) {
    LocalDateTime bound = time(before);
    return pool.preparedQuery("DELETE FROM saga WHERE status IN (" + PRUNABLE + ") AND created_at < ? "
        + "AND updated_at < ? LIMIT " + PRUNE_CHUNK).execute(Tuple.of(bound, bound))
      .compose(rows -> rows.rowCount() < PRUNE_CHUNK || most <= PRUNE_CHUNK
        ? Future.succeededFuture((long) rows.rowCount())
        : prune(before, most - PRUNE_CHUNK).map(more -> more + rows.rowCount()));
  }

  /** The status of each of these sagas the journal holds (those it never saw, or pruned, are absent). */
  public Future<Map<String, Status>> statusesOf(Collection<String> sagaIds) {
    List<String> ids = new ArrayList<>(sagaIds);
    Map<String, Status> statuses = new HashMap<>();
    List<Future<Void>> queries = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
      queries.add(pool.preparedQuery("SELECT saga_id, status FROM saga WHERE saga_id IN ("
          + placeholders(chunk.size()) + ")")
        .execute(Tuple.wrap(new ArrayList<>(chunk)))
        .map(rows -> {
          rows.forEach(row -> statuses.put(row.getString("saga_id"), Status.valueOf(row.getString("status"))));
          return null;
        }));
    }
    return Future.all(queries).map(done -> statuses);
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
      .compose(rows -> rows.size() == 0 ? Future.failedFuture(ServiceException.notFound("saga " + sagaId + " not found"))
        : Future.succeededFuture(toJson(rows.iterator().next())));
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

  /**
   * A page of sagas, newest first, through the journal's indexes (by time, by status and time, by order and time);
   * {@code next} is the cursor of the page after, or null on the last. Unfinished sagas say how long they have waited
   * on their stage, and {@code overdue} when that is past {@code deadline}.
   */
  public Future<JsonObject> query(SagaQuery query, Instant now, Duration deadline) {
    StringBuilder sql = new StringBuilder("SELECT saga_id, saga_type, order_id, status, step, awaiting, reason, owner, "
      + "created_at, updated_at FROM saga");
    List<Object> values = new ArrayList<>();
    List<String> where = new ArrayList<>();
    if (query.status() != null) {
      where.add("status = ?");
      values.add(query.status().name());
    }
    if (query.orderId() != null) {
      where.add("order_id = ?");
      values.add(query.orderId());
    }
    if (query.reason() != null) {
      where.add("reason LIKE ?");
      values.add(query.reason().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
    }
    if (query.since() != null) {
      where.add("created_at >= ?");
      values.add(time(query.since()));
    }
    if (query.until() != null) {
      where.add("created_at < ?");
      values.add(time(query.until()));
    }
    if (query.after() != null) {
      LocalDateTime at = time(Instant.ofEpochMilli(query.after().createdAtMillis()));
      where.add("(created_at < ? OR created_at = ? AND saga_id < ?)");
      values.addAll(List.of(at, at, query.after().sagaId()));
    }
    if (!where.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", where));
    }
    // The limit is bound, not written in: each distinct text is a statement in the cache the journal writes share.
    sql.append(" ORDER BY created_at DESC, saga_id DESC LIMIT ?");
    values.add(query.limit() + 1);
    return pool.preparedQuery(sql.toString()).execute(Tuple.wrap(values)).map(rows -> {
      JsonArray sagas = new JsonArray();
      String next = null;
      for (Row row : rows) {
        if (sagas.size() == query.limit()) {
          JsonObject last = sagas.getJsonObject(sagas.size() - 1);
          next = new SagaQuery.Cursor(Instant.parse(last.getString("created_at")).toEpochMilli(),
            last.getString("saga_id")).encode();
          break;
        }
        sagas.add(summary(row, now, deadline));
      }
      return new JsonObject().put("sagas", sagas).put("next", next);
    });
  }

  /**
   * Counts by status and by abort reason (the reason up to its first colon) of the sagas started in the window, and
   * the sagas in flight now with the age of the oldest.
   */
  public Future<JsonObject> stats(Instant since, Instant until, Instant now) {
    Tuple window = Tuple.of(time(since), time(until));
    Future<JsonObject> byStatus = pool.preparedQuery("SELECT status, COUNT(*) AS n FROM saga "
        + "WHERE created_at >= ? AND created_at < ? GROUP BY status").execute(window)
      .map(rows -> {
        JsonObject counts = new JsonObject();
        Arrays.stream(Status.values()).forEach(status -> counts.put(status.name(), 0L));
        rows.forEach(row -> counts.put(row.getString("status"), row.getLong("n")));
        return counts;
      });
    Future<JsonObject> byReason = pool.preparedQuery("SELECT SUBSTRING_INDEX(reason, ':', 1) AS kind, COUNT(*) AS n "
        + "FROM saga WHERE status IN ('ABORTED', 'STUCK') AND created_at >= ? AND created_at < ? "
        + "GROUP BY kind ORDER BY n DESC LIMIT 20").execute(window)
      .map(rows -> {
        JsonObject counts = new JsonObject();
        rows.forEach(row -> counts.put(row.getString("kind") == null ? "" : row.getString("kind"), row.getLong("n")));
        return counts;
      });
    Future<JsonObject> inFlight = pool.query("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM saga "
        + "WHERE status IN (" + ACTIVE + ")").execute()
      .map(rows -> {
        Row row = rows.iterator().next();
        LocalDateTime oldest = row.getLocalDateTime("oldest");
        return new JsonObject().put("count", row.getLong("n")).put("oldest_age_ms", oldest == null ? null
          : Math.max(0, Duration.between(oldest.toInstant(ZoneOffset.UTC), now).toMillis()));
      });
    return Future.all(byStatus, byReason, inFlight).map(all -> new JsonObject()
      .put("since", since.toString()).put("until", until.toString())
      .put("by_status", byStatus.result()).put("aborted_by_reason", byReason.result())
      .put("in_flight", inFlight.result()));
  }

  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  public Future<Void> close() {
    return pool.close();
  }

  private static Future<Void> upsert(SqlClient client, List<Tuple> rows) {
    String sql = "INSERT INTO saga " + SAGA_COLUMNS + " VALUES "
      + String.join(",", Collections.nCopies(rows.size(), "(" + placeholders(SAGA_WIDTH) + ")")) + SAGA_UPSERT;
    Tuple values = Tuple.tuple();
    rows.forEach(row -> {
      for (int i = 0; i < row.size(); i++) {
        values.addValue(row.getValue(i));
      }
    });
    return client.preparedQuery(sql).execute(values).mapEmpty();
  }

  /**
   * A journal line, compact — {@code ["step","event","detail",epochMillis]} — since every transition rewrites the
   * saga's lines in MySQL's logs; {@link #lines} turns them into what the inspection API shows.
   */
  private static String encode(JournalEntry entry) {
    return new JsonArray().add(entry.step()).add(entry.event()).add(clip(entry.detail()))
      .add(entry.at().toEpochMilli()).encode();
  }

  /** The events column (lines, each after a comma) as the inspection API shows it. */
  private static JsonArray lines(String events) {
    JsonArray lines = new JsonArray();
    if (events.isEmpty()) {
      return lines;
    }
    for (Object line : new JsonArray("[" + events.substring(1) + "]")) {
      JsonArray fields = (JsonArray) line;
      lines.add(new JsonObject().put("step", fields.getString(0)).put("event", fields.getString(1))
        .put("detail", fields.getString(2)).put("at", Instant.ofEpochMilli(fields.getLong(3)).toString()));
    }
    return lines;
  }

  private static SagaState toState(Row row) {
    Set<Integer> awaiting = new HashSet<>();
    for (String index : row.getString("awaiting").split(",")) {
      if (!index.isBlank()) {
        awaiting.add(Integer.parseInt(index));
      }
    }
    Status status = Status.valueOf(row.getString("status"));
    Instant since = row.getLocalDateTime("updated_at").toInstant(ZoneOffset.UTC);
    if (awaiting.isEmpty() && (status == Status.RUNNING || status == Status.COMPENSATING)) {
      // Journals written before sagas had stages name only the step a running saga waits on.
      awaiting.add(row.getInteger("step"));
    }
    return new SagaState(row.getString("saga_id"), row.getString("saga_type"), row.getString("order_id"),
      new JsonObject(row.getString("payload")), status, row.getInteger("step"),
      Set.copyOf(awaiting), row.getString("reason"), row.getInteger("partition_no"),
      row.getLocalDateTime("created_at").toInstant(ZoneOffset.UTC), since, since, 0);
  }

  /** A saga as a list shows it: no payload, no lines; how long an unfinished one has waited on its stage. */
  private static JsonObject summary(Row row, Instant now, Duration deadline) {
    Status status = Status.valueOf(row.getString("status"));
    Instant updated = row.getLocalDateTime("updated_at").toInstant(ZoneOffset.UTC);
    JsonObject summary = new JsonObject()
      .put("saga_id", row.getString("saga_id"))
      .put("saga", row.getString("saga_type"))
      .put("order_id", row.getString("order_id"))
      .put("status", status.name())
      .put("reason", row.getString("reason"))
      .put("owner", row.getString("owner"))
      .put("created_at", row.getLocalDateTime("created_at").toInstant(ZoneOffset.UTC).toString())
      .put("updated_at", updated.toString());
    if (!status.finished()) {
      long waiting = Math.max(0, Duration.between(updated, now).toMillis());
      summary.put("waiting_ms", waiting).put("overdue", waiting >= deadline.toMillis());
    }
    return summary;
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
      .put("updated_at", row.getLocalDateTime("updated_at").toInstant(ZoneOffset.UTC).toString())
      .put("journal", lines(row.getString("events")));
  }

  /** The statuses that pass, as a list for SQL's IN. */
  private static String statuses(Predicate<Status> which) {
    return Arrays.stream(Status.values()).filter(which).map(status -> "'" + status.name() + "'")
      .collect(Collectors.joining(","));
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
