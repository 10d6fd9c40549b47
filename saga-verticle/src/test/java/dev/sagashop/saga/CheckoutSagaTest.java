package dev.sagashop.saga;

import dev.sagashop.contracts.MessageTypes;
import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.contracts.SagaMessage.Outcome;
import dev.sagashop.saga.engine.Command;
import dev.sagashop.saga.engine.JournalEntry;
import dev.sagashop.saga.engine.SagaDefinition;
import dev.sagashop.saga.engine.SagaEngine;
import dev.sagashop.saga.engine.SagaState;
import dev.sagashop.saga.engine.SagaStep;
import dev.sagashop.saga.engine.SagaState.Status;
import dev.sagashop.saga.engine.Transition;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checkout saga run by the engine, with replies made up in the test: no Kafka, no database. */
class CheckoutSagaTest {

  private final SagaEngine engine = new SagaEngine(CheckoutSaga.DEFINITION);
  private final Instant now = Instant.parse("2026-11-23T10:00:00Z");
  private final JsonObject payload = new JsonObject().put("order_id", "o1");

  private Transition start() {
    return engine.start("s1", payload, 0, now);
  }

  private Transition reply(SagaState state, Outcome outcome, String reason) {
    Command pending = engine.pending(state).get(0);
    return engine.onReply(state, pending.message().reply(outcome, reason), now).orElseThrow();
  }

  private static List<String> types(Transition transition) {
    return transition.commands().stream().map(out -> out.message().type()).toList();
  }

  private static List<String> events(Transition transition) {
    return transition.entries().stream().map(e -> e.step() + ":" + e.event()).toList();
  }

  @Test
  @DisplayName("success: reserve, charge, then paying the order and both confirmations at once, COMPLETED once "
    + "they are delivered")
  void success() {
    Transition started = start();
    assertEquals(List.of(MessageTypes.RESERVE_STOCK), types(started));
    assertEquals("stock", started.commands().get(0).participant());
    assertEquals(List.of("saga:STARTED", "reserve-stock:SENT"), events(started));

    Transition charged = reply(started.state(), Outcome.DONE, null);
    assertEquals(List.of(MessageTypes.CHARGE_CREDIT), types(charged));
    Transition confirming = reply(charged.state(), Outcome.DONE, null);
    assertEquals(Status.CONFIRMING, confirming.state().status());
    assertEquals(List.of(MessageTypes.CONFIRM_STOCK, MessageTypes.CONFIRM_CREDIT, MessageTypes.MARK_ORDER_PAID),
      types(confirming));
    assertEquals("order", confirming.commands().get(2).participant());
    assertEquals(List.of("charge-credit:DONE", "reserve-stock:CONFIRMATION_SENT", "charge-credit:CONFIRMATION_SENT",
      "mark-paid:SENT"), events(confirming));
    assertEquals(confirming.commands().stream().map(out -> out.message().type()).toList(),
      engine.pending(confirming.state()).stream().map(out -> out.message().type()).toList(),
      "a coordinator restarted while confirming sends all three again");

    assertFalse(started.commands().get(0).message().oneWay(), "the saga waits for ReserveStock's reply");
    assertFalse(charged.commands().get(0).message().oneWay(), "the saga waits for ChargeCredit's reply");
    for (Command oneWay : confirming.commands()) {
      assertTrue(oneWay.message().oneWay(), oneWay.message().type() + " tells its participant not to answer");
      assertTrue(SagaMessage.decode(oneWay.message().encode()).oneWay(), "the flag travels with the message");
      SagaMessage stray = oneWay.message().reply(Outcome.DONE, null);
      assertTrue(engine.onReply(confirming.state(), stray, now).isEmpty(), oneWay.message().type() + " is one-way");
    }

    Transition completed = engine.delivered(confirming.state(), now);
    assertEquals(Status.COMPLETED, completed.state().status());
    assertEquals(List.of("saga:COMPLETED"), events(completed));
    assertTrue(completed.commands().isEmpty());
    assertTrue(engine.pending(completed.state()).isEmpty());
  }

  @Test
  @DisplayName("out of stock: nothing was reserved, so only the order is reopened, with the reason")
  void outOfStock() {
    Transition refused = reply(start().state(), Outcome.REFUSED, "insufficient stock: item 7");
    assertEquals(List.of(MessageTypes.REOPEN_ORDER), types(refused));
    assertEquals("insufficient stock: item 7", refused.commands().get(0).message().payload().getString("reason"));
    assertEquals(List.of("reserve-stock:REFUSED", "lock-order:COMPENSATION_SENT"), events(refused));

    Transition aborted = reply(refused.state(), Outcome.DONE, null);
    assertEquals(Status.ABORTED, aborted.state().status());
    assertEquals("insufficient stock: item 7", aborted.state().reason());
  }

  @Test
  @DisplayName("out of credit: the stock is released before the order is reopened")
  void outOfCredit() {
    Transition charging = reply(start().state(), Outcome.DONE, null);
    Transition refused = reply(charging.state(), Outcome.REFUSED, "insufficient credit");
    assertEquals(List.of(MessageTypes.RELEASE_STOCK), types(refused));
    Transition released = reply(refused.state(), Outcome.DONE, null);
    assertEquals(List.of(MessageTypes.REOPEN_ORDER), types(released));
    assertEquals(Status.ABORTED, reply(released.state(), Outcome.DONE, null).state().status());
  }

