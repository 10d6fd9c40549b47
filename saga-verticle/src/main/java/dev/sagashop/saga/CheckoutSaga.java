package dev.sagashop.saga;

import dev.sagashop.contracts.OrderApi;
import dev.sagashop.contracts.PaymentApi;
import dev.sagashop.contracts.StockApi;
import dev.sagashop.saga.engine.SagaDefinition;

import static dev.sagashop.contracts.MessageTypes.CHARGE_CREDIT;
import static dev.sagashop.contracts.MessageTypes.CONFIRM_CREDIT;
import static dev.sagashop.contracts.MessageTypes.CONFIRM_STOCK;
import static dev.sagashop.contracts.MessageTypes.LOCK_ORDER;
import static dev.sagashop.contracts.MessageTypes.MARK_ORDER_PAID;
import static dev.sagashop.contracts.MessageTypes.RELEASE_STOCK;
import static dev.sagashop.contracts.MessageTypes.REOPEN_ORDER;
import static dev.sagashop.contracts.MessageTypes.REFUND_CREDIT;
import static dev.sagashop.contracts.MessageTypes.RESERVE_STOCK;

/**
 * The checkout saga. Stages run top to bottom; reserving the stock and charging the credit are one stage, sent at
 * once (both only hold what they take until the saga confirms it, so neither needs the other's answer first). A
 * refusal compensates the rest of its stage — whether it was done or is still on its way — and then the stages
 * before it, bottom to top (release the stock and refund the credit, then reopen the order), so a caller told
 * "refused" finds everything as it was. Once both have succeeded (the pivot) nothing can refuse any more: marking
 * the order paid and the confirmations go out together, one-way.
 */
public final class CheckoutSaga {

  public static final SagaDefinition DEFINITION = SagaDefinition.named("checkout").keyedBy("order_id")
    .step("lock-order").at(OrderApi.SERVICE)
      .performedByInitiator(LOCK_ORDER).compensatedBy(REOPEN_ORDER)
    .step("reserve-stock").at(StockApi.SERVICE)
      .action(RESERVE_STOCK).compensatedBy(RELEASE_STOCK).confirmedBy(CONFIRM_STOCK)
    .alongside("charge-credit").at(PaymentApi.SERVICE)
      .action(CHARGE_CREDIT).compensatedBy(REFUND_CREDIT).confirmedBy(CONFIRM_CREDIT)
    .pivot()
    // The order is locked by this saga, so paying it cannot be refused, only delayed.
    .step("mark-paid").at(OrderApi.SERVICE)
      .action(MARK_ORDER_PAID)
    .build();

  private CheckoutSaga() {
  }
}
