package dev.sagashop.saga.engine;

import dev.sagashop.contracts.MessageTypes;
import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.contracts.SagaMessage.Outcome;
import dev.sagashop.saga.engine.SagaState.Status;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Runs a {@link SagaDefinition}: forward a stage at a time, each stage's actions sent at once; on a refusal, the
 * compensations of the refusing stage's other steps (done or still in flight: a participant applies a saga's
 * commands in the order they were sent, so a compensation always comes after the action it undoes), then of the
 * earlier stages, newest first; once every stage that may refuse has succeeded (the pivot), the actions of the
 * retriable steps and every confirmation, together. Those are one-way: past the pivot there is nothing left to
 * decide, so the saga completes once they are delivered (acknowledged by Kafka, which hands them to their
 * participants at least once) rather than waiting for replies. Pure: it turns a state and an event into a
 * {@link Transition} and touches nothing, so the coordinator can journal the transition before acting on it.
 */
public final class SagaEngine {

  /** The pseudo-step that journal lines about the saga as a whole name. */
  public static final String SAGA = "saga";

  private final SagaDefinition definition;

  public SagaEngine(SagaDefinition definition) {
    this.definition = definition;
  }

  public SagaDefinition definition() {
    return definition;
  }

  /** Starts a saga on {@code payload}: the first stage that its initiator has not already done. */
  public Transition start(String sagaId, JsonObject payload, int partition, Instant now) {
    String key = payload.getString(definition.keyField());
    SagaState initial = new SagaState(sagaId, definition.name(), key, payload, Status.RUNNING, 0, Set.of(), null,
      partition, now, now, now, 0);
    Builder transition = new Builder(now);
    transition.log(initial, SAGA, "STARTED", definition.keyField() + " " + key);
    return transition.forward(initial, 0);
  }

