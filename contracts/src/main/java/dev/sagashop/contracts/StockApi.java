package dev.sagashop.contracts;

/** Operations of the stock service on the event bus. Requests and replies are JSON objects with these fields. */
public final class StockApi {

  public static final String SERVICE = "stock";

  /** {price} → {item_id} */
  public static final String CREATE = "stock.create";
  /** {item_id} → {item_id, stock, price} */
  public static final String FIND = "stock.find";
  /** {item_id, amount} → {item_id, stock} */
  public static final String ADD = "stock.add";
  /** {item_id, amount} → {item_id, stock}; 400 and no change if stock would go below 0 */
  public static final String SUBTRACT = "stock.subtract";
  /** {n, starting_stock, item_price} → {msg} */
  public static final String BATCH_INIT = "stock.batch-init";
  /** {} → {database: "UP"}; fails when the service cannot reach its database */
  public static final String HEALTH = Services.health(SERVICE);

  private StockApi() {
  }
}
