package dev.sagashop.infra.mysql;

import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class EmbeddedMariaDbTest {

  @TempDir
  Path dir;

  @Test
  @DisplayName("committed rows survive, and a server left behind on the data folder is stopped by the next start")
  void rowsSurviveAndOrphansAreStopped() throws Exception {
    Path data = dir.resolve("mysql");
    Vertx vertx = Vertx.vertx();
    try {
      EmbeddedMariaDb first = EmbeddedMariaDb.start(EmbeddedMariaDb.defaultBaseDir(), data, 0);
      Pool pool = pool(vertx, first);
      pool.query("CREATE DATABASE IF NOT EXISTS t").execute()
        .compose(done -> pool.query("CREATE TABLE t.kv (k VARCHAR(10) PRIMARY KEY, v BIGINT)").execute())
        .compose(done -> pool.query("INSERT INTO t.kv VALUES ('a', 42)").execute())
        .await(30, TimeUnit.SECONDS);
      pool.close();
      ProcessHandle orphan = ProcessHandle.of(first.pid()).orElseThrow();

      // As if this JVM had been killed: the first server is never closed.
      try (EmbeddedMariaDb second = EmbeddedMariaDb.start(EmbeddedMariaDb.defaultBaseDir(), data, 0)) {
        assertFalse(orphan.isAlive(), "the server left behind was stopped");
        Pool again = pool(vertx, second);
        Row row = again.query("SELECT v FROM t.kv WHERE k = 'a'").execute().await(30, TimeUnit.SECONDS)
          .iterator().next();
        assertEquals(42L, row.getLong("v"));
        again.close();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static Pool pool(Vertx vertx, EmbeddedMariaDb db) {
    return MySQLBuilder.pool().connectingTo(MySQLConnectOptions.fromUri(db.url())).using(vertx).build();
  }
}
