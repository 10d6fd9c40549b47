package dev.sagashop.launcher;

import dev.sagashop.contracts.LoopbackPorts;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A plain `java -jar saga-shop.jar` runs the shop in a child JVM with the measured options (on a JDK 25 beside it,
 * with an AOT cache), lives and dies as one, and stops through the shop's own shutdown.
 */
class RelaunchIT {

  private static final Pattern CHILD = Pattern.compile("child JVM \\(pid (\\d+)\\)");

  @TempDir
  Path work;

  @Test
  @DisplayName("java -jar with no JVM options serves from a child JVM that has them; a SIGKILL of the parent "
    + "takes the child with it at once, recording for an AOT cache or not, and MariaDB soon after")
  void childHasTheOptionsAndDiesWithTheParent() throws Exception {
    // A jar of its own, with no cache beside it: where a JDK 25 is, the child records for one, and a recording JVM
    // that halts still writes its recording (seconds) before it lets go of the shop's ports.
    Path jar = Files.copy(Path.of(System.getProperty("shop.jar")), work.resolve("saga-shop.jar"));
    int port = LoopbackPorts.orFree(0);
    Path log = work.resolve("shop.log");
    Process parent = ShopJar.start(jar, work, port, log, Map.of());
    ProcessHandle child = null;
    try {
      assertTrue(live(port, Duration.ofSeconds(120)), () -> "the shop did not come up; its log:\n" + read(log));
      Matcher matcher = CHILD.matcher(read(log));
      assertTrue(matcher.find(), "the log names the child JVM");
      child = ProcessHandle.of(Long.parseLong(matcher.group(1))).orElseThrow();
      String commandLine = Files.readString(Path.of("/proc", Long.toString(child.pid()), "cmdline"))
        .replace('\0', ' ');
      for (String option : Relaunch.options()) {
        assertTrue(commandLine.contains(option), commandLine);
      }
      assertEquals(Optional.of(parent.pid()), child.parent().map(ProcessHandle::pid));

      // MariaDB, under the shell that stops it once its JVM is gone: it shuts down cleanly, writing into the data
      // folder for a while after the child died (seconds on a slow machine).
      List<ProcessHandle> servers = child.descendants().toList();
      assertFalse(servers.isEmpty(), "the child started MariaDB");

      new ProcessBuilder("kill", "-KILL", Long.toString(parent.pid())).start().waitFor();
      ProcessHandle orphan = child;
      assertTrue(waitFor(() -> !orphan.isAlive(), Duration.ofSeconds(10)), "the child outlived its parent");
      assertTrue(waitFor(() -> servers.stream().noneMatch(ProcessHandle::isAlive), Duration.ofSeconds(60)),
        () -> "a server outlived the shop: " + servers.stream().filter(ProcessHandle::isAlive).toList());
      assertFalse(live(port, Duration.ZERO), "nothing answers on the shop's port any more");
      // The recording JVM creates its file as it starts and fills it as it exits.
      try (Stream<Path> files = Files.list(work)) {
        List<Path> written = files.filter(file -> file.getFileName().toString().contains(".aot")
          && file.toFile().length() > 0).toList();
        assertEquals(List.of(), written, "the killed child wrote nothing for an AOT cache");
      }
    } finally {
      parent.destroyForcibly();
      if (child != null) {
        child.destroyForcibly();
      }
    }
  }

  @Test
  @DisplayName("a mistyped command line, or relaunch setting, is refused at once before any child JVM starts")
  void mistypedCommandLineIsRefusedBeforeARelaunch() throws Exception {
    Map<List<String>, String> refusals = Map.of(
      List.of("--rolse", "order"), "saga-shop: unknown argument --rolse",
      List.of("--roles", "shipping"), "saga-shop: unknown role 'shipping'; known roles: all, order, stock",
      List.of("--config"), "saga-shop: --config needs a value",
      List.of("--config", "/nonexistent/shop.yaml"),
      "saga-shop: cannot read the configuration file /nonexistent/shop.yaml");
    for (Map.Entry<List<String>, String> refusal : refusals.entrySet()) {
      Path log = work.resolve("refused.log");
      Process shop = ShopJar.start(work, LoopbackPorts.orFree(0), log, Map.of(), refusal.getKey());
      assertTrue(shop.waitFor(30, TimeUnit.SECONDS), "still running with " + refusal.getKey());
      String output = read(log);
      assertEquals(2, shop.exitValue(), output);
      assertTrue(output.startsWith(refusal.getValue()), output);
      assertTrue(output.contains("usage: java -jar saga-shop.jar [--roles "), output);
      assertFalse(output.contains("child JVM"), output);
    }
    Path training = work.resolve("training.log");
    Process refused = ShopJar.start(work, LoopbackPorts.orFree(0), training, Map.of(AotCache.TRAINING, "0"));
    assertTrue(refused.waitFor(30, TimeUnit.SECONDS), "still running with " + AotCache.TRAINING + "=0");
    assertEquals(2, refused.exitValue(), read(training));
    assertTrue(read(training).startsWith("saga-shop: configuration " + AotCache.TRAINING + " must be"),
      read(training));

    Path log = work.resolve("help.log");
    Process help = ShopJar.start(work, LoopbackPorts.orFree(0), log, Map.of(), List.of("--help"));
    assertTrue(help.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, help.exitValue());
    assertTrue(read(log).startsWith("usage: java -jar saga-shop.jar [--roles "), read(log));
  }