  @Test
  @DisplayName("a refusal compensates every earlier step newest first, skipping steps with nothing to undo")
  void compensationRunsBackward() {
    SagaEngine generic = new SagaEngine(SagaDefinition.named("trip").keyedBy("trip_id")
      .step("hotel").at("hotels").action("Book").compensatedBy("Unbook")
      .step("notify").at("mail").action("Notify")
      .step("car").at("cars").action("Rent").compensatedBy("Return")
      .step("flight").at("airline").action("Fly").compensatedBy("Cancel").pivot()
      .build());
    SagaState state = generic.start("t1", new JsonObject().put("trip_id", "t1"), 0, now).state();
    List<String> sent = new ArrayList<>();
    for (int step = 0; step < 3; step++) {
      state = generic.onReply(state, generic.pending(state).get(0).message().reply(Outcome.DONE, null), now)
        .orElseThrow().state();
    }
    Transition next = generic.onReply(state, generic.pending(state).get(0).message().reply(Outcome.REFUSED, "full"),
      now).orElseThrow();
    while (!next.commands().isEmpty()) {
      Command compensation = next.commands().get(0);
      sent.add(compensation.participant() + ":" + compensation.message().type());
      next = generic.onReply(next.state(), compensation.message().reply(Outcome.DONE, null), now).orElseThrow();
    }
    assertEquals(List.of("cars:Return", "hotels:Unbook"), sent);
    assertEquals(Status.ABORTED, next.state().status());
    assertEquals("full", next.state().reason());
    assertEquals("t1", next.state().key());
  }

  @Test
  @DisplayName("a duplicate or stale reply changes nothing")
  void staleRepliesAreIgnored() {
    Transition started = start();
    SagaMessage reserveDone = started.commands().get(0).message().reply(Outcome.DONE, null);
    SagaState charging = engine.onReply(started.state(), reserveDone, now).orElseThrow().state();
    assertTrue(engine.onReply(charging, reserveDone, now).isEmpty(), "the same reply again");
    SagaMessage wrongCommand = new SagaMessage("s1", 2, MessageTypes.REPLY, "m",
      new JsonObject().put("command", MessageTypes.REFUND_CREDIT).put("outcome", "DONE"));
    assertTrue(engine.onReply(charging, wrongCommand, now).isEmpty(), "a reply to a command never sent");
  }

  @Test
  @DisplayName("a failed compensation leaves the saga STUCK for an operator, not looping")
  void failedCompensationIsStuck() {
    Transition charging = reply(start().state(), Outcome.DONE, null);
    Transition releasing = reply(charging.state(), Outcome.REFUSED, "insufficient credit");
    Transition stuck = reply(releasing.state(), Outcome.FAILED, "poison");
    assertEquals(Status.STUCK, stuck.state().status());
    assertTrue(stuck.commands().isEmpty());
    assertTrue(events(stuck).contains("reserve-stock:COMPENSATION_FAILED"));
  }

  @Test
  @DisplayName("a freshly applied action is undone only once the saga no longer counts on it; copies are ignored")
  void lateEffectsAreUndone() {
    Transition started = start();
    SagaMessage reserve = started.commands().get(0).message();
    Transition charging = engine.onReply(started.state(), reserve.reply(Outcome.DONE, null, true), now).orElseThrow();
    SagaMessage reserveCopy = reserve.reply(Outcome.DONE, null, true);

    assertTrue(engine.undoLateEffect(charging.state(), reserveCopy).isEmpty(),
      "a redelivered reply of a reservation the saga will confirm must not release it");
    assertTrue(engine.undoLateEffect(started.state(), reserveCopy).isEmpty(), "the reply the saga waits for");
    assertTrue(engine.undoLateEffect(charging.state(), reserve.reply(Outcome.DONE, null, false)).isEmpty(),
      "a copy that found the reservation made changed nothing");

    Command undo = engine.undoLateEffect(null, reserveCopy).orElseThrow();
    assertEquals(MessageTypes.RELEASE_STOCK, undo.message().type(), "once the saga is over, a fresh effect is undone");
    assertEquals(payload, undo.message().payload());

    SagaMessage charge = charging.commands().get(0).message();
    Transition releasing = reply(charging.state(), Outcome.REFUSED, "insufficient credit");
    Command refund = engine.undoLateEffect(releasing.state(), charge.reply(Outcome.DONE, null, true)).orElseThrow();
    assertEquals(MessageTypes.REFUND_CREDIT, refund.message().type(),
      "a charge applied after the saga gave up on it is refunded");
  }

  @Test
  @DisplayName("a step after the pivot that could be compensated is refused: nothing would ever undo it")
  void nothingAfterThePivotIsCompensated() {
    SagaDefinition.Builder misordered = SagaDefinition.named("misordered").keyedBy("order_id")
      .step("pay").at("order").action(MessageTypes.MARK_ORDER_PAID).pivot()
      .step("reserve").at("stock").action(MessageTypes.RESERVE_STOCK).compensatedBy(MessageTypes.RELEASE_STOCK);
    assertThrows(IllegalStateException.class, misordered::build);
  }

  @Test
  @DisplayName("the checkout saga declares its pivot: charging credit; only paying the order comes after it")
  void thePivotIsDeclared() {
    List<String> retriable = CheckoutSaga.DEFINITION.steps().stream().filter(SagaStep::retriable)
      .map(SagaStep::name).toList();
    assertEquals(List.of("mark-paid"), retriable);
    assertTrue(CheckoutSaga.DEFINITION.step(0).doneByInitiator());
    assertEquals(MessageTypes.LOCK_ORDER, CheckoutSaga.DEFINITION.step(0).action());
  }

  @Test
  @DisplayName("every transition journals at least one line, before any command goes out")
  void everyTransitionIsJournalled() {
    Transition started = start();
    for (JournalEntry entry : started.entries()) {
      assertEquals("s1", entry.sagaId());
    }
    assertTrue(started.entries().size() >= started.commands().size());
  }
}
