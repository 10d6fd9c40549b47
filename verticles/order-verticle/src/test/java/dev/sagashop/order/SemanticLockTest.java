package dev.sagashop.order;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sagashop.contracts.Checkout;
import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.order.Order.Status;
import dev.sagashop.order.OrderStore.Settlement;
import dev.sagashop.service.ServiceMongo;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order's semantic lock (OPEN → CHECKING_OUT → PAID or OPEN), one at a time and many at once, against a
 * Mongo-protocol server in this JVM.
 */
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
  @DisplayName("an order takes up to 500 distinct items and checks out; the 501st is refused with a 400, and an order "
    + "stored with more before that bound does not lock, alone or many at once")
  void ordersHoldABoundedNumberOfLines() {
    Order full = Order.open("full", "u1");
    for (int i = 0; i < Checkout.MAX_LINES; i++) {
      full = full.withItem("item-" + i, 1, 1);
    }
    Order atTheBound = full;
    ServiceException refused = assertThrows(ServiceException.class, () -> atTheBound.withItem("one-more", 1, 1));
    assertEquals(400, refused.status());
    assertEquals(Checkout.MAX_LINES, atTheBound.withItem("item-0", 1, 1).lines().size(),
      "more of an item it holds is no new line");
    orders.insert(full).await();
    assertNotNull(orders.lockForCheckout("full", "s1").await());

    List<Order.Line> lines = new ArrayList<>(full.lines());
    lines.add(new Order.Line("one-more", 1));
    Order over = new Order("over", "u1", List.copyOf(lines), full.totalCost() + 1, Status.OPEN, 0, null, null);
    orders.insert(over).await();
    assertNull(orders.lockForCheckout("over", "s2").await());
    orders.lockAllForCheckout(Map.of("over", "s3")).await();
    assertEquals(Status.OPEN, orders.find("over").await().status());
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

  /** The locks taken many in one round trip ({@link CheckoutLocks}), as concurrent checkouts take them. */
  @Nested
  class TakenManyAtOnce {

    @BeforeEach
    void moreOrders() {
      for (String id : List.of("o0", "o2", "o3", "o4")) {
        orders.insert(Order.open(id, "u1").withItem("i1", 1, 5)).await();
      }
      orders.insert(Order.open("paid", "u1").withItem("i1", 1, 5)).await();
      orders.lockForCheckout("paid", "earlier").await();
      orders.settleAll(List.of(new Settlement("paid", "earlier", Status.PAID, null))).await();
    }

    /** Asks for these locks (order id, saga id) in one turn of a context, as concurrent checkouts would. */
    private List<Order> lockTogether(CheckoutLocks locks, String... orderAndSaga) {
      return onContext(context -> {
        List<Future<Order>> locked = new ArrayList<>();
        for (int i = 0; i < orderAndSaga.length; i += 2) {
          locked.add(locks.lock(orderAndSaga[i], orderAndSaga[i + 1]));
        }
        return Future.join(locked).map(all -> {
          List<Order> results = new ArrayList<>();
          locked.forEach(lock -> results.add(lock.result()));
          return results;
        });
      });
    }

    private <T> T onContext(Function<Context, Future<T>> work) {
      Context context = vertx.getOrCreateContext();
      Promise<T> done = Promise.promise();
      context.runOnContext(go -> work.apply(context).onComplete(done));
      return done.future().await();
    }

    @Test
    @DisplayName("locks asked for together each lock their order for their saga, the first of two for one order wins")
    void locksTogether() {
      CheckoutLocks locks = new CheckoutLocks(orders, 5_000);
      List<Order> locked = lockTogether(locks, "o0", "s0", "o1", "s1", "o2", "s2", "o1", "late", "o3", "s3",
        "empty", "s4", "paid", "s5", "missing", "s6", "o4", "s7");
      Map<Integer, String> sagas = Map.of(0, "s0", 1, "s1", 2, "s2", 4, "s3", 8, "s7");
      sagas.forEach((i, saga) -> {
        Order order = locked.get(i);
        assertEquals(Status.CHECKING_OUT, order.status(), "request " + i);
        assertEquals(saga, order.sagaId());
        assertEquals(1, order.lines().size(), "the locked order comes with its items");
      });
      for (int i : new int[] {3, 5, 6, 7}) {
        assertNull(locked.get(i), "request " + i + " locked nothing");
      }
      assertEquals("s1", orders.find("o1").await().sagaId(), "the second request for o1 did not take it");
      assertEquals(Status.OPEN, orders.find("empty").await().status());
      assertEquals(Status.PAID, orders.find("paid").await().status());
    }

    @Test
    @DisplayName("an order locked already is not locked again, alone or together with others")
    void lockedStaysLocked() {
      CheckoutLocks locks = new CheckoutLocks(orders, 5_000);
      lockTogether(locks, "o0", "s0");
      List<Order> again = lockTogether(locks, "o0", "t0", "o1", "t1", "o0", "t2");
      assertNull(again.get(0));
      assertEquals("t1", again.get(1).sagaId());
      assertNull(again.get(2));
      assertEquals("s0", orders.find("o0").await().sagaId());
    }

    @Test
    @DisplayName("while the database does not answer, a further lock is refused with a 503 at once")
    void failsFastWhileTheDatabaseIsSilent() throws Exception {
      try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        Thread acceptor = new Thread(() -> {
          List<Socket> held = new ArrayList<>();
          try {
            while (true) {
              held.add(silent.accept());
            }
          } catch (Exception closed) {
            held.forEach(socket -> {
              try {
                socket.close();
              } catch (Exception ignored) {
                // closing anyway
              }
            });
          }
        });
        acceptor.start();
        MongoClient stuck = ServiceMongo.client(vertx, new JsonObject()
          .put(ConfigKeys.MONGO_URL, "mongodb://127.0.0.1:" + silent.getLocalPort()).put("MONGO_TIMEOUT_MS", 3_000),
          "silent"); // a name of its own: clients of one name are shared
        try {
          CheckoutLocks locks = new CheckoutLocks(new OrderStore(stuck), 100);
          long started = System.nanoTime();
          Throwable refused = onContext(context -> {
            locks.lock("o0", "s0");
            Promise<Throwable> second = Promise.promise();
            vertx.setTimer(300, timer -> locks.lock("o1", "s1").onComplete(result -> second.complete(result.cause())));
            return second.future();
          });
          long tookMs = (System.nanoTime() - started) / 1_000_000;
          assertInstanceOf(ServiceException.class, refused);
          assertEquals(503, ((ServiceException) refused).status());
          assertTrue(tookMs < 2_000, "refused after " + tookMs + " ms, before the driver's own timeout");
        } finally {
          stuck.close().await();
          silent.close();
          acceptor.join(5_000);
        }
      }
    }
  }
}
