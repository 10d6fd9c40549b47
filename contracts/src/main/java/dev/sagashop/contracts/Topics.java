package dev.sagashop.contracts;

/** Kafka topics. Every message is keyed by its saga id, so one saga's messages stay in order on one partition. */
public final class Topics {

  /** Participants' replies and the order service's checkout requests, consumed by the saga coordinator. */
  public static final String SAGA_REPLIES = "saga.replies";
  /** Checkout outcomes, read by every order replica: the one holding the caller's request answers it. */
  public static final String ORDER_OUTCOMES = "order.outcomes";
  /** Messages no participant could parse or apply after bounded retries, with the reason. */
  public static final String DEAD_LETTERS = "saga.dead-letters";

  private Topics() {
  }

  /** The command topic of a participant ("stock", "payment", "order"). */
  public static String commands(String service) {
    return "saga." + service + ".commands";
  }
}