  /** The effect of a participant's reply, or empty if the saga is not waiting for it (a duplicate or stale one). */
  public Optional<Transition> onReply(SagaState state, SagaMessage reply, Instant now) {
    if (!MessageTypes.REPLY.equals(reply.type()) || reply.step() >= definition.steps().size()
      || !state.awaiting().contains(reply.step())) {
      return Optional.empty();
    }
    SagaStep step = definition.step(reply.step());
    String answered = reply.payload().getString("command");
    Outcome outcome = reply.outcome();
    Builder transition = new Builder(now);
    switch (state.status()) {
      case RUNNING -> {
        if (!answered.equals(step.action())) {
          return Optional.empty();
        }
        if (outcome != Outcome.DONE) {
          transition.log(state, step.name(), outcome.name(), reply.reason());
          return Optional.of(transition.compensate(state, step.stage(), reply.step(), reply.reason()));
        }
        transition.log(state, step.name(), "DONE", null);
        Set<Integer> left = without(state.awaiting(), reply.step());
        return Optional.of(left.isEmpty() ? transition.forward(state, step.stage() + 1)
          : transition.done(state.answered(left)));
      }
      case COMPENSATING -> {
        if (!answered.equals(step.compensation())) {
          return Optional.empty();
        }
        if (outcome != Outcome.DONE) {
          transition.log(state, step.name(), "COMPENSATION_" + outcome.name(), reply.reason());
          return Optional.of(transition.stuck(state, "compensation of " + step.name() + " failed: " + reply.reason()));
        }
        transition.log(state, step.name(), "COMPENSATED", null);
        Set<Integer> left = without(state.awaiting(), reply.step());
        return Optional.of(left.isEmpty() ? transition.compensate(state, step.stage() - 1, -1, state.reason())
          : transition.done(state.answered(left)));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  /**
   * Backward recovery on demand (an operator, a step past its deadline): a running saga compensates its stage in
   * hand — the steps that answered and those still in flight, whose compensation follows their action to the
   * participant — and the stages before it. Empty once past the pivot (forward recovery only), or when the saga is
   * compensating already or finished.
   */
  public Optional<Transition> abort(SagaState state, String event, String reason, Instant now) {
    if (state.status() != Status.RUNNING) {
      return Optional.empty();
    }
    Builder transition = new Builder(now);
    transition.log(state, SAGA, event, reason);
    return Optional.of(transition.compensate(state, definition.stageOf(state.step()), -1, reason));
  }

  /** A running saga that has waited on its stage for {@code deadline} or longer: aborted, naming the silent steps. */
  public Optional<Transition> deadlinePassed(SagaState state, Duration deadline, Instant now) {
    if (state.status() != Status.RUNNING || state.since().plus(deadline).isAfter(now)) {
      return Optional.empty();
    }
    String silent = new TreeSet<>(state.awaiting()).stream().map(index -> definition.step(index).name())
      .collect(Collectors.joining(", "));
    return abort(state, "TIMED_OUT", "timed out: no reply to " + silent + " within " + deadline.toMillis() + " ms",
      now);
  }

  /** A confirming saga whose confirmations are delivered: it is complete. */
  public Transition delivered(SagaState state, Instant now) {
    if (state.status() != Status.CONFIRMING) {
      throw new IllegalStateException("saga " + state.sagaId() + " is " + state.status() + ", not confirming");
    }
    return new Builder(now).finish(state, Status.COMPLETED, null);
  }

  /**
   * A reply saying an action was freshly applied when the saga no longer counts on it (a late copy of the command,
   * applied after the saga compensated that step or ended): the compensation that undoes it, if the step has one.
   * {@code state} is null for a saga that is no longer active.
   */
  public Optional<Command> undoLateEffect(SagaState state, SagaMessage reply) {
    if (!freshEffect(reply)) {
      return Optional.empty();
    }
    SagaStep step = definition.step(reply.step());
    // An active saga still counts the effect of every step it has not compensated yet: a reply for such a step is a
    // copy (say, redelivered after the coordinator restarted), or an action still in flight when its stage was
    // refused, whose compensation is already on its way behind it; undoing it again would take back too much. A
    // compensating saga no longer counts steps of later stages, nor steps of its own stage whose compensation is
    // done (or that were never applied: the refused one). A finished saga's participant holds nothing more for it,
    // so a compensation there undoes a fresh late effect or finds nothing to do.
    boolean unaccounted = state == null || state.status() == Status.COMPENSATING
      && (step.stage() > definition.stageOf(state.step())
        || step.stage() == definition.stageOf(state.step()) && !state.awaiting().contains(reply.step()));
    if (!unaccounted || step.compensation() == null || !step.action().equals(reply.payload().getString("command"))) {
      return Optional.empty();
    }
    JsonObject payload = reply.payload().getJsonObject("command_payload", new JsonObject());
    return Optional.of(new Command(step.participant(),
      SagaMessage.command(reply.sagaId(), reply.step(), step.compensation(), payload)));
  }

  /** Whether a reply says one of this saga's actions was applied by the command it answers (not found done). */
  public boolean freshEffect(SagaMessage reply) {
    return MessageTypes.REPLY.equals(reply.type()) && reply.step() < definition.steps().size()
      && reply.outcome() == Outcome.DONE && reply.applied();
  }

  /** The commands a saga is waiting on, to send again after a restart or a silence. */
  public List<Command> pending(SagaState state) {
    List<Command> commands = new ArrayList<>();
    for (int index : new TreeSet<>(state.awaiting())) {
      SagaStep step = definition.step(index);
      switch (state.status()) {
        case RUNNING -> commands.add(command(state, index, step.action(), false));
        case COMPENSATING -> commands.add(command(state, index, step.compensation(), false));
        case CONFIRMING -> commands.add(command(state, index, step.onSuccess(), true));
        default -> {
        }
      }
    }
    return commands;
  }

  private static Set<Integer> without(Set<Integer> steps, int step) {
    Set<Integer> left = new HashSet<>(steps);
    left.remove(step);
    return left;
  }

  private Command command(SagaState state, int index, String type, boolean oneWay) {
    JsonObject payload = state.reason() == null ? state.payload() : state.payload().copy().put("reason", state.reason());
    return new Command(definition.step(index).participant(), oneWay
      ? SagaMessage.oneWay(state.sagaId(), index, type, payload)
      : SagaMessage.command(state.sagaId(), index, type, payload));
  }

  /** Collects the commands and journal lines of one transition. */
  private final class Builder {
    private final Instant now;
    private final List<Command> commands = new ArrayList<>();
    private final List<JournalEntry> entries = new ArrayList<>();

    Builder(Instant now) {
      this.now = now;
    }

    void log(SagaState state, String step, String event, String detail) {
      entries.add(new JournalEntry(state.sagaId(), step, event, detail, now));
    }

    /**
     * Sends the actions of the first stage from {@code stage} on that its initiator has not done, or, past the
     * pivot, everything that is left, one-way.
     */
    Transition forward(SagaState state, int stage) {
      List<Integer> steps = definition.stage(stage);
      while (!steps.isEmpty() && steps.stream().allMatch(index -> definition.step(index).doneByInitiator())) {
        steps = definition.stage(++stage);
      }
      if (steps.isEmpty() || definition.step(steps.get(0)).retriable()) {
        return confirm(state);
      }
      SagaState next = state.with(Status.RUNNING, steps.get(0), Set.copyOf(steps), null, now);
      for (int index : steps) {
        send(next, index, definition.step(index).action(), "SENT");
      }
      return done(next);
    }

    /**
     * Sends the compensations of the steps of the nearest stage at or before {@code stage} that has any, leaving out
     * {@code refused} (a step that took no effect); aborts if there is none.
     */
    Transition compensate(SagaState state, int stage, int refused, String reason) {
      for (int at = stage; at >= 0; at--) {
        List<Integer> undo = definition.stage(at).stream()
          .filter(index -> index != refused && definition.step(index).compensation() != null).toList();
        if (!undo.isEmpty()) {
          SagaState next = state.with(Status.COMPENSATING, definition.stage(at).get(0), Set.copyOf(undo), reason, now);
          for (int index : undo) {
            send(next, index, definition.step(index).compensation(), "COMPENSATION_SENT");
          }
          return done(next);
        }
      }
      return finish(state, Status.ABORTED, reason);
    }

    /** Past the pivot: the retriable steps' actions and the confirmations, all one-way. */
    Transition confirm(SagaState state) {
      Set<Integer> awaiting = new HashSet<>();
      for (int index = 0; index < definition.steps().size(); index++) {
        if (definition.step(index).onSuccess() != null) {
          awaiting.add(index);
        }
      }
      if (awaiting.isEmpty()) {
        return finish(state, Status.COMPLETED, null);
      }
      SagaState next = state.with(Status.CONFIRMING, definition.steps().size(), awaiting, null, now);
      for (int index : new TreeSet<>(awaiting)) {
        SagaStep step = definition.step(index);
        if (step.retriable()) {
          log(next, step.name(), "SENT", step.action());
        } else {
          log(next, step.name(), "CONFIRMATION_SENT", null);
        }
      }
      commands.addAll(pending(next));
      return done(next);
    }

    Transition finish(SagaState state, Status status, String reason) {
      SagaState next = state.with(status, state.step(), Set.of(), reason, now);
      log(next, SAGA, status.name(), reason);
      return done(next);
    }

    Transition stuck(SagaState state, String reason) {
      return finish(state, Status.STUCK, reason);
    }

    void send(SagaState next, int index, String type, String event) {
      log(next, definition.step(index).name(), event, type);
      commands.add(command(next, index, type, false));
    }

    Transition done(SagaState next) {
      return new Transition(next, List.copyOf(commands), List.copyOf(entries));
    }
  }
}
