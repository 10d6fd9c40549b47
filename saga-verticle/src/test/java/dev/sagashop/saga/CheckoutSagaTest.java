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

import java.time.Duration;
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
  private static final int RESERVE = 1;
  private static final int CHARGE = 2;

  private Transition start() {
    return engine.start("s1", payload, 0, now);
  }

  /** The reply to the pending command of {@code state} at {@code step}. */
  private Transition reply(SagaState state, int step, Outcome outcome, String reason) {
    return engine.onReply(state, pendingAt(state, step).reply(outcome, reason), now).orElseThrow();
  }

  /** The reply to the one command {@code state} waits on. */
  private Transition reply(SagaState state, Outcome outcome, String reason) {
    List<Command> pending = engine.pending(state);
    assertEquals(1, pending.size(), () -> "waits on " + pending);
    return engine.onReply(state, pending.get(0).message().reply(outcome, reason), now).orElseThrow();
  }

  private SagaMessage pendingAt(SagaState state, int step) {
    return engine.pending(state).stream().map(Command::message).filter(message -> message.step() == step)
      .findFirst().orElseThrow();
  }

  private static List<String> types(Transition transition) {
    return types(transition.commands());
  }

  private static List<String> types(List<Command> commands) {
    return commands.stream().map(out -> out.message().type()).toList();
  }

  private static List<String> events(Transition transition) {
    return transition.entries().stream().map(e -> e.step() + ":" + e.event()).toList();
  }

  @Test
  @DisplayName("success: reserve and charge at once, then paying the order and both confirmations at once, "
    + "COMPLETED once they are delivered")
  void success() {
    Transition started = start();
    assertEquals(List.of(MessageTypes.RESERVE_STOCK, MessageTypes.CHARGE_CREDIT), types(started));
    assertEquals(List.of("stock", "payment"), started.commands().stream().map(Command::participant).toList());
    assertEquals(List.of("saga:STARTED", "reserve-stock:SENT", "charge-credit:SENT"), events(started));

    Transition reserved = reply(started.state(), RESERVE, Outcome.DONE, null);
    assertTrue(reserved.commands().isEmpty(), "the saga waits for the charge");
    assertEquals(List.of("reserve-stock:DONE"), events(reserved));
    assertEquals(List.of(MessageTypes.CHARGE_CREDIT), types(engine.pending(reserved.state())),
      "a silence now re-sends only the charge");

    Transition confirming = reply(reserved.state(), CHARGE, Outcome.DONE, null);
    assertEquals(Status.CONFIRMING, confirming.state().status());
    assertEquals(List.of(MessageTypes.CONFIRM_STOCK, MessageTypes.CONFIRM_CREDIT, MessageTypes.MARK_ORDER_PAID),
      types(confirming));
    assertEquals("order", confirming.commands().get(2).participant());
    assertEquals(List.of("charge-credit:DONE", "reserve-stock:CONFIRMATION_SENT", "charge-credit:CONFIRMATION_SENT",
      "mark-paid:SENT"), events(confirming));
    assertEquals(types(confirming), types(engine.pending(confirming.state())),
      "a coordinator restarted while confirming sends all three again");

    started.commands().forEach(command -> assertFalse(command.message().oneWay(), "the saga waits for its reply"));
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
  @DisplayName("the replies of one stage may come in either order")
  void repliesOfAStageInEitherOrder() {
    Transition charged = reply(start().state(), CHARGE, Outcome.DONE, null);
    assertEquals(List.of(MessageTypes.RESERVE_STOCK), types(engine.pending(charged.state())));
    assertEquals(Status.CONFIRMING, reply(charged.state(), RESERVE, Outcome.DONE, null).state().status());
  }

  @Test
  @DisplayName("out of stock: the charge on its way is refunded, then the order is reopened, with the reason")
  void outOfStock() {
    Transition started = start();
    Transition refused = reply(started.state(), RESERVE, Outcome.REFUSED, "insufficient stock: item 7");
    assertEquals(List.of(MessageTypes.REFUND_CREDIT), types(refused));
    assertEquals(List.of("reserve-stock:REFUSED", "charge-credit:COMPENSATION_SENT"), events(refused));

    SagaMessage charged = pendingAt(started.state(), CHARGE).reply(Outcome.DONE, null, true);
    assertTrue(engine.onReply(refused.state(), charged, now).isEmpty(), "the charge's late answer changes nothing");
    assertTrue(engine.undoLateEffect(refused.state(), charged).isEmpty(),
      "the refund already sent behind the charge undoes it: no second refund");

    Transition refunded = reply(refused.state(), Outcome.DONE, null);
    assertEquals(List.of(MessageTypes.REOPEN_ORDER), types(refunded));
    assertEquals("insufficient stock: item 7", refunded.commands().get(0).message().payload().getString("reason"));
    Transition aborted = reply(refunded.state(), Outcome.DONE, null);
    assertEquals(Status.ABORTED, aborted.state().status());
    assertEquals("insufficient stock: item 7", aborted.state().reason());
  }

  @Test
  @DisplayName("out of credit: the stock is released before the order is reopened")
  void outOfCredit() {
    Transition refused = reply(start().state(), CHARGE, Outcome.REFUSED, "insufficient credit");
    assertEquals(List.of(MessageTypes.RELEASE_STOCK), types(refused));
    Transition released = reply(refused.state(), Outcome.DONE, null);
    assertEquals(List.of(MessageTypes.REOPEN_ORDER), types(released));
    assertEquals(Status.ABORTED, reply(released.state(), Outcome.DONE, null).state().status());
  }

  @Test
  @DisplayName("both refused: the first refusal decides, the second is ignored, nothing is undone twice")
  void bothRefused() {
    Transition started = start();
    Transition refused = reply(started.state(), CHARGE, Outcome.REFUSED, "insufficient credit");
    SagaMessage outOfStock = pendingAt(started.state(), RESERVE).reply(Outcome.REFUSED, "insufficient stock");
    assertTrue(engine.onReply(refused.state(), outOfStock, now).isEmpty());
    Transition released = reply(refused.state(), Outcome.DONE, null);
    assertEquals(List.of(MessageTypes.REOPEN_ORDER), types(released));
    assertEquals("insufficient credit", reply(released.state(), Outcome.DONE, null).state().reason());
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
    SagaMessage reserveDone = pendingAt(started.state(), RESERVE).reply(Outcome.DONE, null);
    SagaState charging = engine.onReply(started.state(), reserveDone, now).orElseThrow().state();
    assertTrue(engine.onReply(charging, reserveDone, now).isEmpty(), "the same reply again");
    SagaMessage wrongCommand = new SagaMessage("s1", CHARGE, MessageTypes.REPLY, "m",
      new JsonObject().put("command", MessageTypes.REFUND_CREDIT).put("outcome", "DONE"));
    assertTrue(engine.onReply(charging, wrongCommand, now).isEmpty(), "a reply to a command never sent");
  }

  @Test
  @DisplayName("a failed compensation leaves the saga STUCK for an operator, not looping")
  void failedCompensationIsStuck() {
    Transition releasing = reply(start().state(), CHARGE, Outcome.REFUSED, "insufficient credit");
    Transition stuck = reply(releasing.state(), Outcome.FAILED, "poison");
    assertEquals(Status.STUCK, stuck.state().status());
    assertTrue(stuck.commands().isEmpty());
    assertTrue(events(stuck).contains("reserve-stock:COMPENSATION_FAILED"));
  }

  @Test
  @DisplayName("a freshly applied action is undone only once the saga no longer counts on it; copies are ignored")
  void lateEffectsAreUndone() {
    Transition started = start();
    SagaMessage reserve = pendingAt(started.state(), RESERVE);
    SagaMessage charge = pendingAt(started.state(), CHARGE);
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

    Transition releasing = engine.onReply(charging.state(), charge.reply(Outcome.REFUSED, "insufficient credit"), now)
      .orElseThrow();
    Command refund = engine.undoLateEffect(releasing.state(), charge.reply(Outcome.DONE, null, true)).orElseThrow();
    assertEquals(MessageTypes.REFUND_CREDIT, refund.message().type(),
      "a copy of the refused charge applied later is refunded");
    Transition released = reply(releasing.state(), Outcome.DONE, null);
    assertEquals(MessageTypes.RELEASE_STOCK, engine.undoLateEffect(released.state(), reserveCopy).orElseThrow()
      .message().type(), "a reservation applied again after its release is released again");
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
  @DisplayName("a step runs alongside another only on the same side of the pivot, and never alongside the initiator's")
  void alongsideStaysWithinItsStage() {
    assertThrows(IllegalStateException.class, () -> SagaDefinition.named("across").keyedBy("order_id")
      .step("reserve").at("stock").action(MessageTypes.RESERVE_STOCK).pivot()
      .alongside("pay").at("order").action(MessageTypes.MARK_ORDER_PAID));
    assertThrows(IllegalStateException.class, () -> SagaDefinition.named("initiator").keyedBy("order_id")
      .step("lock").at("order").performedByInitiator(MessageTypes.LOCK_ORDER).compensatedBy(MessageTypes.REOPEN_ORDER)
      .alongside("reserve").at("stock").action(MessageTypes.RESERVE_STOCK).build());
  }

  @Test
  @DisplayName("the checkout saga declares its pivot: reserving and charging, at once; only paying the order comes "
    + "after it")
  void thePivotIsDeclared() {
    List<String> retriable = CheckoutSaga.DEFINITION.steps().stream().filter(SagaStep::retriable)
      .map(SagaStep::name).toList();
    assertEquals(List.of("mark-paid"), retriable);
    assertEquals(List.of(RESERVE, CHARGE), CheckoutSaga.DEFINITION.stage(CheckoutSaga.DEFINITION.stageOf(RESERVE)));
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

  @Test
  @DisplayName("an abort before the pivot compensates the stage in hand, answered or not, then reopens the order; "
    + "past the pivot there is no abort")
  void abortBeforeThePivot() {
    Transition reserved = reply(start().state(), RESERVE, Outcome.DONE, null);
    Transition aborted = engine.abort(reserved.state(), "ABORT_REQUESTED", "aborted by admin", now).orElseThrow();
    assertEquals(Status.COMPENSATING, aborted.state().status());
    assertEquals(List.of(MessageTypes.RELEASE_STOCK, MessageTypes.REFUND_CREDIT), types(aborted));
    assertEquals(List.of("saga:ABORT_REQUESTED", "reserve-stock:COMPENSATION_SENT", "charge-credit:COMPENSATION_SENT"),
      events(aborted));

    SagaMessage lateCharge = pendingAt(reserved.state(), CHARGE).reply(Outcome.DONE, null, true);
    assertTrue(engine.onReply(aborted.state(), lateCharge, now).isEmpty());
    assertTrue(engine.undoLateEffect(aborted.state(), lateCharge).isEmpty(), "the refund already follows the charge");

    Transition released = reply(aborted.state(), RESERVE, Outcome.DONE, null);
    Transition reopening = reply(released.state(), CHARGE, Outcome.DONE, null);
    assertEquals(List.of(MessageTypes.REOPEN_ORDER), types(reopening));
    assertEquals("aborted by admin", reopening.commands().get(0).message().payload().getString("reason"));
    assertTrue(engine.abort(aborted.state(), "ABORT_REQUESTED", "again", now).isEmpty(), "compensating already");

    Transition confirming = reply(reserved.state(), CHARGE, Outcome.DONE, null);
    assertTrue(engine.abort(confirming.state(), "ABORT_REQUESTED", "too late", now).isEmpty(), "past the pivot");
  }

  @Test
  @DisplayName("a stage unanswered past the step deadline aborts, naming the silent step; a wait counts from its start, "
    + "not from the last re-send")
  void stepDeadline() {
    Duration deadline = Duration.ofMinutes(3);
    SagaState reserved = reply(start().state(), RESERVE, Outcome.DONE, null).state().resent(now.plusSeconds(170));
    assertTrue(engine.deadlinePassed(reserved, deadline, now.plusSeconds(179)).isEmpty());
    Transition expired = engine.deadlinePassed(reserved, deadline, now.plusSeconds(180)).orElseThrow();
    assertEquals("timed out: no reply to charge-credit within 180000 ms", expired.state().reason());
    assertEquals(List.of(MessageTypes.RELEASE_STOCK, MessageTypes.REFUND_CREDIT), types(expired));
    assertEquals("saga:TIMED_OUT", events(expired).get(0));

    SagaState confirming = reply(reserved, CHARGE, Outcome.DONE, null).state();
    assertTrue(engine.deadlinePassed(confirming, deadline, now.plusSeconds(3600)).isEmpty(), "forward recovery only");
    assertTrue(engine.deadlinePassed(expired.state(), deadline, now.plusSeconds(3600)).isEmpty(),
      "compensations are retried, never given up");
  }
}
