package dev.sagashop.saga.journal;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Brings a journal written by an earlier build up to date: its lines lived in a table of their own ({@code
 * saga_step}, a row per line); they move into their saga's {@code events} column, and that table goes. The indexes
 * that saga queries page through (by time; by status and time) are added.
 */
final class JournalUpgrade {

  private JournalUpgrade() {
  }

  static Future<Void> run(Pool pool) {
    return pool.withConnection(connection -> hasEvents(connection)
      .compose(has -> has ? Future.succeededFuture()
        : connection.query("ALTER TABLE saga ADD COLUMN events MEDIUMTEXT NOT NULL").execute().mapEmpty())
      .compose(added -> connection.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
        + "DATABASE() AND TABLE_NAME = 'saga_step'").execute())
      .compose(rows -> rows.iterator().next().getLong(0) == 0 ? Future.succeededFuture() : fold(connection))
      .compose(folded -> addIndex(connection, "saga_by_time", "created_at"))
      .compose(added -> addIndex(connection, "saga_by_status_time", "status, created_at"))
      // (status, partition_no) served only recovery, which the index above serves as well.
      .compose(added -> hasIndex(connection, "saga_by_status"))
      .compose(has -> !has ? Future.succeededFuture()
        : connection.query("ALTER TABLE saga DROP KEY saga_by_status").execute().mapEmpty()));
  }

  private static Future<Void> addIndex(SqlConnection connection, String name, String columns) {
    return hasIndex(connection, name).compose(has -> has ? Future.succeededFuture()
      : connection.query("ALTER TABLE saga ADD KEY " + name + " (" + columns + ")").execute().mapEmpty());
  }

  private static Future<Boolean> hasIndex(SqlConnection connection, String name) {
    return connection.preparedQuery("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
        + "DATABASE() AND TABLE_NAME = 'saga' AND INDEX_NAME = ?").execute(Tuple.of(name))
      .map(rows -> rows.iterator().next().getLong(0) > 0);
  }

  private static Future<Boolean> hasEvents(SqlConnection connection) {
    return connection.query("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        + "AND TABLE_NAME = 'saga' AND COLUMN_NAME = 'events'").execute()
      .map(rows -> rows.iterator().next().getLong(0) > 0);
  }

  /** The old lines, in the order they were written, in front of whatever the saga's row holds already. */
  private static Future<Void> fold(SqlConnection connection) {
    // Times were written as UTC; read them as UTC to turn them into epoch milliseconds.
    return connection.query("SET SESSION group_concat_max_len = 67108864, time_zone = '+00:00'").execute()
      .compose(set -> connection.query("""
        UPDATE saga s JOIN (
          SELECT saga_id, GROUP_CONCAT(CONCAT(',', JSON_ARRAY(step_name, event, detail,
            CAST(ROUND(UNIX_TIMESTAMP(at) * 1000) AS SIGNED))) ORDER BY id SEPARATOR '') AS folded_lines
          FROM saga_step GROUP BY saga_id) old ON old.saga_id = s.saga_id
        SET s.events = CONCAT(old.folded_lines, s.events)""").execute())
      .compose(folded -> connection.query("DROP TABLE saga_step").execute())
      .mapEmpty();
  }
}
