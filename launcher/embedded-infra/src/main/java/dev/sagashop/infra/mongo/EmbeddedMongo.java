package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.MongoServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A MongoDB wire-protocol server on 127.0.0.1 that keeps its data in one command log under {@code dataDir}.
 * An acknowledged write survives a SIGKILL of the process (not a power cut: the log is not fsynced per write).
 */
public final class EmbeddedMongo implements AutoCloseable {

  /**
   * A restart after a crash replays the log written since the last snapshot: it is kept short, now that compaction
   * runs beside the commands, and updates of large documents (a popular item's thousand settled sagas) count for
   * what they cost to replay, not for their few bytes of log (docs/FAULTS.md).
   */
  private static final long COMPACT_ABOVE_BYTES = 32L * 1024 * 1024;

  private final MongoServer server;
  private final DurableMemoryBackend backend;
  private final InetSocketAddress address;

  private EmbeddedMongo(MongoServer server, DurableMemoryBackend backend, InetSocketAddress address) {
    this.server = server;
    this.backend = backend;
    this.address = address;
  }

  /** Recovers the data under {@code dataDir} and listens on {@code port} (0: any free port). */
  public static EmbeddedMongo start(Path dataDir, int port) {
    return start(dataDir, port, COMPACT_ABOVE_BYTES);
  }

  /**
   * As above, compacting the log once replaying it costs more than {@code compactAboveBytes} of log would (and twice
   * its last snapshot).
   */
  static EmbeddedMongo start(Path dataDir, int port, long compactAboveBytes) {
    try {
      Files.createDirectories(dataDir);
      DurableMemoryBackend backend = new DurableMemoryBackend(new CommandLog(dataDir.resolve("commands.log")),
        compactAboveBytes);
      backend.recover();
      MongoServer server = new MongoServer(backend);
      server.bind("127.0.0.1", port);
      return new EmbeddedMongo(server, backend, server.getLocalAddress());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded MongoDB-protocol server in " + dataDir, e);
    }
  }

  public String connectionString() {
    return "mongodb://127.0.0.1:" + address.getPort();
  }

  public int port() {
    return address.getPort();
  }

  /**
   * Stops listening without flushing or closing the log, as a killed process would; for tests of recovery. A
   * compaction under way is let finish first, so that it does not write beside the server started next.
   */
  void abandonForTest() {
    server.shutdownNow();
    backend.awaitCompaction();
  }

  @Override
  public void close() {
    server.shutdownNow();
    backend.close();
  }
}
