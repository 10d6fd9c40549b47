package dev.sagashop.saga.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A saga as data: its steps in order. {@link SagaEngine} runs any definition forward and compensates backward. */
public record SagaDefinition(String name, List<SagaStep> steps) {

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
    private String stepName;
    private String participant;
    private String action;
    private String compensation;
    private String confirmation;
    private boolean retriable;

    private Builder(String name) {
      this.name = name;
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

    /** The step was performed by whoever started the saga; the saga only ever compensates it. */
    public Builder doneByInitiator() {
      this.action = null;
      return this;
    }

    /**
     * A step after the pivot: it cannot be refused and is not undone, so {@code command} is sent one-way with the
     * confirmations and applied at least once.
     */
    public Builder retriable(String command) {
      this.action = command;
      this.retriable = true;
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

    public SagaDefinition build() {
      flush();
      if (steps.stream().noneMatch(step -> !step.doneByInitiator())) {
        throw new IllegalStateException("saga " + name + " has no step to run");
      }
      for (int i = 1; i < steps.size(); i++) {
        if (steps.get(i - 1).retriable() && !steps.get(i).retriable()) {
          throw new IllegalStateException("saga " + name + ": step " + steps.get(i).name()
            + " follows a retriable step, so it must be retriable too");
        }
      }
      return new SagaDefinition(name, List.copyOf(steps));
    }

    private void flush() {
      if (stepName != null) {
        steps.add(new SagaStep(stepName, Objects.requireNonNull(participant, stepName + " needs a participant"),
          action, compensation, confirmation, retriable));
      }
      stepName = null;
      participant = null;
      action = null;
      compensation = null;
      confirmation = null;
      retriable = false;
    }
  }
}
