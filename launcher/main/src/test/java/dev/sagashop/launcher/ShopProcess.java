package dev.sagashop.launcher;

import dev.sagashop.bench.ShopClient;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The shop's fat jar running as a separate process on loopback, for tests that kill it. */
final class ShopProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private ShopProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts {@code java -jar saga-shop.jar args} with {@code env} added, and waits until /health/ready says 200. */
  static ShopProcess start(Path dataDir, int port, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx512m", "-jar", jar()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("DATA_DIR", dataDir.toString());
    builder.environment().put("GATEWAY_HOST", "127.0.0.1");
    builder.environment().put("GATEWAY_PORT", Integer.toString(port));
    builder.environment().putAll(env);
    Path log = dataDir.resolveSibling(dataDir.getFileName() + "-" + System.nanoTime() + ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    ShopProcess shop = new ShopProcess(builder.start(), port, log);
    shop.awaitReady(Duration.ofSeconds(90));
    return shop;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL: no shutdown hook, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the shutdown hook drains and closes everything. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  private void awaitReady(Duration within) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ShopClient client = new ShopClient(vertx, url(), 1, 2_000);
      Instant deadline = Instant.now().plus(within);
      while (Instant.now().isBefore(deadline)) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the shop exited with " + process.exitValue() + "; see " + log);
        }
        try {
          if (client.await(client.get("/health/ready")).status() == 200) {
            return;
          }
        } catch (Exception notYet) {
          // not listening yet
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException("the shop was not ready within " + within + "; see " + log);
    } finally {
      vertx.close();
    }
  }

  private static String jar() {
    String jar = System.getProperty("shop.jar");
    if (jar == null) {
      throw new IllegalStateException("system property shop.jar is not set (these tests run under failsafe)");
    }
    return jar;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
