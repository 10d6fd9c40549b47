package dev.sagashop.launcher;

import dev.sagashop.bench.ChaosRun;
import dev.sagashop.bench.ShopProcesses;
import dev.sagashop.bench.SoakRun;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault suite over real processes of the fat jar: SIGKILL (or SIGSTOP) under checkout load, recovery,
 * invariants; all-in-one, one process per role, and two of every role, ending with a short nemesis soak. The same
 * engines are {@code bench chaos} and {@code bench soak}. A few seconds of load per fault keeps it within CI's
 * budget.
 */
class FaultIT {

  private static final Duration BEFORE = Duration.ofMillis(1_000);
  private static final Duration AFTER = Duration.ofSeconds(3);

  private static String jar() {
    return System.getProperty("shop.jar");
  }

  private static void assertHolds(ChaosRun.Report report) {
    assertTrue(report.inFlightAtFault() > 0, "the fault struck with checkouts in flight: " + report);
    assertTrue(report.told2xx() > 0 && report.told4xx() > 0, "a mix of successes and refusals: " + report);
    assertTrue(report.consistent(), report::toString);
  }

  @Test
  @DisplayName("SIGKILL of the all-in-one process mid-load, restarted on the same DATA_DIR: no unit lost or doubled")
  void allInOneKilled(@TempDir Path work) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ShopProcesses shop = ShopProcesses.allInOne(jar(), work, Map.of())) {
      shop.startAll(vertx);
      assertHolds(new ChaosRun(vertx, shop, System.out).killAndRestart("all", BEFORE, Duration.ZERO, AFTER));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** A layout of shop processes, started once for the faults of a nested class and stopped after them. */
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  abstract static class Started {

    Vertx vertx;
    ShopProcesses shop;

    abstract ShopProcesses layout(Path work) throws IOException;

    @BeforeAll
    void start(@TempDir Path work) throws Exception {
      vertx = Vertx.vertx();
      shop = layout(work);
      shop.startAll(vertx);
    }

    @AfterAll
    void stop() throws Exception {
      if (shop != null) {
        shop.close();
      }
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** One process per role plus infra, started once; each role, then the infrastructure, killed in turn. */
  @Nested
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  @DisplayName("one process per role")
  class PerRole extends Started {

    @Override
    ShopProcesses layout(Path work) throws IOException {
      return ShopProcesses.perRole(jar(), work, Map.of());
    }

    @Order(1)
    @ParameterizedTest(name = "SIGKILL of the {0} process mid-load, restarted: invariants hold")
    @ValueSource(strings = {"order", "stock", "payment", "saga", "gateway"})
    void roleKilled(String role) throws Exception {
      assertHolds(new ChaosRun(vertx, shop, System.out).killAndRestart(role, BEFORE, Duration.ZERO, AFTER));
    }

    @Order(2)
    @Test
    @DisplayName("the infra process (Kafka, Mongo, MySQL) killed for 5 s under load: fast 503s, then all recovers")
    void infrastructureKilled() throws Exception {
      ChaosRun.Report report = new ChaosRun(vertx, shop, System.out)
        .killAndRestart("infra", BEFORE, Duration.ofSeconds(5), AFTER);
      assertHolds(report);
      assertTrue(report.told503() > 0, "checkouts were refused while the infrastructure was away: " + report);
      assertTrue(report.fast503() > 0, "once noticed, refused at once, not after waiting out a deadline: " + report);
    }

    @Order(3)
    @Test
    @DisplayName("the infra process frozen (SIGSTOP) for 12 s under load, then let go: checkouts are decided again, "
      + "invariants hold")
    void infrastructureFrozen() throws Exception {
      ChaosRun.Report report = new ChaosRun(vertx, shop, System.out)
        .freezeAndThaw("infra", BEFORE, Duration.ofSeconds(12), Duration.ofSeconds(15));
      assertHolds(report);
      assertTrue(report.decidedAfterMs() >= 0, "a checkout sent after the freeze was decided: " + report);
    }
  }

  /**
   * Infra and two processes of every role on partitioned topics, both gateways taking the load: one replica of each
   * role killed and restarted, the other killed and left dead while the survivors carry on.
   */
  @Nested
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  @DisplayName("two processes of every role")
  class Replicated extends Started {

    @Override
    ShopProcesses layout(Path work) throws IOException {
      return ShopProcesses.replicated(jar(), work, Map.of());
    }

    @Order(1)
    @ParameterizedTest(name = "SIGKILL of one {0} replica mid-load, restarted; then of the other, left dead: "
      + "invariants hold and checkouts are decided after each")
    @ValueSource(strings = {"order", "stock", "payment", "saga", "gateway"})
    void replicaKilled(String role) throws Exception {
      ChaosRun chaos = new ChaosRun(vertx, shop, System.out);
      assertHolds(chaos.killAndRestart(role + "-1", BEFORE, Duration.ZERO, AFTER));
      ChaosRun.Report alone = chaos.killForGood(role + "-2", BEFORE, AFTER);
      assertHolds(alone);
      assertTrue(alone.decidedAfterMs() >= 0, "the survivors decided checkouts sent after the kill: " + alone);
    }

    @Order(2)
    @Test
    @DisplayName("a three-minute nemesis soak — kills, freezes and infra restarts one after another under load: "
      + "every invariant holds and checkouts succeed again after every fault")
    void soak() throws Exception {
      SoakRun.Report report = new SoakRun(vertx, shop, System.out, new SoakRun.Settings(Duration.ofMinutes(3),
        Duration.ofSeconds(15), false, 40, System.nanoTime())).run();
      assertTrue(report.consistent(), () -> report.violations().toString());
      assertTrue(report.faults() >= 8, "a fault every 15 s: " + report);
      assertTrue(report.told2xx() > 0 && report.told4xx() > 0, "a mix of successes and refusals: " + report);
      assertTrue(report.worstRecoveryMs() >= 0, "checkouts succeeded again after every fault: " + report);
    }
  }
}
