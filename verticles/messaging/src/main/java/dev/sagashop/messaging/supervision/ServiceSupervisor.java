package dev.sagashop.messaging.supervision;

import dev.sagashop.contracts.Meters;
import dev.sagashop.contracts.Supervision;
import dev.sagashop.contracts.Supervision.State;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Let it crash, and bring it back: deploys the service verticles of this process (order, stock, payment), pings
 * each over the event bus every {@value #PING_EVERY_MS} ms with a deadline, and redeploys one that crashed, stopped
 * answering or could not start — after a backoff that doubles from {@value #FIRST_BACKOFF_MS} ms to
 * {@value #MAX_BACKOFF_MS} ms, so a verticle whose database is down keeps being retried without a storm and
 * without taking the process down.
 * Restarts are logged and counted ({@code supervisor.status}, shown by {@code /health/ready} and {@code /metrics}).
 *
 * <p>This is the design's "supervising saga verticle": the launcher's {@code Shop} deploys it beside the coordinator.
 */
public class ServiceSupervisor extends VerticleBase {

  /** A supervised verticle: its service name (whose ping it answers), how to make one, how to deploy it. */
  public record Child(String service, Supplier<Deployable> factory, DeploymentOptions options) {
  }

  static final long PING_EVERY_MS = 1_000;
  static final long PING_DEADLINE_MS = 2_000;
  static final long FIRST_BACKOFF_MS = 250;
  static final long MAX_BACKOFF_MS = 10_000;
  /** Two missed pings in a row: one slow answer under load is not a crash. */
  static final int MISSES_TO_RESTART = 2;

  private static final Logger log = LoggerFactory.getLogger(ServiceSupervisor.class);

  private final class Supervised {
    final Child child;
    State state = State.STARTING;
    String deploymentId;
    int restarts;
    int misses;
    long backoff = FIRST_BACKOFF_MS;
    String lastFailure;
    Instant lastRestart;

    Supervised(Child child) {
      this.child = child;
    }
  }

  private final Map<String, Supervised> children = new LinkedHashMap<>();
  private final List<Meter> meters = new ArrayList<>();
  private MessageConsumer<JsonObject> status;
  private long timer;

  public ServiceSupervisor(List<Child> children) {
    children.forEach(child -> this.children.put(child.service(), new Supervised(child)));
  }

  /** Completes once every child has been deployed once (or has failed to, and is being retried). */
  @Override
  public Future<?> start() {
    status = vertx.eventBus().consumer(Supervision.STATUS, message -> message.reply(status()));
    for (Supervised child : children.values()) {
      meters.add(FunctionCounter.builder(Meters.VERTICLE_RESTARTS, child, supervised -> supervised.restarts)
        .tag("verticle", child.child.service()).description("Restarts of a supervised verticle")
        .register(Meters.registry()));
      meters.add(Gauge.builder(Meters.VERTICLE_UP, child, supervised -> supervised.state == State.RUNNING ? 1 : 0)
        .tag("verticle", child.child.service()).description("Whether a supervised verticle is running (1)")
        .register(Meters.registry()));
    }
    timer = vertx.setPeriodic(PING_EVERY_MS, tick -> children.values().forEach(this::ping));
    return Future.join(children.values().stream().map(this::deploy).toList()).transform(done -> status.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    meters.forEach(Meters.registry()::remove);
    // The children are undeployed with this verticle, being its children.
    return status.unregister();
  }

  /** Stops supervising and undeploys a child (an operator, or a test, taking it away on purpose). */
  public Future<Void> pause(String service) {
    return onContext(() -> {
      Supervised child = children.get(service);
      child.state = State.PAUSED;
      String id = child.deploymentId;
      child.deploymentId = null;
      return id == null ? Future.<Void>succeededFuture() : vertx.undeploy(id);
    });
  }

  /**
   * Stops supervising every child and undeploys them, for a process that is stopping. Undeploying this verticle
   * instead would not do: Vert.x stops a verticle's children before the verticle itself, and a ping meanwhile finds a
   * child that is still draining its work gone, and deploys it again.
   */
  public Future<Void> pauseAll() {
    return Future.join(children.keySet().stream().map(this::pause).toList()).mapEmpty();
  }

  /** Deploys a paused child again and supervises it. */
  public Future<Void> resume(String service) {
    return onContext(() -> {
      Supervised child = children.get(service);
      child.backoff = FIRST_BACKOFF_MS;
      return child.state == State.PAUSED ? deploy(child) : Future.<Void>succeededFuture();
    });
  }

  private Future<Void> onContext(Supplier<Future<Void>> action) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(nothing -> action.get().onComplete(done));
    return done.future();
  }

  private Future<Void> deploy(Supervised child) {
    child.state = State.STARTING;
    return vertx.deployVerticle(child.child.factory().get(), child.child.options())
      .onSuccess(id -> {
        if (child.state == State.PAUSED) {
          vertx.undeploy(id);
          return;
        }
        child.deploymentId = id;
        child.state = State.RUNNING;
        child.misses = 0;
        log.info("{} deployed{}", child.child.service(),
          child.restarts == 0 ? "" : " (restart " + child.restarts + ")");
      })
      .onFailure(failure -> {
        if (child.state != State.PAUSED) {
          restartLater(child, "could not start: " + failure.getMessage());
        }
      })
      .mapEmpty();
  }

  private void ping(Supervised child) {
    if (child.state != State.RUNNING) {
      return;
    }
    String deployment = child.deploymentId;
    vertx.eventBus().request(Supervision.ping(child.child.service()), new JsonObject(),
        new DeliveryOptions().setSendTimeout(PING_DEADLINE_MS))
      .onSuccess(pong -> {
        child.misses = 0;
        // A restarted child that has stayed up for a while earns a fresh backoff.
        if (child.lastRestart != null && child.lastRestart.plusSeconds(30).isBefore(Instant.now())) {
          child.backoff = FIRST_BACKOFF_MS;
        }
      })
      .onFailure(failure -> {
        if (child.state != State.RUNNING || !deployment.equals(child.deploymentId)) {
          return;
        }
        // No answer in time may be one slow moment; any other failure (crashed, not registered) is final.
        boolean crashed = !(failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT);
        if (crashed || ++child.misses >= MISSES_TO_RESTART) {
          child.state = State.RESTARTING;
          child.deploymentId = null;
          vertx.undeploy(deployment).onComplete(gone -> restartLater(child, failure.getMessage()));
        }
      });
  }

  private void restartLater(Supervised child, String reason) {
    child.state = State.RESTARTING;
    child.lastFailure = reason;
    long delay = child.backoff;
    child.backoff = Math.min(MAX_BACKOFF_MS, child.backoff * 2);
    log.warn("{} is down ({}); redeploying in {} ms", child.child.service(), reason, delay);
    vertx.setTimer(delay, tick -> {
      if (child.state == State.RESTARTING) {
        child.restarts++;
        child.lastRestart = Instant.now();
        deploy(child);
      }
    });
  }

  private JsonObject status() {
    JsonObject verticles = new JsonObject();
    children.forEach((service, child) -> verticles.put(service, new JsonObject()
      .put("state", child.state.name())
      .put("restarts", child.restarts)
      .put("last_failure", child.lastFailure)));
    return new JsonObject().put("verticles", verticles);
  }
}
