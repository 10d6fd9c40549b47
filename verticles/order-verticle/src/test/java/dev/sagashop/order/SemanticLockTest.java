package dev.sagashop.order;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.order.Order.Status;
import dev.sagashop.order.OrderStore.Settlement;
import dev.sagashop.service.ServiceMongo;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The order's semantic lock (OPEN → CHECKING_OUT → PAID or OPEN) against a Mongo-protocol server in this JVM. */
class SemanticLockTest {

  private static MongoServer server;
  private static Vertx vertx;
  private static MongoClient mongo;
  private OrderStore orders;

  @BeforeAll
  static void startServer() {
    server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", 0);
    vertx = Vertx.vertx();
    mongo = ServiceMongo.client(vertx, new JsonObject().put(ConfigKeys.MONGO_URL,
      "mongodb://127.0.0.1:" + server.getLocalAddress().getPort()), "order");
  }

  @AfterAll
  static void stopServer() {
    mongo.close().await();
    vertx.close().await();
    server.shutdownNow();
  }

  @BeforeEach
  void anOrderWithAnItem() {
    orders = new OrderStore(mongo);
    mongo.removeDocuments(OrderStore.ORDERS, new JsonObject()).await();
    orders.insert(Order.open("o1", "u1").withItem("i1", 2, 5)).await();
    orders.insert(Order.open("empty", "u1")).await();
  }

  private Status status() {
    return orders.find("o1").await().status();
  }

  @Test
  @DisplayName("an open order with items locks for one saga; a second lock finds it taken")
  void lockIsExclusive() {
    Order locked = orders.lockForCheckout("o1", "s1").await();
    assertNotNull(locked);
    assertEquals(Status.CHECKING_OUT, locked.status());
    assertEquals("s1", locked.sagaId());
    assertNull(orders.lockForCheckout("o1", "s2").await(), "the order is being checked out");
    assertEquals("s1", orders.find("o1").await().sagaId());
  }

  @Test
  @DisplayName("an order without items cannot be locked")
  void emptyOrderDoesNotLock() {
    assertNull(orders.lockForCheckout("empty", "s1").await());
  }

  @Test
  @DisplayName("a locked order refuses changes made from a read before the lock")
  void lockedOrderRefusesChanges() {
    Order read = orders.find("o1").await();
    orders.lockForCheckout("o1", "s1").await();
    assertFalse(orders.replaceIfUnchanged(read.withItem("i2", 1, 1), read.version()).await());
    assertEquals(1, orders.find("o1").await().lines().size());
  }

  @Test
  @DisplayName("only the saga that holds the lock settles the order; paid is final")
  void onlyTheHolderSettles() {
    orders.lockForCheckout("o1", "s1").await();
    assertEquals(0, orders.settleAll(List.of(new Settlement("o1", "other", Status.PAID, null))).await());
    assertEquals(Status.CHECKING_OUT, status());
    assertEquals(1, orders.settleAll(List.of(new Settlement("o1", "s1", Status.PAID, null))).await());
    assertEquals(Status.PAID, status());
    assertNull(orders.lockForCheckout("o1", "s2").await(), "a paid order is never checked out again");
    assertEquals(0, orders.settleAll(List.of(new Settlement("o1", "s1", Status.OPEN, "late"))).await(),
      "a late reopen of a paid order changes nothing");
    assertEquals(Status.PAID, status());
  }

  @Test
  @DisplayName("a reopened order keeps the reason, takes changes, and locks again for a new saga")
  void reopenedOrderLocksAgain() {
    orders.lockForCheckout("o1", "s1").await();
    orders.settleAll(List.of(new Settlement("o1", "s1", Status.OPEN, "insufficient stock"))).await();
    Order reopened = orders.find("o1").await();
    assertEquals(Status.OPEN, reopened.status());
    assertEquals("insufficient stock", reopened.lastError());
    Order locked = orders.lockForCheckout("o1", "s2").await();
    assertEquals("s2", locked.sagaId());
    assertNull(locked.lastError(), "a new checkout clears the old reason");
  }
}