  @Test
  @DisplayName("a gateway port another process holds is told in one line naming the setting")
  void portInUseIsToldPlainly() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path log = work.resolve("taken.log");
      Process shop = ShopJar.start(work, taken.getLocalPort(), log, Map.of(), List.of("--roles", "gateway"));
      assertTrue(shop.waitFor(90, TimeUnit.SECONDS), "still running");
      String output = read(log);
      assertEquals(2, shop.exitValue(), output);
      assertTrue(output.contains("saga-shop: GATEWAY_PORT " + taken.getLocalPort() + " on 127.0.0.1 is taken by "
        + "another process; set GATEWAY_PORT to a free port (0 picks one)"), output);
    }
  }

  @Test
  @DisplayName("a SIGTERM to java -jar stops the shop through its own shutdown, not by halting it")
  void sigtermStopsTheChildGracefully() throws Exception {
    int port = LoopbackPorts.orFree(0);
    Path log = work.resolve("shop.log");
    Process parent = ShopJar.start(work, port, log, Map.of());
    try {
      assertTrue(live(port, Duration.ofSeconds(120)), () -> "the shop did not come up; its log:\n" + read(log));
      parent.destroy();
      assertTrue(parent.waitFor(90, TimeUnit.SECONDS), "the shop stopped");
      // The roles are undeployed gateway first; the saga coordinator's goes after the gateway's has drained.
      assertTrue(read(log).contains("undeployed saga"), () -> "the child halted before its shutdown:\n" + read(log));
    } finally {
      parent.destroyForcibly();
    }
  }

  @Test
  @DisplayName("with a JDK 25 installed beside this one, a run that works under load as long as SHOP_AOT_TRAINING_S "
    + "says records an AOT cache beside the jar, and the next start maps it")
  void aRunThatWorkedLeavesAnAotCacheTheNextStartMaps() throws Exception {
    JavaRuntime runtime = JavaRuntime.forShop(JavaRuntime.current());
    assumeTrue(runtime.aotCache(), "no JDK " + JavaRuntime.AOT_CACHE_FROM + " or later beside " + runtime.home());
    // A jar of its own, so neither a cache a user recorded beside the built jar nor this test's reach the other.
    Path jar = Files.copy(Path.of(System.getProperty("shop.jar")), work.resolve("saga-shop.jar"));
    int port = LoopbackPorts.orFree(0);

    Path recordingLog = work.resolve("recording.log");
    Duration training = Duration.ofSeconds(10);
    Process recording = ShopJar.start(jar, work, port, recordingLog,
      Map.of(AotCache.TRAINING, Long.toString(training.toSeconds())));
    try {
      assertTrue(live(port, Duration.ofSeconds(120)), () -> "the shop did not come up:\n" + read(recordingLog));
      Process load = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "bench", "stress", "--url", "http://127.0.0.1:" + port,
        "--records", "20000", "--concurrency", "16", "--duration", training.toSeconds() + 5 + "s",
        "--warmup", "0s").redirectErrorStream(true).redirectOutput(work.resolve("stress.log").toFile()).start();
      try {
        assertTrue(load.waitFor(3, TimeUnit.MINUTES) && load.exitValue() == 0,
          () -> "the checkouts of the recording run:\n" + read(work.resolve("stress.log")));
      } finally {
        load.destroyForcibly();
      }
      recording.destroy();
      assertTrue(recording.waitFor(90, TimeUnit.SECONDS), "the recording run stopped");
    } finally {
      recording.destroyForcibly();
    }
    List<Path> caches;
    try (Stream<Path> files = Files.list(work)) {
      caches = files.filter(file -> file.getFileName().toString().endsWith(".aot")).toList();
    }
    assertEquals(1, caches.size(), () -> "one cache beside the jar, not " + caches + "; the log:\n"
      + read(recordingLog));

    Path loadingLog = work.resolve("loading.log");
    Process loading = ShopJar.start(jar, work, port, loadingLog, Map.of());
    try {
      assertTrue(live(port, Duration.ofSeconds(120)), () -> "the shop did not come up:\n" + read(loadingLog));
      Matcher matcher = CHILD.matcher(read(loadingLog));
      assertTrue(matcher.find(), "the log names the child JVM");
      String maps = Files.readString(Path.of("/proc", matcher.group(1), "maps"));
      assertTrue(maps.contains(caches.get(0).toString()), "the child JVM has the cache mapped");
      assertFalse(read(loadingLog).lines().anyMatch(line -> line.contains("[aot")), "the JVM's notes stay out");
    } finally {
      loading.destroy();
      loading.waitFor(90, TimeUnit.SECONDS);
      loading.destroyForcibly();
    }
  }

  private static boolean live(int port, Duration within) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
      .timeout(Duration.ofSeconds(2)).build();
    return waitFor(() -> {
      try {
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    }, within);
  }

  private static boolean waitFor(BooleanSupplier condition, Duration within)
    throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    do {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return false;
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
