package dev.sagashop.order;

import dev.sagashop.contracts.Checkout;
import dev.sagashop.contracts.Ids;
import dev.sagashop.contracts.MessageTypes;
import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.contracts.SagaMessage.Outcome;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Topics;
import dev.sagashop.order.OrderStore.Settlement;
import dev.sagashop.messaging.Participant;
import dev.sagashop.messaging.SagaMdc;
import dev.sagashop.messaging.SagaProducer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checkout as the order service sees it: the initiator of the saga and the participant that settles the order.
 * A checkout locks the order (OPEN → CHECKING_OUT, a semantic lock naming its saga) and asks the coordinator for
 * the saga; the caller then waits for the saga's outcome, which this service itself applies: MarkOrderPaid or
 * ReopenOrder. A second checkout of a locked order joins the first; of a paid one answers at once.
 *
 * <p>The outcome reaches the waiting caller three ways, whichever comes first: applied here; broadcast on
 * {@code order.outcomes} by the replica that applied it (when {@code ORDER_OUTCOME_BROADCAST} is on, as it must be
 * for several replicas to answer promptly); or, for a caller waiting long, read back from the order.
 * The order document is also the outbox: an order locked but not announced (a crash in between) is announced again
 * on start, and by any later checkout that joins it.
 */
final class Checkouts implements Participant.CommandHandler {

  private static final Logger log = LoggerFactory.getLogger(Checkouts.class);
  private static final int LOCK_ATTEMPTS = 4;
  /** Callers waiting longer than this have their order read back in case an outcome message was missed. */
  static final Duration READ_BACK_AFTER = Duration.ofSeconds(3);
  private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(10);

  private final OrderStore orders;
  private final CheckoutLocks locks;
  /** The same orders through the participant's own connections, for the sagas' outcomes. */
  private final OrderStore settling;
  private final SagaProducer producer;
  private final boolean broadcast;
  private final CheckoutWaiters waiters = new CheckoutWaiters();
  private boolean sweeping;

  /** @param broadcast tell other order replicas of each outcome (needed only when there are several) */
  Checkouts(OrderStore orders, CheckoutLocks locks, OrderStore settling, SagaProducer producer, boolean broadcast) {
    this.orders = orders;
    this.locks = locks;
    this.settling = settling;
    this.producer = producer;
    this.broadcast = broadcast;
  }

  /** The paid order once the checkout saga completed, or a 400 with the reason it was refused. */
  Future<JsonObject> checkout(String orderId) {
    return attempt(orderId, 1);
  }

  private Future<JsonObject> attempt(String orderId, int attempt) {
    return locks.lock(orderId, Ids.newOrderedId()).compose(locked -> locked != null ? start(locked)
      : orders.find(orderId).compose(order -> switch (order.status()) {
        case PAID -> Future.succeededFuture(order.toApi());
        case CHECKING_OUT -> join(order);
        case OPEN -> order.lines().isEmpty()
          ? Future.failedFuture(ServiceException.badRequest("order " + orderId + " has no items to check out"))
          : order.lines().size() > Checkout.MAX_LINES
          ? Future.failedFuture(ServiceException.badRequest("order " + orderId + " holds " + order.lines().size()
            + " distinct items; at most " + Checkout.MAX_LINES + " can be checked out"))
          // Reopened between the lock attempt and the read: try again.
          : attempt < LOCK_ATTEMPTS ? attempt(orderId, attempt + 1)
          : Future.failedFuture(ServiceException.conflict("order " + orderId + " is being changed concurrently"));
      }));
  }

  private Future<JsonObject> start(Order locked) {
    Future<JsonObject> outcome = waiters.await(locked);
    try (SagaMdc about = SagaMdc.of(locked.sagaId(), null)) {
      log.debug("saga={} order={} locked for checkout", locked.sagaId(), locked.id());
    }
    return announce(locked, MessageTypes.CHECKOUT_STARTED).transform(announced -> announced.succeeded() ? outcome
      : Future.failedFuture(ServiceException.unavailable("checkout of order " + locked.id()
        + " could not be started (" + announced.cause().getMessage() + "); ask again to resume it")));
  }

  private Future<JsonObject> join(Order order) {
    Future<JsonObject> outcome = waiters.await(order);
    // The first caller's announcement may have been lost with its process; the coordinator ignores repeats.
    announce(order, MessageTypes.CHECKOUT_REQUESTED);
    return outcome;
  }

  /** Asks the coordinator for the order's saga: {@code CHECKOUT_STARTED} the first time, else a repeat. */
  private Future<Void> announce(Order order, String type) {
    return producer.send(Topics.SAGA_REPLIES, SagaMessage.command(order.sagaId(), 0, type, order.checkout().toJson()));
  }

  @Override
  public void validate(SagaMessage command) {
    Checkout.fromJson(command.payload());
    if (!MessageTypes.MARK_ORDER_PAID.equals(command.type()) && !MessageTypes.REOPEN_ORDER.equals(command.type())) {
      throw new IllegalArgumentException("unknown command type " + command.type());
    }
  }

