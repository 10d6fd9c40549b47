package dev.sagashop.saga.engine;

/**
 * One step of a saga: the participant that performs it, the command that does it, the command that undoes it
 * (compensation) and the command that makes it final once the whole saga succeeded (confirmation). Steps of one
 * {@code stage} run at once. A step done by the initiator was performed by whoever started the saga, before it
 * started: the saga only ever compensates it. A retriable step comes after the pivot: it cannot be refused, so its
 * action is sent one-way, with the confirmations, once the saga is decided.
 */
public record SagaStep(String name, String participant, String action, boolean doneByInitiator, String compensation,
                       String confirmation, boolean retriable, int stage) {

  /** The one-way command this step gets once the saga is decided to succeed, or null if none. */
  public String onSuccess() {
    return retriable ? action : confirmation;
  }
}
