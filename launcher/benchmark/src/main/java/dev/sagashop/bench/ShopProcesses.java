package dev.sagashop.bench;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.LoopbackPorts;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The shop run from its fat jar as child processes on loopback, for faults a process cannot inflict on itself:
 * all-in-one (one process, as a newcomer runs it); one process per role plus an {@code infra} process with the
 * embedded Kafka / Mongo-protocol / MariaDB servers on fixed ports (the shape Kubernetes runs); or that with two
 * processes of every role ({@code order-1}, {@code order-2}, ..., {@code gateway-2}) sharing partitioned topics,
 * each gateway knowing both replicas of every service.
 */
public final class ShopProcesses implements AutoCloseable {

  public static final List<String> ROLES = List.of("order", "stock", "payment", "saga", "gateway");
  /** Partitions of the topics in the replicated layout: enough for two members of each group to share. */
  private static final int REPLICATED_PARTITIONS = 4;

  private final String jar;
  private final Path work;
  private final Map<String, Map<String, String>> environments = new LinkedHashMap<>();
  private final Map<String, Process> running = new ConcurrentHashMap<>();
  private final List<Integer> gatewayPorts = new ArrayList<>();
  /** Where each process's log stood when it was last started, so "up" is read from that start on. */
  private final Map<String, Long> startedAt = new ConcurrentHashMap<>();

  /** Stops the processes if this JVM is told to exit first (Ctrl-C, SIGTERM), so none outlives the command. */
  private final Thread stopAtExit = new Thread(this::stopAll, "stop-shop-processes");

