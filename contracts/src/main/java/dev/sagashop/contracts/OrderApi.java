package dev.sagashop.contracts;

/** Operations of the order service on the event bus. Requests and replies are JSON objects with these fields. */
public final class OrderApi {

  public static final String SERVICE = "order";

  /** {user_id} → {order_id}; the caller has checked that the user exists */
  public static final String CREATE = "order.create";
  /** {order_id} → {order_id, paid, items: [[item_id, quantity]], user_id, total_cost, status} */
  public static final String FIND = "order.find";
  /** {order_id, item_id, quantity, price} → the order as FIND shows it; price is the item's current price */
  public static final String ADD_ITEM = "order.add-item";
  /** {n, n_items, n_users, item_price} → {msg} */
  public static final String BATCH_INIT = "order.batch-init";
  /** {order_id} → the paid order once its checkout saga completed; 4xx with the reason once it aborted */
  public static final String CHECKOUT = "order.checkout";
  /** {} → {database: "UP"} */
  public static final String HEALTH = Services.health(SERVICE);

  private OrderApi() {
  }
}
