package dev.sagashop.saga.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A saga as data: its steps in order, grouped in stages (the steps of a stage run at once), its pivot (the last
 * stage that may refuse; every step after it is retriable), and the payload field that names the business object it
 * is about (its key: checkout's {@code order_id}). {@link SagaEngine} runs any definition forward, a stage at a time,
 * and compensates backward.
 */
public record SagaDefinition(String name, String keyField, List<SagaStep> steps) {

  public static Builder named(String name) {
    return new Builder(name);
  }

  public SagaStep step(int index) {
    return steps.get(index);
  }

  /** The indexes of the steps of {@code stage}, in order; empty past the last stage. */
  public List<Integer> stage(int stage) {
    List<Integer> indexes = new ArrayList<>();
    for (int index = 0; index < steps.size(); index++) {
      if (steps.get(index).stage() == stage) {
        indexes.add(index);
      }
    }
    return indexes;
  }

  /** The stage of the step at {@code index}; one past the last stage for an index past the last step. */
  public int stageOf(int index) {
    return index < steps.size() ? steps.get(index).stage() : steps.get(steps.size() - 1).stage() + 1;
  }

  /** Declares steps in the order they run. */
  public static final class Builder {
    private final String name;
    private final List<SagaStep> steps = new ArrayList<>();
    private String keyField;
    private boolean pastPivot;
    private int stage = -1;
    private boolean alongside;
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

    /** A step that runs once every step declared before it succeeded. */
    public Builder step(String name) {
      flush();
      stepName = name;
      return this;
    }

    /**
     * A step that runs together with the step declared just before it, in the same stage: their commands go out at
     * once, and a refusal of either compensates both.
     */
    public Builder alongside(String step) {
      if (stepName == null) {
        throw new IllegalStateException("saga " + name + ": " + step + " runs alongside the step just before it, "
          + "and there is none");
      }
      flush();
      stepName = step;
      alongside = true;
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
     * The stage just declared is the pivot: once its steps succeeded nothing can refuse any more, so the steps after
     * it are retriable — their actions go out one-way with the confirmations and are applied at least once.
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
        if (alongside && (byInitiator || steps.get(steps.size() - 1).doneByInitiator())) {
          throw new IllegalStateException("saga " + name + ": step " + stepName
            + " cannot run alongside a step the initiator did before the saga started");
        }
        if (!alongside) {
          stage++;
        }
        steps.add(new SagaStep(stepName, participant, action, byInitiator, compensation, confirmation, pastPivot,
          stage));
      }
      alongside = false;
      stepName = null;
      participant = null;
      action = null;
      byInitiator = false;
      compensation = null;
      confirmation = null;
    }
  }
}
