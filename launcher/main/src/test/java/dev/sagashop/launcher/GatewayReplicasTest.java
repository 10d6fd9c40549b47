package dev.sagashop.launcher;

import dev.sagashop.bench.ShopClient;
import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.LoopbackPorts;
import dev.sagashop.contracts.Services;
import dev.sagashop.contracts.StockApi;
import dev.sagashop.gateway.GatewayVerticle;
import dev.sagashop.gateway.RoleServer;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A gateway given several URLs of each service: it spreads calls over them, stops sending to one that is down, and
 * passes over one that hangs.
 */
class GatewayReplicasTest {

  @Test
  @DisplayName("with one of two replicas of every service down, every call through the gateway still succeeds, "
    + "and the dead replica's circuit opens")
  void oneReplicaDown() throws Exception {
    var vertx = TestShop.shop().vertx();
    JsonObject config = TestShop.shop().config();
    int rolePort = LoopbackPorts.orFree(0);
    int dead = LoopbackPorts.orFree(0);
    int gatewayPort = LoopbackPorts.orFree(0);
    String roleServer = roleServer(rolePort);
    JsonObject gatewayConfig = config.copy().put(ConfigKeys.GATEWAY_PORT, gatewayPort)
      .put(ConfigKeys.GATEWAY_INSTANCES, 1);
    for (String service : Services.ALL) {
      gatewayConfig.put(ConfigKeys.url(service), "http://127.0.0.1:" + dead + ", http://127.0.0.1:" + rolePort);
    }
    String gateway = deploy(new GatewayVerticle(), gatewayConfig);
    ShopClient client = new ShopClient(vertx, "http://127.0.0.1:" + gatewayPort, 16, 60_000);
    try {
      for (int i = 0; i < 6; i++) {
        String item = client.await(client.post("/stock/item/create/2")).body().getString("item_id");
        assertEquals(200, client.await(client.post("/stock/add/" + item + "/1")).status());
        String user = client.await(client.post("/payment/create_user")).body().getString("user_id");
        assertEquals(200, client.await(client.post("/payment/add_funds/" + user + "/2")).status());
        String order = client.await(client.post("/orders/create/" + user)).body().getString("order_id");
        assertEquals(200, client.await(client.post("/orders/addItem/" + order + "/" + item + "/1")).status());
        assertEquals(200, client.await(client.post("/orders/checkout/" + order)).status(), "checkout " + i);
        assertEquals(0, client.await(client.get("/stock/find/" + item)).body().getLong("stock"), "taken once");
      }
      String metrics = client.getText("/metrics").await(10, TimeUnit.SECONDS);
      for (String service : List.of("stock", "payment", "order")) {
        assertEquals(1, OperationsTest.metric(metrics, "saga_shop_circuit_open", "service=\"" + service + "\"",
          "replica=\"http://127.0.0.1:" + dead + "\""), service + "'s dead replica:\n" + metrics);
        assertEquals(0, OperationsTest.metric(metrics, "saga_shop_circuit_open", "service=\"" + service + "\"",
          "replica=\"http://127.0.0.1:" + rolePort + "\""), service + "'s live replica");
      }
    } finally {
      vertx.undeploy(gateway).await(30, TimeUnit.SECONDS);
      vertx.undeploy(roleServer).await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("a replica that hangs (takes calls, never answers) gets no new call once it holds one unanswered: "
    + "every later call goes to the replica that answers")
  void hungReplicaIsPassedOver() throws Exception {
    var vertx = TestShop.shop().vertx();
    JsonObject config = TestShop.shop().config();
    int rolePort = LoopbackPorts.orFree(0);
    int gatewayPort = LoopbackPorts.orFree(0);
    AtomicInteger taken = new AtomicInteger();
    HttpServer hung = vertx.createHttpServer().requestHandler(request -> taken.incrementAndGet())
      .listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    String roleServer = roleServer(rolePort);
    JsonObject gatewayConfig = config.copy().put(ConfigKeys.GATEWAY_PORT, gatewayPort)
      .put(ConfigKeys.GATEWAY_INSTANCES, 1).put(ConfigKeys.REQUEST_TIMEOUT_MS, 3_000)
      .put(ConfigKeys.url(StockApi.SERVICE), "http://127.0.0.1:" + hung.actualPort() + ",http://127.0.0.1:" + rolePort);
    String gateway = deploy(new GatewayVerticle(), gatewayConfig);
    ShopClient client = new ShopClient(vertx, "http://127.0.0.1:" + gatewayPort, 16, 60_000);
    try {
      // Two calls at once: in turn, one of them goes to each replica.
      List<Future<ShopClient.Reply>> first = List.of(client.post("/stock/item/create/2"),
        client.post("/stock/item/create/2"));
      while (taken.get() == 0) {
        Thread.sleep(20);
      }
      for (int i = 0; i < 10; i++) {
        assertEquals(200, client.await(client.post("/stock/item/create/2")).status(), "call " + i);
      }
      assertEquals(1, taken.get(), "the hung replica got the one call that went to it in turn, and no other");
      assertEquals(List.of(200, 504), Future.join(first).await(30, TimeUnit.SECONDS).list().stream()
        .map(reply -> ((ShopClient.Reply) reply).status()).sorted().toList());
    } finally {
      vertx.undeploy(gateway).await(30, TimeUnit.SECONDS);
      vertx.undeploy(roleServer).await(30, TimeUnit.SECONDS);
      hung.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** The operations of every service, served on {@code port} as a role process would. */
  private static String roleServer(int port) throws Exception {
    return deploy(new RoleServer(Services.ALL), TestShop.shop().config().copy().put(ConfigKeys.ROLE_PORT, port)
      .put(ConfigKeys.GATEWAY_HOST, "127.0.0.1"));
  }

  private static String deploy(Deployable verticle, JsonObject config) throws Exception {
    return TestShop.shop().vertx().deployVerticle(verticle, new DeploymentOptions().setConfig(config))
      .await(30, TimeUnit.SECONDS);
  }
}
