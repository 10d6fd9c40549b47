package dev.sagashop.launcher;

import dev.sagashop.contracts.Settings;
import dev.sagashop.infra.mongo.EmbeddedMongo;
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

/**
 * Starts the embedded servers a process needs because no external address was configured, keeping their data
 * under {@code DATA_DIR}, and writes their loopback addresses into the configuration the verticles receive.
 * A lock file keeps two processes from sharing one data folder.
 */
final class EmbeddedInfra implements AutoCloseable {

  static final String DATA_DIR = "DATA_DIR";
  static final String MONGO_URL = "MONGO_URL";

  private static final Logger log = LoggerFactory.getLogger(EmbeddedInfra.class);

  private final List<AutoCloseable> started = new ArrayList<>();
  private FileChannel lockChannel;
  private FileLock lock;

  /** Starts what {@code roles} need and {@code config} lacks; returns the configuration with their addresses. */
  JsonObject start(JsonObject config, Set<Role> roles) {
    JsonObject effective = config.copy();
    boolean infraRole = roles.contains(Role.INFRA);
    boolean needsMongo = infraRole || roles.stream().anyMatch(Role::isService);
    if (needsMongo && (infraRole || Settings.string(config, MONGO_URL, null) == null)) {
      EmbeddedMongo mongo = EmbeddedMongo.start(dataDir(config).resolve("mongo"),
        Settings.integer(config, "EMBEDDED_MONGO_PORT", 0));
      started.add(mongo);
      effective.put(MONGO_URL, mongo.connectionString());
      log.info("embedded MongoDB-protocol server on {} (data in {})", mongo.connectionString(),
        dataDir(config).resolve("mongo"));
    }
    return effective;
  }

  private Path dataDir(JsonObject config) {
    Path dir = Path.of(Settings.string(config, DATA_DIR, "./data")).toAbsolutePath().normalize();
    if (lock == null) {
      try {
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot use data folder " + dir, e);
      }
      if (lock == null) {
        throw new IllegalStateException("data folder " + dir + " is in use by another process; set DATA_DIR");
      }
    }
    return dir;
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("could not stop an embedded server cleanly", e);
      }
    }
    started.clear();
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
