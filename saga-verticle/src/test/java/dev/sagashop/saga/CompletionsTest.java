package dev.sagashop.saga;

import dev.sagashop.contracts.SagaMessage.Outcome;
import dev.sagashop.saga.engine.Command;
import dev.sagashop.saga.engine.SagaEngine;
import dev.sagashop.saga.engine.SagaState;
import dev.sagashop.saga.engine.SagaState.Status;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the coordinator may journal a confirming saga complete: sends and acknowledgements played by the test. */
class CompletionsTest {

  private final SagaEngine engine = new SagaEngine(CheckoutSaga.DEFINITION);
  private final Instant now = Instant.parse("2026-12-06T10:00:00Z");
  private final Map<String, SagaState> active = new HashMap<>();
  private final Completions completions = new Completions();

  private SagaState started(String sagaId) {
    return engine.start(sagaId, new JsonObject().put("order_id", "order-" + sagaId), 0, now).state();
  }

  private SagaState replied(SagaState state, int step) {
    Command command = engine.pending(state).stream().filter(pending -> pending.message().step() == step)
      .findFirst().orElseThrow();
    return engine.onReply(state, command.message().reply(Outcome.DONE, null), now).orElseThrow().state();
  }

  @Test
  @DisplayName("a send made while the saga was running does not complete it, though it is confirming by the time "
    + "Kafka acknowledges that send; the send carrying its confirmations does")
  void onlyTheSendCarryingTheConfirmationsCompletes() {
    SagaState running = replied(started("s1"), 1);
    active.put("s1", running);
    Completions.Send earlier = Completions.sending(List.of(running));

    SagaState confirming = replied(running, 2);
    assertEquals(Status.CONFIRMING, confirming.status());
    active.put("s1", confirming);
    Completions.Send confirmations = Completions.sending(List.of(confirming));

    completions.acknowledged(earlier, active);
    assertTrue(completions.isEmpty(), "completed before its confirmations were acknowledged");
    completions.acknowledged(confirmations, active);
    assertEquals(List.of(confirming), completions.take());
    assertTrue(completions.take().isEmpty(), "taken once");
  }

  @Test
  @DisplayName("a saga no longer held here, finished or its partition gone to another coordinator, is not completed")
  void onlySagasStillHeldComplete() {
    SagaState confirming = replied(replied(started("s1"), 1), 2);
    SagaState other = replied(replied(started("s2"), 1), 2);
    Completions.Send send = Completions.sending(List.of(confirming, other));
    active.put("s2", other);

    completions.acknowledged(send, active);
    assertEquals(List.of(other), completions.take());

    completions.acknowledged(send, active);
    completions.forget(Set.of(other.partition()));
    assertTrue(completions.isEmpty(), "forgotten with its partition");
  }
}
