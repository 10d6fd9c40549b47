package dev.sagashop.order;

import dev.sagashop.contracts.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The callers waiting for a checkout's outcome, one entry per order: every caller of one saga of one order shares
 * it. An outcome completes the entry only if it is the outcome of the saga the callers wait for.
 */
final class CheckoutWaiters {

  /** Callers waiting for the outcome of one saga of one order, which they saw locked as {@code order}. */
  record Waiter(String orderId, String sagaId, Order order, Promise<JsonObject> outcome, Instant since) {
  }

  private final Map<String, Waiter> waiters = new HashMap<>();

  /** The outcome of the saga that holds {@code order} locked, shared with every other caller waiting for it. */
  Future<JsonObject> await(Order order) {
    Waiter waiter = waiters.get(order.id());
    if (waiter == null || !waiter.sagaId().equals(order.sagaId())) {
      waiter = new Waiter(order.id(), order.sagaId(), order, Promise.promise(), Instant.now());
      waiters.put(order.id(), waiter);
    }
    return waiter.outcome().future();
  }

  /** The order as the callers of this saga saw it locked, or null if nobody waits for that saga. */
  Order lockedBy(String orderId, String sagaId) {
    Waiter waiter = waiters.get(orderId);
    return waiter != null && waiter.sagaId().equals(sagaId) ? waiter.order() : null;
  }

  /**
   * Answers the callers of this saga with the order as it now is: paid, or refused with its last error. False if
   * nobody here waited for it.
   */
  boolean complete(String orderId, String sagaId, JsonObject order) {
    Waiter waiter = waiters.get(orderId);
    if (waiter == null || !waiter.sagaId().equals(sagaId)) {
      return false;
    }
    waiters.remove(orderId);
    if (order.getBoolean("paid")) {
      waiter.outcome().tryComplete(order);
    } else {
      waiter.outcome().tryFail(ServiceException.badRequest("checkout of order " + orderId + " refused: "
        + order.getString("last_error", "the saga was aborted")));
    }
    return true;
  }

  /** Callers that have waited longer than {@code after}. */
  List<Waiter> waitingLongerThan(Duration after, Instant now) {
    return waiters.values().stream().filter(waiter -> Duration.between(waiter.since(), now).compareTo(after) > 0)
      .toList();
  }

  /** Fails this entry's callers with {@code why} (if it is still theirs). */
  void giveUp(Waiter waiter, ServiceException why) {
    if (waiters.remove(waiter.orderId(), waiter)) {
      waiter.outcome().tryFail(why);
    }
  }

  /** Fails every caller with {@code why}: this instance is going away. */
  void abandonAll(ServiceException why) {
    waiters.values().forEach(waiter -> waiter.outcome().tryFail(why));
    waiters.clear();
  }
}
