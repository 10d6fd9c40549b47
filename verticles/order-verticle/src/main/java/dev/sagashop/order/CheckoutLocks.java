package dev.sagashop.order;

import dev.sagashop.contracts.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes the orders' checkout locks, many in one round trip: a lock asked for while none is on its way goes at once
 * (one findAndModify); those asked for while one is out wait for it and then go together (one bulk write, then one
 * read of the orders it locked). Under load nearly every checkout waits on another, and one database call per
 * checkout was most of what the Mongo driver and server did for it. Used on the order verticle's context only.
 */
final class CheckoutLocks {

  /** The most locks one round trip carries; the rest go in the next. */
  private static final int MOST_PER_WRITE = 256;

  private record Request(String orderId, String sagaId, Promise<Order> locked) {
  }

  private final OrderStore orders;
  private final long waitAtMostMs;
  private List<Request> waiting = new ArrayList<>();
  /** When the round trip now out was sent (nanoTime), or -1 when none is. */
  private long outSince = -1;

  /** @param waitAtMostMs a lock asked for while the round trip out has taken longer is refused (503) at once */
  CheckoutLocks(OrderStore orders, long waitAtMostMs) {
    this.orders = orders;
    this.waitAtMostMs = waitAtMostMs;
  }

  /** Locks an open order that has items for checkout by this saga; the locked order, or null if it cannot be. */
  Future<Order> lock(String orderId, String sagaId) {
    if (outSince >= 0 && (System.nanoTime() - outSince) / 1_000_000 > waitAtMostMs) {
      // The database is not answering: fail fast, as the driver does for callers waiting on its connection pool.
      return Future.failedFuture(ServiceException.unavailable("the order database has not answered for "
        + waitAtMostMs + " ms; try again"));
    }
    Promise<Order> locked = Promise.promise();
    waiting.add(new Request(orderId, sagaId, locked));
    if (outSince < 0) {
      send();
    }
    return locked.future();
  }

  private void send() {
    List<Request> batch;
    if (waiting.size() <= MOST_PER_WRITE) {
      batch = waiting;
      waiting = new ArrayList<>();
    } else {
      batch = new ArrayList<>(waiting.subList(0, MOST_PER_WRITE));
      waiting = new ArrayList<>(waiting.subList(MOST_PER_WRITE, waiting.size()));
    }
    outSince = System.nanoTime();
    Future<Void> done = batch.size() == 1 ? lockOne(batch.get(0)) : lockAll(batch);
    done.onComplete(sent -> {
      outSince = -1;
      if (!waiting.isEmpty()) {
        send();
      }
    });
  }

  private Future<Void> lockOne(Request request) {
    Future<Order> locked = orders.lockForCheckout(request.orderId(), request.sagaId());
    locked.onComplete(request.locked());
    return locked.mapEmpty();
  }

  /**
   * One conditional update per order (the first request for an order: the others find it locked by that one's
   * saga, as they would have one by one), then one read: an order carrying a request's saga id is locked by it.
   * A failed write may still have locked some orders, so the read is made either way.
   */
  private Future<Void> lockAll(List<Request> batch) {
    Map<String, String> sagaByOrder = new LinkedHashMap<>();
    batch.forEach(request -> sagaByOrder.putIfAbsent(request.orderId(), request.sagaId()));
    return orders.lockAllForCheckout(sagaByOrder)
      .transform(written -> orders.findAll(sagaByOrder.keySet()).onComplete(read -> {
        for (Request request : batch) {
          if (read.failed()) {
            request.locked().fail(read.cause());
            continue;
          }
          Order order = read.result().get(request.orderId());
          if (order != null && order.status() == Order.Status.CHECKING_OUT
            && request.sagaId().equals(order.sagaId())) {
            request.locked().complete(order);
          } else if (written.failed()) {
            request.locked().fail(written.cause());
          } else {
            request.locked().complete(null);
          }
        }
      }))
      .mapEmpty();
  }
}
