package dev.sagashop.messaging.supervision;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closing a verticle's operations as it stops: no new requests, and those taken answered first. */
class OperationsTest {

  private final Vertx vertx = Vertx.vertx();
  /** Where the operations run, as a verticle's context. */
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** Registers one operation on {@link #context}, answering with what {@code answer} gives. */
  private Operations register(String address, Supplier<Future<JsonObject>> answer) {
    CompletableFuture<Operations> registered = new CompletableFuture<>();
    context.runOnContext(v -> {
      Operations operations = Operations.on(vertx).handle(address, request -> answer.get());
      operations.registered().onSuccess(done -> registered.complete(operations));
    });
    return registered.join();
  }

  /** Closes on {@link #context}; returns once close() has been called there, with what it returned. */
  private Future<Void> closeOnContext(Operations operations) {
    CompletableFuture<Future<Void>> called = new CompletableFuture<>();
    context.runOnContext(v -> called.complete(operations.close()));
    return called.join();
  }

  @Test
  @Timeout(20)
  @DisplayName("closed operations answer what they took before closing, then close; a request after goes unhandled")
  void closeDrainsThenRefuses() throws Exception {
    Promise<JsonObject> slow = Promise.promise();
    CompletableFuture<Void> taken = new CompletableFuture<>();
    Operations operations = register("test.slow", () -> {
      taken.complete(null);
      return slow.future();
    });
    Future<JsonObject> answer = vertx.eventBus().<JsonObject>request("test.slow", new JsonObject())
      .map(reply -> reply.body());
    taken.get(10, TimeUnit.SECONDS);
    Future<Void> closed = closeOnContext(operations);
    ReplyException after = assertThrows(ReplyException.class,
      () -> vertx.eventBus().request("test.slow", new JsonObject()).await(10, TimeUnit.SECONDS));
    assertEquals(ReplyFailure.NO_HANDLERS, after.failureType());
    Thread.sleep(100);
    assertFalse(closed.isComplete(), "closed while a request it took was unanswered");
    context.runOnContext(v -> slow.complete(new JsonObject().put("done", true)));
    assertTrue(answer.await(10, TimeUnit.SECONDS).getBoolean("done"));
    closed.await(10, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(20)
  @DisplayName("a request that is never answered holds the close for at most the drain time")
  void closeDoesNotWaitForever() throws Exception {
    CompletableFuture<Void> taken = new CompletableFuture<>();
    Operations operations = register("test.never", () -> {
      taken.complete(null);
      return Promise.<JsonObject>promise().future();
    });
    vertx.eventBus().request("test.never", new JsonObject());
    taken.get(10, TimeUnit.SECONDS);
    long started = System.nanoTime();
    closeOnContext(operations).await(Operations.DRAIN_MS + 5_000, TimeUnit.MILLISECONDS);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(tookMs >= Operations.DRAIN_MS - 100 && tookMs < Operations.DRAIN_MS + 2_000, "closed after " + tookMs);
  }
}
