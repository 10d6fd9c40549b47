package dev.sagashop.service;

import dev.sagashop.contracts.Amounts;
import dev.sagashop.contracts.Ids;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.messaging.supervision.Operations.Operation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * The operations stock and payment have in common, over a {@link BalanceStore}: look a record up, add to its
 * balance, take from it, and create records "0".."n-1" in bulk. Replies name the record by {@code idField}.
 */
public final class BalanceOperations {

  private final BalanceStore store;
  private final String idField;

  public BalanceOperations(BalanceStore store, String idField) {
    this.store = store;
    this.idField = idField;
  }

  /** Replies with {@code view} of the record. */
  public Operation find(Function<JsonObject, JsonObject> view) {
    return request -> store.find(id(request)).map(view);
  }

  public Operation add() {
    return request -> {
      String id = id(request);
      return store.add(id, Amounts.field(request, "amount")).map(balance -> reply(id, balance));
    };
  }

  public Operation subtract() {
    return request -> {
      String id = id(request);
      return store.subtract(id, Amounts.field(request, "amount")).map(balance -> reply(id, balance));
    };
  }

  /** Creates (or resets) records "0".."n-1", each made by {@code document} from its id. */
  public Future<JsonObject> batchInit(long n, Function<String, JsonObject> document) {
    if (n > Amounts.MAX_BATCH) {
      return Future.failedFuture(ServiceException.badRequest("n must be at most " + Amounts.MAX_BATCH));
    }
    return store.replaceAll(n, i -> document.apply(Long.toString(i)).put("_id", Long.toString(i)))
      .map(done -> new JsonObject().put("msg", "Batch init for " + n + " "
      + idField.replace("_id", "") + "s successful"));
  }

  private String id(JsonObject request) {
    return Ids.require(idField, request.getString(idField));
  }

  private JsonObject reply(String id, long balance) {
    return new JsonObject().put(idField, id).put(store.balanceField(), balance);
  }
}
