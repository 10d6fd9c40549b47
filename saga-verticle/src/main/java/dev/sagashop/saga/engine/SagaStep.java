package dev.sagashop.saga.engine;

/**
 * One step of a saga: the participant that performs it, the command that does it, the command that undoes it
 * (compensation) and the command that makes it final once the whole saga succeeded (confirmation). A step with no
 * action was done by whoever started the saga. A retriable step comes after the pivot: it cannot be refused, so its
 * action is sent one-way, with the confirmations, once the saga is decided.
 */
public record SagaStep(String name, String participant, String action, String compensation, String confirmation,
                       boolean retriable) {

  public boolean doneByInitiator() {
    return action == null;
  }

  /** The one-way command this step gets once the saga is decided to succeed, or null if none. */
  public String onSuccess() {
    return retriable ? action : confirmation;
  }
}