  /** Applies the sagas' outcomes to their orders: pay them, or reopen them with the reason. */
  @Override
  public Future<List<SagaMessage>> apply(List<SagaMessage> commands) {
    List<Settlement> settlements = commands.stream().map(command -> {
      String orderId = Checkout.fromJson(command.payload()).orderId();
      return MessageTypes.MARK_ORDER_PAID.equals(command.type())
        ? new Settlement(orderId, command.sagaId(), Order.Status.PAID, null)
        : new Settlement(orderId, command.sagaId(), Order.Status.OPEN,
          command.payload().getString("reason", "checkout refused"));
    }).toList();
    return settling.settleAll(settlements).compose(matched -> {
      if (matched == settlements.size() && !broadcast) {
        // Every order was still locked by its saga and is now settled: answer the callers from what they saw.
        List<SagaMessage> replies = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
          Settlement settlement = settlements.get(i);
          Order locked = waiters.lockedBy(settlement.orderId(), settlement.sagaId());
          if (locked != null) {
            settled(locked.settled(settlement.status(), settlement.reason()));
          }
          replies.add(commands.get(i).reply(Outcome.DONE, null));
        }
        return Future.succeededFuture(replies);
      }
      return settling.findAll(settlements.stream().map(Settlement::orderId).distinct().toList())
        .map(after -> replies(commands, settlements, after));
    });
  }

  /** The slow path: replies from the orders as they are after the settlements. */
  private List<SagaMessage> replies(List<SagaMessage> commands, List<Settlement> settlements,
                                    Map<String, Order> after) {
    List<SagaMessage> replies = new ArrayList<>(commands.size());
    for (int i = 0; i < commands.size(); i++) {
      Settlement settlement = settlements.get(i);
      Order order = after.get(settlement.orderId());
      boolean holds = order != null && order.status() == settlement.status()
        && settlement.sagaId().equals(order.sagaId());
      if (holds) {
        settled(order);
      }
      // A reopen finding the order no longer locked by its saga was done earlier: that is what was asked.
      replies.add(holds || settlement.status() == Order.Status.OPEN
        ? commands.get(i).reply(Outcome.DONE, null)
        : commands.get(i).reply(Outcome.REFUSED, "order " + settlement.orderId()
          + " is not being checked out by saga " + settlement.sagaId()));
    }
    return replies;
  }

  /** A checkout outcome, durable in the order: answer the callers here and tell the other replicas. */
  private void settled(Order order) {
    waiters.complete(order.id(), order.sagaId(), order.toApi());
    if (!broadcast) {
      return;
    }
    JsonObject outcome = new JsonObject().put("order", order.toApi());
    producer.send(Topics.ORDER_OUTCOMES, new SagaMessage(order.sagaId(), 0, MessageTypes.CHECKOUT_SETTLED,
        Ids.newId(), outcome))
      .onFailure(failure -> log.warn("order={} outcome not broadcast ({}); other replicas will read it back",
        order.id(), failure.toString()));
  }

  /** An outcome another replica applied; true if it answered callers waiting here. */
  boolean onBroadcast(SagaMessage settled) {
    JsonObject order = settled.payload().getJsonObject("order");
    return waiters.complete(order.getString("order_id"), settled.sagaId(), order);
  }

  /** This instance is going away: its callers learn so now rather than by timing out. The sagas carry on. */
  void abandon() {
    waiters.abandonAll(ServiceException.unavailable("the order service restarted during the checkout; "
      + "it carries on: check out again to learn its outcome"));
  }

  /**
   * For callers waiting long: read their orders back, and announce their sagas again. One query for them all, and
   * none while the last is still out: after a frozen database or broker every caller has waited long, and a read
   * each, every sweep, would queue ahead of the sagas' own writes just when they have the most to catch up on.
   */
  void sweep() {
    if (sweeping) {
      return;
    }
    Instant now = Instant.now();
    Map<String, String> reading = new HashMap<>();
    for (CheckoutWaiters.Waiter waiter : waiters.waitingLongerThan(READ_BACK_AFTER, now)) {
      if (Duration.between(waiter.since(), now).compareTo(GIVE_UP_AFTER) > 0) {
        waiters.giveUp(waiter, ServiceException.unavailable("checkout of order " + waiter.orderId()
          + " is still in progress; ask again for its outcome"));
      } else {
        reading.put(waiter.orderId(), waiter.sagaId());
      }
    }
    if (reading.isEmpty()) {
      return;
    }
    sweeping = true;
    orders.findAll(reading.keySet()).onComplete(read -> sweeping = false).onSuccess(found -> found.values()
      .forEach(order -> {
        if (order.status() == Order.Status.CHECKING_OUT) {
          announce(order, MessageTypes.CHECKOUT_REQUESTED);
        } else {
          waiters.complete(order.id(), reading.get(order.id()), order.toApi());
        }
      }));
  }

  /** Announces every locked order again: after a crash some may never have reached the coordinator. */
  Future<Void> recover() {
    return orders.checkingOut().compose(locked -> {
      if (!locked.isEmpty()) {
        log.info("announcing {} checkouts again that were in progress before this start", locked.size());
      }
      return Future.all(locked.stream().map(order -> announce(order, MessageTypes.CHECKOUT_REQUESTED)).toList())
        .mapEmpty();
    });
  }
}