  private ShopProcesses(String jar, Path work) {
    this.jar = jar;
    this.work = work;
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /** One process running every role, data under {@code work/data}. */
  public static ShopProcesses allInOne(String jar, Path work, Map<String, String> extra) throws IOException {
    ShopProcesses shop = new ShopProcesses(jar, work);
    Map<String, String> env = new LinkedHashMap<>(extra);
    env.put(ConfigKeys.DATA_DIR, work.resolve("data").toString());
    int port = freePort();
    env.put(ConfigKeys.GATEWAY_PORT, Integer.toString(port));
    shop.gatewayPorts.add(port);
    shop.environments.put("all", env);
    return shop;
  }

  /** An infra process and one process per role, wired by addresses on loopback. */
  public static ShopProcesses perRole(String jar, Path work, Map<String, String> extra) throws IOException {
    return roles(jar, work, extra, 1);
  }

  /**
   * An infra process and two processes of every role, on topics of {@value #REPLICATED_PARTITIONS} partitions, the
   * order replicas telling each other of checkout outcomes.
   */
  public static ShopProcesses replicated(String jar, Path work, Map<String, String> extra) throws IOException {
    Map<String, String> settings = new LinkedHashMap<>(extra);
    settings.put(ConfigKeys.KAFKA_PARTITIONS, Integer.toString(REPLICATED_PARTITIONS));
    settings.put(ConfigKeys.ORDER_OUTCOME_BROADCAST, "true");
    return roles(jar, work, settings, 2);
  }

  private static ShopProcesses roles(String jar, Path work, Map<String, String> extra, int copies) throws IOException {
    ShopProcesses shop = new ShopProcesses(jar, work);
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
    Map<String, List<String>> urls = new LinkedHashMap<>();
    for (String role : ROLES.subList(0, ROLES.size() - 1)) {
      for (int copy = 1; copy <= copies; copy++) {
        Map<String, String> env = new LinkedHashMap<>(common);
        String name = name(role, copy, copies);
        env.put(ConfigKeys.ROLES, role);
        env.put(ConfigKeys.DATA_DIR, work.resolve(name).toString());
        int port = freePort();
        env.put(ConfigKeys.ROLE_PORT, Integer.toString(port));
        urls.computeIfAbsent(role, r -> new ArrayList<>()).add("http://127.0.0.1:" + port);
        shop.environments.put(name, env);
      }
    }
    for (int copy = 1; copy <= copies; copy++) {
      Map<String, String> gateway = new LinkedHashMap<>(common);
      String name = name("gateway", copy, copies);
      gateway.put(ConfigKeys.ROLES, "gateway");
      gateway.put(ConfigKeys.DATA_DIR, work.resolve(name).toString());
      urls.forEach((role, list) -> gateway.put(ConfigKeys.url(role), String.join(",", list)));
      int port = freePort();
      gateway.put(ConfigKeys.GATEWAY_PORT, Integer.toString(port));
      shop.gatewayPorts.add(port);
      shop.environments.put(name, gateway);
    }
    return shop;
  }

  /** {@code order} when a role has one process, {@code order-1}, {@code order-2} when it has several. */
  private static String name(String role, int copy, int copies) {
    return copies == 1 ? role : role + "-" + copy;
  }

  /** The processes of this layout, in start order. */
  public List<String> names() {
    return List.copyOf(environments.keySet());
  }

  /** Every gateway's address. */
  public List<String> urls() {
    return gatewayPorts.stream().map(port -> "http://127.0.0.1:" + port).toList();
  }

  /** The addresses (ROLE_PORT: operations, health, metrics) of a role's processes. */
  public List<String> roleUrls(String role) {
    return environments.entrySet().stream()
      .filter(process -> process.getKey().equals(role) || process.getKey().startsWith(role + "-"))
      .map(process -> "http://127.0.0.1:" + process.getValue().get(ConfigKeys.ROLE_PORT)).toList();
  }

  /** The first gateway's address. */
  public String url() {
    return urls().get(0);
  }

  /** Starts every process (infra first) and waits until the gateway says ready. */
  public void startAll(Vertx vertx) throws Exception {
    if (environments.containsKey("infra")) {
      start("infra");
      awaitUp("infra", Duration.ofSeconds(120));
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
    startedAt.put(name, Files.exists(log(name)) ? Files.size(log(name)) : 0);
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
    signal(process, signal);
  }

  private static void signal(Process process, String signal) throws IOException, InterruptedException {
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

  /** Waits until every gateway answers /health/ready with 200. */
  public void awaitReady(Vertx vertx, Duration within) throws Exception {
    Instant deadline = Instant.now().plus(within);
    for (String url : urls()) {
      ShopClient client = new ShopClient(vertx, url, 1, 2_000);
      try {
        awaitReady(client, deadline, within);
      } finally {
        client.close();
      }
    }
  }

  private void awaitReady(ShopClient client, Instant deadline, Duration within) throws Exception {
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
  }

  /** Waits until a process started by {@link #start} says it is up (in its log, since that start). */
  public void awaitUp(String name, Duration within) throws Exception {
    Instant deadline = Instant.now().plus(within);
    while (Instant.now().isBefore(deadline)) {
      if (Files.exists(log(name)) && logSinceStart(name).contains("saga-shop is up")) {
        return;
      }
      if (!running.get(name).isAlive()) {
        throw new IllegalStateException(name + " exited; the end of " + log(name) + ":\n" + logTail(name));
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(name + " did not start within " + within + "; see " + log(name));
  }

  private String logSinceStart(String name) throws IOException {
    try (var log = Files.newInputStream(log(name))) {
      log.skipNBytes(startedAt.getOrDefault(name, 0L));
      return new String(log.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Stops every process (SIGTERM, then SIGKILL after 30 s), the infrastructure last. */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException exiting) {
      // the hook is running or has run
    }
  }

  private void stopAll() {
    List<String> names = new ArrayList<>(environments.keySet());
    Collections.reverse(names);
    for (String name : names) {
      Process process = running.remove(name);
      if (process == null) {
        continue;
      }
      try {
        // A frozen process would hold the SIGTERM until it is let go.
        signal(process, "-CONT");
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      } catch (IOException | IllegalStateException e) {
        process.destroyForcibly();
      }
    }
  }

  private static int freePort() {
    return LoopbackPorts.orFree(0);
  }
}
