package dev.sagashop.saga.engine;

/**
 * One step of a saga: the participant that performs it, the command that does it, the command that undoes it
 * (compensation) and the command that makes it final once the whole saga succeeded (confirmation). A step with no
 * action was done by whoever started the saga; a step with no compensation cannot be undone (the pivot).
 */
public record SagaStep(String name, String participant, String action, String compensation, String confirmation) {

  public boolean doneByInitiator() {
    return action == null;
  }
}
