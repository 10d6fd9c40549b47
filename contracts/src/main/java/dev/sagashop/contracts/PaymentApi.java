package dev.sagashop.contracts;

/** Operations of the payment service on the event bus. Requests and replies are JSON objects with these fields. */
public final class PaymentApi {

  public static final String SERVICE = "payment";

  /** {} → {user_id} */
  public static final String CREATE_USER = "payment.create-user";
  /** {user_id} → {user_id, credit} */
  public static final String FIND_USER = "payment.find-user";
  /** {user_id, amount} → {user_id, credit} */
  public static final String ADD_FUNDS = "payment.add-funds";
  /** {user_id, amount} → {user_id, credit}; 400 and no change if credit would go below 0 */
  public static final String PAY = "payment.pay";
  /** {n, starting_money} → {msg} */
  public static final String BATCH_INIT = "payment.batch-init";
  /** {} → {database: "UP"} */
  public static final String HEALTH = Services.health(SERVICE);

  private PaymentApi() {
  }
}
