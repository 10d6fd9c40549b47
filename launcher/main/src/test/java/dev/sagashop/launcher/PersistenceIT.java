package dev.sagashop.launcher;

import dev.sagashop.bench.ShopClient;
import dev.sagashop.bench.ShopClient.Reply;
import dev.sagashop.bench.ShopProcesses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `java -jar saga-shop.jar` keeps what it acknowledged across a clean restart and across SIGKILL. */
class PersistenceIT {

  @TempDir
  Path work;
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** The all-in-one jar as a child process on {@code work}'s data, ready. */
  private ShopProcesses start() throws Exception {
    ShopProcesses shop = ShopProcesses.allInOne(System.getProperty("shop.jar"), work, Map.of());
    shop.startAll(vertx);
    return shop;
  }

  private ShopClient client(ShopProcesses shop) {
    return new ShopClient(vertx, shop.url(), 32, 10_000);
  }

  @Test
  @DisplayName("items, users and orders survive a clean stop and start on the same DATA_DIR")
  void cleanRestart() throws Exception {
    String item;
    String order;
    // Closing sends SIGTERM: a clean stop.
    try (ShopProcesses shop = start()) {
      ShopClient api = client(shop);
      item = api.await(api.post("/stock/item/create/5")).body().getString("item_id");
      api.await(api.post("/stock/add/" + item + "/42"));
      String user = api.await(api.post("/payment/create_user")).body().getString("user_id");
      order = api.await(api.post("/orders/create/" + user)).body().getString("order_id");
      assertEquals(200, api.await(api.post("/orders/addItem/" + order + "/" + item + "/3")).status());
    }
    try (ShopProcesses shop = start()) {
      ShopClient api = client(shop);
      assertEquals(42L, api.await(api.get("/stock/find/" + item)).body().getLong("stock"));
      assertEquals(15L, api.await(api.get("/orders/find/" + order)).body().getLong("total_cost"));
    }
  }

  @Test
  @DisplayName("every write acknowledged before a SIGKILL is there after restart, under concurrent load")
  void sigkillKeepsAcknowledgedWrites() throws Exception {
    try (ShopProcesses shop = start()) {
      ShopClient api = client(shop);
      assertEquals(200, api.await(api.post("/stock/batch_init/1/0/1")).status());
      List<Future<Reply>> adds = new ArrayList<>();
      CountDownLatch hundredAnswered = new CountDownLatch(100);
      for (int i = 0; i < 400; i++) {
        adds.add(api.post("/stock/add/0/1").onSuccess(reply -> hundredAnswered.countDown()));
      }
      // Kill while adds are still in flight: only those answered 200 must be there after the restart.
      assertTrue(hundredAnswered.await(30, TimeUnit.SECONDS));
      shop.kill("all");
      Future.join(adds).transform(done -> Future.succeededFuture()).await(30, TimeUnit.SECONDS);
      long acknowledged = adds.stream().filter(f -> f.succeeded() && f.result().status() == 200).count();

      shop.start("all");
      shop.awaitReady(vertx, Duration.ofSeconds(90));
      ShopClient again = client(shop);
      long stock = again.await(again.get("/stock/find/0")).body().getLong("stock");
      System.out.printf("SIGKILL during 400 adds: %d acknowledged, stock %d after restart%n", acknowledged, stock);
      // A write applied but killed before its reply may be there too; an acknowledged one must be.
      assertTrue(stock >= acknowledged && stock <= 400,
        "stock " + stock + " after " + acknowledged + " acknowledged adds");
    }
  }
}
