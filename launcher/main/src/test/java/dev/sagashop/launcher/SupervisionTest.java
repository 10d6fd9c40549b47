package dev.sagashop.launcher;

import dev.sagashop.bench.ShopClient.Reply;
import dev.sagashop.contracts.Supervision;
import dev.sagashop.contracts.Topics;
import dev.sagashop.messaging.KafkaSettings;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.sagashop.launcher.Ledger.checkout;
import static dev.sagashop.launcher.Ledger.credit;
import static dev.sagashop.launcher.Ledger.findOrder;
import static dev.sagashop.launcher.Ledger.stock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Let it crash: verticles made to throw by the test-only fault switch are redeployed, and nothing is lost. */
class SupervisionTest {

  private final Ledger ledger = new Ledger();

  @AfterEach
  void disarm() throws Exception {
    arm("stock", 0);
    arm("payment", 0);
  }

  @Test
  @DisplayName("a stock verticle that throws in its command handler is redeployed by the supervisor and the saga finishes")
  void crashedParticipantIsRedeployed() throws Exception {
    String item = ledger.item(3, 10);
    String user = ledger.user(50);
    String order = ledger.order(user, item, 2);
    int before = restarts("stock");

    arm("stock", 1);
    Reply reply = checkout(order);

    assertEquals(200, reply.status(), reply.body()::encode);
    assertTrue(restarts("stock") > before, "the supervisor restarted the stock verticle");
    assertEquals(8, stock(item));
    assertEquals(44, credit(user));
    awaitReady();
    String metrics = TestShop.client().await(TestShop.client().get("/metrics")).body().getString("raw");
    assertEquals(restarts("stock"), OperationsTest.metric(metrics, "saga_shop_verticle_restarts_total", "verticle=\"stock\""),
      metrics);
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("a command that crashes its participant every time is dead-lettered after 3 tries and its saga compensated")
  void poisonCommandIsDeadLettered() throws Exception {
    String item = ledger.item(3, 10);
    String user = ledger.user(50);
    String order = ledger.order(user, item, 1);
    int before = restarts("payment");

    arm("payment", 1_000);
    Reply reply = checkout(order);

    arm("payment", 0);
    assertEquals(400, reply.status(), reply.body()::encode);
    assertTrue(restarts("payment") >= before + 3, "crashed and restarted three times");
    awaitReady();
    assertFalse(findOrder(order).getBoolean("paid"));
    assertEquals(10, stock(item), "the reservation was released");
    assertEquals(50, credit(user));
    String sagaId = TestShop.get("/orders/" + order + "/saga").body().getString("saga_id");
    assertTrue(deadLetterNames(sagaId), "the command is on " + Topics.DEAD_LETTERS);
    ledger.assertConsistent();
  }

  static void arm(String service, int times) throws Exception {
    TestShop.shop().vertx().eventBus().request(Supervision.fault(service), new JsonObject().put("throw", times))
      .await(10, TimeUnit.SECONDS);
  }

  static int restarts(String service) throws Exception {
    JsonObject status = (JsonObject) TestShop.shop().vertx().eventBus()
      .request(Supervision.STATUS, new JsonObject()).await(10, TimeUnit.SECONDS).body();
    return status.getJsonObject("verticles").getJsonObject(service).getInteger("restarts");
  }

  private static void awaitReady() throws InterruptedException {
    Reply ready = null;
    for (int i = 0; i < 100; i++) {
      ready = TestShop.get("/health/ready");
      if (ready.status() == 200) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not ready again: " + ready.body().encode());
  }

  private static boolean deadLetterNames(String sagaId) throws Exception {
    var settings = KafkaSettings.consumer(TestShop.shop().config(), "dlq-reader", "dlq-reader-" + System.nanoTime());
    KafkaConsumer<String, String> consumer = KafkaConsumer.create(TestShop.shop().vertx(), settings);
    try {
      consumer.subscribe(Set.of(Topics.DEAD_LETTERS)).await(10, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))
          .await(10, TimeUnit.SECONDS).records()) {
          if (record.value().contains(sagaId)) {
            return true;
          }
        }
      }
      return false;
    } finally {
      consumer.close().await(10, TimeUnit.SECONDS);
    }
  }
}
