package dev.sagashop.bench;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.LoopbackPorts;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shop run from its fat jar as child processes on loopback, for faults a process cannot inflict on itself:
 * either all-in-one (one process, as a newcomer runs it) or one process per role plus an {@code infra} process
 * with the embedded Kafka / Mongo-protocol / MariaDB servers on fixed ports (the shape Kubernetes runs).
 */
public final class ShopProcesses implements AutoCloseable {

  public static final List<String> ROLES = List.of("order", "stock", "payment", "saga", "gateway");

  private final String jar;
  private final Path work;
  private final Map<String, Map<String, String>> environments = new LinkedHashMap<>();
  private final Map<String, Process> running = new LinkedHashMap<>();
  private final int gatewayPort;

  private ShopProcesses(String jar, Path work, int gatewayPort) {
    this.jar = jar;
    this.work = work;
    this.gatewayPort = gatewayPort;
  }

  /** One process running every role, data under {@code work/data}. */
  public static ShopProcesses allInOne(String jar, Path work, Map<String, String> extra) throws IOException {
    ShopProcesses shop = new ShopProcesses(jar, work, freePort());
    Map<String, String> env = new LinkedHashMap<>(extra);
    env.put(ConfigKeys.DATA_DIR, work.resolve("data").toString());
    env.put(ConfigKeys.GATEWAY_PORT, Integer.toString(shop.gatewayPort));
    shop.environments.put("all", env);
    return shop;
  }

  /** An infra process and one process per role, wired by addresses on loopback. */
  public static ShopProcesses perRole(String jar, Path work, Map<String, String> extra) throws IOException {
    ShopProcesses shop = new ShopProcesses(jar, work, freePort());
    int mongo = freePort();
    int kafka = freePort();
    int mysql = freePort();
    Map<String, String> infra = new LinkedHashMap<>(extra);
    infra.put(ConfigKeys.ROLES, "infra");
    infra.put(ConfigKeys.DATA_DIR, work.resolve("infra").toString());
    infra.put(ConfigKeys.EMBEDDED_MONGO_PORT, Integer.toString(mongo));
    infra.put(ConfigKeys.EMBEDDED_KAFKA_PORT, Integer.toString(kafka));
    infra.put(ConfigKeys.EMBEDDED_KAFKA_CONTROLLER_PORT, Integer.toString(freePort()));
    infra.put(ConfigKeys.EMBEDDED_MYSQL_PORT, Integer.toString(mysql));
    shop.environments.put("infra", infra);
    Map<String, String> common = new LinkedHashMap<>(extra);
    common.put(ConfigKeys.MONGO_URL, "mongodb://127.0.0.1:" + mongo);
    common.put(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:" + kafka);
    common.put(ConfigKeys.MYSQL_URL, "mysql://root@127.0.0.1:" + mysql + "/saga");
    Map<String, String> gateway = new LinkedHashMap<>(common);
    for (String role : ROLES) {
      Map<String, String> env = role.equals("gateway") ? gateway : new LinkedHashMap<>(common);
      env.put(ConfigKeys.ROLES, role);
      env.put(ConfigKeys.DATA_DIR, work.resolve(role).toString());
      if (!role.equals("gateway")) {
        int port = freePort();
        env.put(ConfigKeys.ROLE_PORT, Integer.toString(port));
        gateway.put(ConfigKeys.url(role), "http://127.0.0.1:" + port);
      }
      shop.environments.put(role, env);
    }
    gateway.put(ConfigKeys.GATEWAY_PORT, Integer.toString(shop.gatewayPort));
    return shop;
  }

  public String url() {
    return "http://127.0.0.1:" + gatewayPort;
  }

  /** Starts every process (infra first) and waits until the gateway says ready. */
  public void startAll(Vertx vertx) throws Exception {
    if (environments.containsKey("infra")) {
      start("infra");
      awaitLog("infra", "saga-shop is up", Duration.ofSeconds(120));
    }
    for (String name : environments.keySet()) {
      if (!running.containsKey(name)) {
        start(name);
      }
    }
    awaitReady(vertx, Duration.ofSeconds(120));
  }

  /** Starts one process again (after {@link #kill}), on the same data and ports. */
  public void start(String name) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      name.equals("all") ? "-Xmx768m" : "-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put(ConfigKeys.GATEWAY_HOST, "127.0.0.1");
    builder.environment().putAll(environments.get(name));
    Files.createDirectories(work);
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
    running.put(name, builder.start());
  }

  /** SIGKILL: no shutdown hook, no flush. */
  public void kill(String name) throws InterruptedException {
    Process process = running.remove(name);
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** SIGSTOP: the process hangs where it is, its sockets open, as a stalled dependency does. */
  public void freeze(String name) throws IOException, InterruptedException {
    signal(name, "-STOP");
  }

  /** SIGCONT: a frozen process goes on. */
  public void thaw(String name) throws IOException, InterruptedException {
    signal(name, "-CONT");
  }

  private void signal(String name, String signal) throws IOException, InterruptedException {
    Process process = running.get(name);
    if (process == null) {
      throw new IllegalStateException(name + " is not running");
    }
    if (new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor() != 0) {
      throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
    }
  }

  public Path log(String name) {
    return work.resolve(name + ".log");
  }

  /** The last lines of a process's log, so a failure says why where it is reported (test logs are temporary). */
  private String logTail(String name) {
    try {
      List<String> lines = Files.readAllLines(log(name));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException | UncheckedIOException unreadable) {
      return "(unreadable: " + unreadable + ")";
    }
  }

  /** Waits until the gateway answers /health/ready with 200. */
  public void awaitReady(Vertx vertx, Duration within) throws Exception {
    ShopClient client = new ShopClient(vertx, url(), 1, 2_000);
    Instant deadline = Instant.now().plus(within);
    try {
      while (Instant.now().isBefore(deadline)) {
        for (Map.Entry<String, Process> process : running.entrySet()) {
          if (!process.getValue().isAlive()) {
            throw new IllegalStateException(process.getKey() + " exited with " + process.getValue().exitValue()
              + "; the end of " + log(process.getKey()) + ":\n" + logTail(process.getKey()));
          }
        }
        try {
          if (client.await(client.get("/health/ready")).status() == 200) {
            return;
          }
        } catch (Exception notYet) {
          // not listening yet
        }
        Thread.sleep(250);
      }
      throw new IllegalStateException("the shop was not ready within " + within + "; see the logs in " + work);
    } finally {
      client.close();
    }
  }

  private void awaitLog(String name, String line, Duration within) throws Exception {
    Instant deadline = Instant.now().plus(within);
    while (Instant.now().isBefore(deadline)) {
      if (Files.exists(log(name)) && Files.readString(log(name)).contains(line)) {
        return;
      }
      if (!running.get(name).isAlive()) {
        throw new IllegalStateException(name + " exited; the end of " + log(name) + ":\n" + logTail(name));
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(name + " did not start within " + within + "; see " + log(name));
  }

  /** Stops every process (SIGTERM, then SIGKILL after 30 s), the infrastructure last. */
  @Override
  public void close() throws InterruptedException {
    List<String> names = new ArrayList<>(environments.keySet());
    Collections.reverse(names);
    for (String name : names) {
      Process process = running.remove(name);
      if (process == null) {
        continue;
      }
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static int freePort() {
    return LoopbackPorts.orFree(0);
  }
}
