package dev.sagashop.launcher;

import dev.sagashop.bench.ShopClient.Reply;
import dev.sagashop.saga.SagaCoordinatorVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica of a service leaving while another stays, as coordinators do when scaled down: callers should not notice.
 * The gateway's checkout gate asks the same health operation as readiness does, so a failed answer here is a burst
 * of checkouts refused with 503.
 */
class LeavingReplicaTest {

  @Test
  @DisplayName("while a second saga coordinator is undeployed, the shop stays ready: the one still running answers "
    + "every health check")
  void leavingCoordinatorTakesNoMoreRequests() throws Exception {
    Vertx vertx = TestShop.shop().vertx();
    DeploymentOptions options = new DeploymentOptions().setConfig(TestShop.shop().config());
    for (int round = 0; round < 5; round++) {
      String second = vertx.deployVerticle(new SagaCoordinatorVerticle(), options).await(60, TimeUnit.SECONDS);
      AtomicBoolean asking = new AtomicBoolean(true);
      AtomicInteger answered = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      List<Thread> askers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Thread asker = new Thread(() -> {
          while (asking.get()) {
            Reply ready = TestShop.get("/health/ready");
            answered.incrementAndGet();
            if (ready.status() != 200) {
              failures.add(ready.status() + " " + ready.body().getString("error"));
            }
          }
        });
        asker.start();
        askers.add(asker);
      }
      try {
        awaitAnswers(answered, askers.size());
        vertx.undeploy(second).await(60, TimeUnit.SECONDS);
        awaitAnswers(answered, answered.get() + askers.size());
      } finally {
        asking.set(false);
        for (Thread asker : askers) {
          asker.join();
        }
      }
      assertEquals(List.of(), List.copyOf(failures), "round " + round);
    }
  }

  /** Waits until the askers have had {@code count} answers in all: they were asking before, and after, it left. */
  private static void awaitAnswers(AtomicInteger answered, int count) throws InterruptedException {
    for (int i = 0; i < 600 && answered.get() < count; i++) {
      Thread.sleep(10);
    }
    assertTrue(answered.get() >= count, "no answers to readiness within 6 s");
  }
}
