package dev.sagashop.saga;

import dev.sagashop.saga.engine.SagaState;
import dev.sagashop.saga.engine.SagaState.Status;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which confirming sagas are complete: those whose confirmations Kafka has acknowledged. A send only completes the
 * sagas that were confirming when it was made, as those are the sagas whose confirmations it carries. The
 * coordinator sends a poll's commands without waiting for the previous poll's to be acknowledged, so a saga handed
 * to one send while still running may be confirming by the time Kafka answers it; completing it then would journal
 * COMPLETED for confirmations still in the producer's buffer, and a crash there loses them for good (the order
 * stays locked, the holds unconfirmed). Used on the coordinator's context only.
 */
final class Completions {

  /** The sagas, among those a send carries commands of, that it completes once acknowledged. */
  record Send(List<SagaState> confirming) {
  }

  private final Map<String, SagaState> delivered = new LinkedHashMap<>();

  /** Called as the commands of {@code states} (the states they were made from) go out. */
  static Send sending(Collection<SagaState> states) {
    return new Send(states.stream().filter(state -> state.status() == Status.CONFIRMING).toList());
  }

  /** The send was acknowledged: its sagas that are still confirming here are complete, to be journalled so. */
  void acknowledged(Send send, Map<String, SagaState> active) {
    for (SagaState sent : send.confirming()) {
      SagaState current = active.get(sent.sagaId());
      if (current != null && current.status() == Status.CONFIRMING) {
        delivered.put(current.sagaId(), current);
      }
    }
  }

  boolean isEmpty() {
    return delivered.isEmpty();
  }

  /** The complete sagas not yet journalled so (taken: the caller journals them). */
  List<SagaState> take() {
    List<SagaState> taken = List.copyOf(delivered.values());
    delivered.clear();
    return taken;
  }

  /** Partitions that went to another member: it delivers their confirmations again. */
  void forget(Set<Integer> partitions) {
    delivered.values().removeIf(state -> partitions.contains(state.partition()));
  }
}
