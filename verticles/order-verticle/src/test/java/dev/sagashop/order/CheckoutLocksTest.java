package dev.sagashop.order;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
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
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkout locks taken many at a time, against a Mongo-protocol server in this JVM. */
class CheckoutLocksTest {

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
  void orders() {
    orders = new OrderStore(mongo);
    mongo.removeDocuments(OrderStore.ORDERS, new JsonObject()).await();
    for (int i = 0; i < 5; i++) {
      orders.insert(Order.open("o" + i, "u1").withItem("i1", 1, 5)).await();
    }
    orders.insert(Order.open("empty", "u1")).await();
    orders.insert(Order.open("paid", "u1").withItem("i1", 1, 5)).await();
    orders.lockForCheckout("paid", "earlier").await();
    orders.settleAll(List.of(new Settlement("paid", "earlier", Status.PAID, null))).await();
  }

  /** Asks for these locks (order id, saga id) in one turn of a context, as concurrent checkouts would. */
  private static List<Order> lockTogether(CheckoutLocks locks, String... orderAndSaga) {
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

  private static <T> T onContext(Function<Context, Future<T>> work) {
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
