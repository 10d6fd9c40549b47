package dev.sagashop.saga.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A saga as data: its steps in order, its pivot (the last step that may refuse; every step after it is retriable),
 * and the payload field that names the business object it is about (its key: checkout's {@code order_id}).
 * {@link SagaEngine} runs any definition forward and compensates backward.
 */
public record SagaDefinition(String name, String keyField, List<SagaStep> steps) {

  public static Builder named(String name) {
    return new Builder(name);
  }

  public SagaStep step(int index) {
    return steps.get(index);
  }

  /** Declares steps in the order they run. */
  public static final class Builder {
    private final String name;
    private final List<SagaStep> steps = new ArrayList<>();
    private String keyField;
    private boolean pastPivot;
    private String stepName;
    private String participant;
    private String action;
    private boolean byInitiator;
    private String compensation;
    private String confirmation;

    private Builder(String name) {
      this.name = name;
    }

    /** The payload field holding the saga's business key, journalled with it so sagas can be found by it. */
    public Builder keyedBy(String field) {
      this.keyField = field;
      return this;
    }

    public Builder step(String name) {
      flush();
      stepName = name;
      return this;
    }

    /** The participant (a service name) that performs the step's commands. */
    public Builder at(String participant) {
      this.participant = participant;
      return this;
    }

    public Builder action(String command) {
      this.action = command;
      return this;
    }

    /** The step's action was performed by whoever started the saga, before it started; the saga only compensates it. */
    public Builder performedByInitiator(String action) {
      this.action = action;
      this.byInitiator = true;
      return this;
    }

    public Builder compensatedBy(String command) {
      this.compensation = command;
      return this;
    }

    public Builder confirmedBy(String command) {
      this.confirmation = command;
      return this;
    }

    /**
     * The step just declared is the pivot: once it succeeded nothing can refuse any more, so the steps after it
     * are retriable — their actions go out one-way with the confirmations and are applied at least once.
     */
    public Builder pivot() {
      if (stepName == null || pastPivot) {
        throw new IllegalStateException("saga " + name + ": pivot() follows the one step that is the pivot");
      }
      flush();
      pastPivot = true;
      return this;
    }

    public SagaDefinition build() {
      flush();
      if (steps.stream().allMatch(SagaStep::doneByInitiator)) {
        throw new IllegalStateException("saga " + name + " has no step to run");
      }
      return new SagaDefinition(name, Objects.requireNonNull(keyField, name + " needs keyedBy"), List.copyOf(steps));
    }

    private void flush() {
      if (stepName != null) {
        Objects.requireNonNull(participant, stepName + " needs a participant");
        Objects.requireNonNull(action, stepName + " needs an action");
        if (pastPivot && compensation != null) {
          throw new IllegalStateException("saga " + name + ": step " + stepName
            + " comes after the pivot, so nothing ever compensates it");
        }
        if (pastPivot && byInitiator) {
          throw new IllegalStateException("saga " + name + ": step " + stepName
            + " comes after the pivot, so the initiator cannot have done it");
        }
        steps.add(new SagaStep(stepName, participant, action, byInitiator, compensation, confirmation, pastPivot));
      }
      stepName = null;
      participant = null;
      action = null;
      byInitiator = false;
      compensation = null;
      confirmation = null;
    }
  }
}
