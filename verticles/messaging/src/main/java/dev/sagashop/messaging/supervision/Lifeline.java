package dev.sagashop.messaging.supervision;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Settings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Let it crash: a verticle whose handler throws something unexpected does not limp on. It marks itself crashed,
 * stops taking work, and its ping fails, so the {@link ServiceSupervisor} redeploys a fresh instance, which picks the
 * unfinished work up again (Kafka redelivers what was not committed). What counts as unexpected is what
 * {@code dependencyAway} does not recognise as a dependency being away.
 *
 * <p>Also the test-only fault switch: with {@code FAULTS_ENABLED=true}, {@code <service>.fault {throw: n}} makes
 * the service's next n handler calls throw. The count is per process, not per instance, so it outlives the crash
 * it causes, as a real bug in the data would.
 */
public final class Lifeline {

  private static final Logger log = LoggerFactory.getLogger(Lifeline.class);
  private static final Map<String, AtomicInteger> ARMED = new ConcurrentHashMap<>();

  private final String service;
  private final boolean faultsEnabled;
  private final Predicate<Throwable> dependencyAway;
  private final List<Runnable> onCrash = new ArrayList<>();
  private volatile Throwable crash;

  public Lifeline(String service, JsonObject config, Predicate<Throwable> dependencyAway) {
    this.service = service;
    this.faultsEnabled = Settings.flag(config, ConfigKeys.FAULTS_ENABLED, false);
    this.dependencyAway = dependencyAway;
  }

  public String service() {
    return service;
  }

  /** Whether the failure is a dependency being away (worth waiting out) rather than a bug. */
  public boolean dependencyAway(Throwable failure) {
    return dependencyAway.test(failure);
  }

  boolean faultsEnabled() {
    return faultsEnabled;
  }

  /** Called by the verticle's own clean-up when it crashes (stop consuming, say). */
  public void onCrash(Runnable action) {
    onCrash.add(action);
  }

  /** Throws if the fault switch is armed; handlers call it where a bug would strike. */
  public void trip() {
    AtomicInteger armed = ARMED.get(service);
    if (armed != null && armed.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("fault injected into " + service);
    }
  }

  /** The verticle is broken: it stops taking work and waits to be redeployed. Idempotent. */
  public void crash(Throwable cause) {
    if (crash == null) {
      crash = cause;
      log.error("{} crashed; waiting for the supervisor to redeploy it", service, cause);
      onCrash.forEach(Runnable::run);
    }
  }

  public boolean crashed() {
    return crash != null;
  }

  /** The supervisor's ping: fails once the verticle has crashed. */
  Future<JsonObject> ping() {
    Throwable cause = crash;
    return cause == null ? Future.succeededFuture(new JsonObject().put("status", "UP"))
      : Future.failedFuture(new ServiceException(500, service + " crashed: " + cause));
  }

  /** The fault switch: the next {@code throw} handler calls throw. */
  Future<JsonObject> arm(JsonObject request) {
    int times = request.getInteger("throw", 1);
    ARMED.computeIfAbsent(service, s -> new AtomicInteger()).set(times);
    log.warn("{}: fault switch armed, the next {} handler calls throw", service, times);
    return Future.succeededFuture(new JsonObject().put("armed", times));
  }
}
