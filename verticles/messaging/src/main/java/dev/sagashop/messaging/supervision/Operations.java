package dev.sagashop.messaging.supervision;

import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Supervision;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A service's operations on the event bus: each address maps to a handler from request JSON to reply JSON.
 * A {@link ServiceException} reaches the caller as its status and message; a dependency being away as a 503;
 * anything else is logged and reported as a 500, without internals. Under a {@link Lifeline}, a handler that
 * throws crashes its verticle (let it crash), and a crashed verticle takes no more requests. A verticle closes its
 * operations first when it stops, so that a replica beside it (another coordinator, say) takes every request meanwhile,
 * rather than one whose clients and pools are closing under it.
 */
public final class Operations {

  private static final Logger log = LoggerFactory.getLogger(Operations.class);

  /** How long a closing verticle waits for the requests it took to be answered before it closes what they use. */
  static final long DRAIN_MS = 5_000;

  /** Handles one request. */
  @FunctionalInterface
  public interface Operation {
    Future<JsonObject> handle(JsonObject request);
  }

  private final Vertx vertx;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private Lifeline lifeline;
  private int answering;
  private Promise<Void> drained;

  private Operations(Vertx vertx) {
    this.vertx = vertx;
  }

  public static Operations on(Vertx vertx) {
    return new Operations(vertx);
  }

  /** Adds the service's ping (and fault switch) and lets handler bugs crash the verticle. Call before handle. */
  public Operations supervisedBy(Lifeline lifeline) {
    handle(Supervision.ping(lifeline.service()), request -> lifeline.ping());
    if (lifeline.faultsEnabled()) {
      handle(Supervision.fault(lifeline.service()), lifeline::arm);
    }
    this.lifeline = lifeline;
    return this;
  }

  public Operations handle(String address, Operation operation) {
    // Supervision's own operations are registered before the lifeline is set, so they stay unguarded.
    Lifeline guard = lifeline;
    consumers.add(vertx.eventBus().<JsonObject>consumer(address,
      message -> dispatch(address, operation, guard, message)));
    return this;
  }

  /** Completes once every consumer is registered. */
  public Future<Void> registered() {
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /**
   * Takes no more requests (the event bus sends them to a replica still here, if any) and completes once those taken
   * are answered, or after {@value #DRAIN_MS} ms; at once for a crashed verticle, whose restart should not wait.
   * Called on the verticle's context, as the handlers run.
   */
  public Future<Void> close() {
    Future<Void> unregistered = Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    consumers.clear();
    if (drained == null) {
      drained = Promise.promise();
      if (answering == 0 || lifeline != null && lifeline.crashed()) {
        drained.complete();
      } else {
        long late = vertx.setTimer(DRAIN_MS, fired -> {
          log.warn("closing with {} requests still unanswered after {} ms", answering, DRAIN_MS);
          drained.tryComplete();
        });
        drained.future().onComplete(answered -> vertx.cancelTimer(late));
      }
    }
    return Future.all(unregistered, drained.future()).mapEmpty();
  }

  private void dispatch(String address, Operation operation, Lifeline lifeline, Message<JsonObject> message) {
    Future<JsonObject> reply;
    if (lifeline != null && lifeline.crashed()) {
      message.fail(503, "the " + lifeline.service() + " service is restarting");
      return;
    }
    try {
      if (lifeline != null) {
        lifeline.trip();
      }
      JsonObject body = message.body();
      reply = operation.handle(body == null ? new JsonObject() : body);
    } catch (ServiceException refusal) {
      reply = Future.failedFuture(refusal);
    } catch (RuntimeException bug) {
      if (lifeline != null) {
        lifeline.crash(bug);
      }
      reply = Future.failedFuture(bug);
    }
    answering++;
    reply.onSuccess(message::reply).onFailure(failure -> {
      if (failure instanceof ServiceException refusal) {
        message.fail(refusal.status(), refusal.getMessage());
      } else if (lifeline != null ? lifeline.dependencyAway(failure) : Failures.COMMON.test(failure)) {
        log.warn("{} failed: {}", address, failure.toString());
        message.fail(503, address + " failed: a dependency is unreachable (" + failure.getClass().getSimpleName() + ")");
      } else {
        log.error("{} failed", address, failure);
        message.fail(500, address + " failed: " + failure.getClass().getSimpleName());
      }
    });
    reply.onComplete(answered -> {
      if (--answering == 0 && drained != null) {
        drained.tryComplete();
      }
    });
  }
}
