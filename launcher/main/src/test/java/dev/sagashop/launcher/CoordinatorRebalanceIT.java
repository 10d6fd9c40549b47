package dev.sagashop.launcher;

import dev.sagashop.bench.PaidOrders;
import dev.sagashop.bench.ShopClient;
import dev.sagashop.bench.ShopClient.Reply;
import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.LoopbackPorts;
import dev.sagashop.contracts.SagaApi;
import dev.sagashop.saga.SagaCoordinatorVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coordinators sharing the replies topic's partitions: a busy one loses some to a newcomer, mid-batch if the timing
 * falls so (its loop polls while it writes), and gets them back. A shop of its own, as the shared test shop's topics
 * have one partition, which a joining coordinator never takes from a busy one; in a JVM of its own (an IT), as a
 * second Vert.x instance closing takes the default metrics registry with it.
 */
class CoordinatorRebalanceIT {

  private static final long STOCK = 1_000_000;
  private static final long CREDIT = 1_000_000;

  @Test
  @DisplayName("a second coordinator joins and leaves three times under load: every caller is told the truth, no stock "
    + "or credit is lost or doubled, and no saga stays in the memory of a coordinator that lost its partition")
  void coordinatorsRebalanceUnderLoad() throws Exception {
    Path data = Files.createDirectories(Path.of("target", "rebalance-shop", UUID.randomUUID().toString()));
    JsonObject config = new JsonObject()
      .put("DATA_DIR", data.toString())
      .put("GATEWAY_HOST", "127.0.0.1")
      .put("GATEWAY_PORT", LoopbackPorts.orFree(0))
      .put(ConfigKeys.KAFKA_PARTITIONS, 4)
      .put("SAGA_RESEND_AFTER_MS", 2000);
    Shop shop = Shop.start(config, EnumSet.copyOf(Role.all()));
    try {
      ShopClient client = new ShopClient(shop.vertx(), "http://127.0.0.1:" + shop.gatewayPort(), 32, 60_000);
      String item = client.newItem(1, STOCK).await(30, TimeUnit.SECONDS);
      List<String> users = new ArrayList<>();
      for (int i = 0; i < 48; i++) {
        users.add(client.newUser(i % 6 == 0 ? 0 : CREDIT).await(30, TimeUnit.SECONDS)); // some sagas compensate
      }
      Map<String, Reply> told = new ConcurrentHashMap<>();
      AtomicBoolean loading = new AtomicBoolean(true);
      ExecutorService clients = Executors.newFixedThreadPool(users.size());
      List<Future<?>> running = new ArrayList<>();
      for (String user : users) {
        running.add(clients.submit(() -> {
          // Bounded: at most 1,440 checkouts in all, fewer once the rounds end.
          for (int i = 0; i < 30 && loading.get(); i++) {
            String order = client.await(client.post("/orders/create/" + user)).body().getString("order_id");
            assertEquals(200, client.await(client.post("/orders/addItem/" + order + "/" + item + "/1")).status());
            told.put(order, client.await(client.post("/orders/checkout/" + order)));
          }
        }));
      }
      DeploymentOptions options = new DeploymentOptions().setConfig(shop.config());
      String second = null;
      try {
        for (int round = 0; round < 3; round++) {
          Thread.sleep(300);
          second = shop.vertx().deployVerticle(new SagaCoordinatorVerticle(), options).await(60, TimeUnit.SECONDS);
          if (round < 2) {
            Thread.sleep(300);
            shop.vertx().undeploy(second).await(60, TimeUnit.SECONDS);
          }
        }
        // The last time, long enough for the second to commit what it handled of the partitions it took.
        Thread.sleep(1_200);
      } finally {
        loading.set(false);
        for (Future<?> load : running) {
          load.get(120, TimeUnit.SECONDS);
        }
        clients.shutdown();
      }
      // It commits the rest as it leaves, so the first is not handed those replies again. Every caller is answered,
      // and the sagas finish within moments; one the first kept from a partition it lost, which the second then
      // finished, would stay in its memory until it re-sends what it waits on, two seconds after sending it.
      shop.vertx().undeploy(second).await(60, TimeUnit.SECONDS);
      long active = activeSagas(shop);
      for (int i = 0; i < 12 && active > 0; i++) {
        Thread.sleep(50);
        active = activeSagas(shop);
      }
      assertEquals(0, active, "sagas in the coordinator's memory after all " + told.size() + " callers were answered");

      List<JsonObject> orders = new ArrayList<>();
      for (Map.Entry<String, Reply> outcome : told.entrySet()) {
        int status = outcome.getValue().status();
        String said = outcome.getKey() + " told " + status + " " + outcome.getValue().body();
        assertTrue(Set.of(200, 400).contains(status), said);
        JsonObject order = client.await(client.get("/orders/find/" + outcome.getKey())).body();
        assertEquals(status == 200, order.getBoolean("paid"), said);
        orders.add(order);
      }
      PaidOrders paid = PaidOrders.of(orders);
      assertTrue(paid.count() > 0, "some checkouts went through");
      assertEquals(STOCK, client.await(client.get("/stock/find/" + item)).body().getLong("stock") + paid.units(item),
        "stock + sold");
      for (int i = 0; i < users.size(); i++) {
        long initial = i % 6 == 0 ? 0 : CREDIT;
        assertEquals(initial, client.await(client.get("/payment/find_user/" + users.get(i))).body().getLong("credit")
          + paid.cost(users.get(i)), "credit + charged");
      }
    } finally {
      shop.close();
    }
  }

  private static long activeSagas(Shop shop) throws Exception {
    return ((JsonObject) shop.vertx().eventBus().request(SagaApi.HEALTH, new JsonObject())
      .await(10, TimeUnit.SECONDS).body()).getLong("active_sagas");
  }
}
