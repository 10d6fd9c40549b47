package dev.sagashop.launcher;

import dev.sagashop.bench.ShopClient.Reply;
import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;

/** A checkout whose saga waits for the payment service, taken away for the while; the tests act on it meanwhile. */
record PaymentAway(Future<Reply> checkout, String saga) {

  /** What a test does while the saga waits. */
  @FunctionalInterface
  interface Meanwhile {
    void with(String saga) throws Exception;
  }

  /** Checks {@code order} out with the payment service away; {@code meanwhile} runs on its saga before it is back. */
  static PaymentAway checkout(String order, Meanwhile meanwhile) throws Exception {
    TestShop.shop().undeploy(Role.PAYMENT).await(30, TimeUnit.SECONDS);
    try {
      Future<Reply> pending = TestShop.client().post("/orders/checkout/" + order);
      String saga = awaitSaga(order, "RUNNING");
      meanwhile.with(saga);
      return new PaymentAway(pending, saga);
    } finally {
      TestShop.shop().deploy(Role.PAYMENT).await(30, TimeUnit.SECONDS);
    }
  }

  /** The checkout's answer, once the payment service is back. */
  Reply answer() {
    return TestShop.client().await(checkout);
  }

  /** The id of the order's saga once it is in {@code status}. */
  static String awaitSaga(String order, String status) throws InterruptedException {
    Reply saga = null;
    for (int i = 0; i < 300; i++) {
      saga = TestShop.get("/orders/" + order + "/saga");
      if (saga.status() == 200 && status.equals(saga.body().getString("status"))) {
        return saga.body().getString("saga_id");
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the saga of " + order + " is not " + status + ": " + saga.body().encode());
  }
}
