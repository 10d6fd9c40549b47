package dev.sagashop.launcher;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Settings;
import dev.sagashop.infra.kafka.EmbeddedKafka;
import dev.sagashop.infra.mongo.EmbeddedMongo;
import dev.sagashop.infra.mysql.EmbeddedMariaDb;
import dev.sagashop.messaging.KafkaTopics;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * Starts the embedded servers a process needs because no external address was configured, keeping their data
 * under {@code DATA_DIR}, and writes their loopback addresses into the configuration the verticles receive.
 * The {@code infra} role starts all three regardless. A lock file keeps two processes off one data folder.
 */
final class EmbeddedInfra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedInfra.class);

  private final List<AutoCloseable> started = new ArrayList<>();
  private FileChannel lockChannel;
  private FileLock lock;

  /** Starts (in parallel) what {@code roles} need and {@code config} lacks; returns the config with their addresses. */
  JsonObject start(JsonObject config, Set<Role> roles) throws Exception {
    JsonObject effective = config.copy();
    boolean all = roles.contains(Role.INFRA);
    List<CompletableFuture<?>> starting = new ArrayList<>();
    if (needed(config, roles, all, ConfigKeys.MONGO_URL, Role::usesMongo)) {
      Path dir = dataDir(config).resolve("mongo");
      starting.add(launch("MongoDB-protocol server", () -> {
        EmbeddedMongo mongo = EmbeddedMongo.start(dir, Settings.port(config, ConfigKeys.EMBEDDED_MONGO_PORT, 0));
        effective.put(ConfigKeys.MONGO_URL, mongo.connectionString());
        return mongo;
      }));
    }
    if (needed(config, roles, all, ConfigKeys.KAFKA_BOOTSTRAP_SERVERS, Role::usesKafka)) {
      Path dir = dataDir(config).resolve("kafka");
      starting.add(launch("Kafka broker", () -> {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir, Settings.port(config, ConfigKeys.EMBEDDED_KAFKA_PORT, 0),
          Settings.port(config, ConfigKeys.EMBEDDED_KAFKA_CONTROLLER_PORT, 0), KafkaTopics.partitions(config));
        effective.put(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        return kafka;
      }));
    }
    if (needed(config, roles, all, ConfigKeys.MYSQL_URL, Role::usesMysql)) {
      Path dir = dataDir(config).resolve("mysql");
      Path binaries = Path.of(Settings.string(config, "MARIADB_BASE_DIR", EmbeddedMariaDb.defaultBaseDir().toString()));
      starting.add(launch("MariaDB server", () -> {
        EmbeddedMariaDb mariaDb = EmbeddedMariaDb.start(binaries, dir,
          Settings.port(config, ConfigKeys.EMBEDDED_MYSQL_PORT, 0));
        effective.put(ConfigKeys.MYSQL_URL, mariaDb.url() + "/saga");
        return mariaDb;
      }));
    }
    try {
      CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
    return effective;
  }

  private static boolean needed(JsonObject config, Set<Role> roles, boolean all, String key, Predicate<Role> uses) {
    return all || (roles.stream().anyMatch(uses) && Settings.string(config, key, null) == null);
  }

  private CompletableFuture<AutoCloseable> launch(String what, Callable<AutoCloseable> start) {
    return CompletableFuture.supplyAsync(() -> {
      long began = System.nanoTime();
      try {
        AutoCloseable server = start.call();
        synchronized (started) {
          started.add(server);
        }
        log.info("embedded {} up in {} ms", what, (System.nanoTime() - began) / 1_000_000);
        return server;
      } catch (Exception e) {
        throw new CompletionException(new IllegalStateException("could not start the embedded " + what, e));
      }
    });
  }

  private synchronized Path dataDir(JsonObject config) {
    Path dir = Path.of(Settings.string(config, ConfigKeys.DATA_DIR, "./data")).toAbsolutePath().normalize();
    if (lock == null) {
      try {
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot use data folder " + dir, e);
      }
      if (lock == null) {
        throw new IllegalStateException("data folder " + dir + " is in use by another process; set "
          + ConfigKeys.DATA_DIR);
      }
    }
    return dir;
  }

  /** Stops the servers in reverse order of start. */
  @Override
  public void close() {
    List<AutoCloseable> servers;
    synchronized (started) {
      servers = new ArrayList<>(started);
      started.clear();
    }
    for (int i = servers.size() - 1; i >= 0; i--) {
      try {
        servers.get(i).close();
      } catch (Exception e) {
        log.warn("could not stop an embedded server cleanly", e);
      }
    }
    try {
      if (lock != null) {
        lock.release();
        lockChannel.close();
      }
    } catch (IOException e) {
      log.warn("could not release the data folder lock", e);
    }
  }
}
