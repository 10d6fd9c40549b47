package dev.sagashop.saga;

import dev.sagashop.contracts.OrderApi;
import dev.sagashop.contracts.PaymentApi;
import dev.sagashop.contracts.StockApi;
import dev.sagashop.saga.engine.SagaDefinition;

import static dev.sagashop.contracts.MessageTypes.CHARGE_CREDIT;
import static dev.sagashop.contracts.MessageTypes.CONFIRM_CREDIT;
import static dev.sagashop.contracts.MessageTypes.CONFIRM_STOCK;
import static dev.sagashop.contracts.MessageTypes.MARK_ORDER_PAID;
import static dev.sagashop.contracts.MessageTypes.RELEASE_STOCK;
import static dev.sagashop.contracts.MessageTypes.REOPEN_ORDER;
import static dev.sagashop.contracts.MessageTypes.REFUND_CREDIT;
import static dev.sagashop.contracts.MessageTypes.RESERVE_STOCK;

/**
 * The checkout saga. Steps run top to bottom; a refusal runs the compensations of the steps before it, bottom to
 * top; so the order is reopened only after stock and credit are back, and a caller told "refused" finds everything
 * as it was. Once credit is charged (the pivot) nothing can refuse any more: marking the order paid and the
 * confirmations go out together, one-way.
 */
public final class CheckoutSaga {

  public static final SagaDefinition DEFINITION = SagaDefinition.named("checkout")
    // The order service locks the order (OPEN -> CHECKING_OUT) before it asks for the saga.
    .step("lock-order").at(OrderApi.SERVICE).doneByInitiator().compensatedBy(REOPEN_ORDER)
    .step("reserve-stock").at(StockApi.SERVICE)
      .action(RESERVE_STOCK).compensatedBy(RELEASE_STOCK).confirmedBy(CONFIRM_STOCK)
    .step("charge-credit").at(PaymentApi.SERVICE)
      .action(CHARGE_CREDIT).compensatedBy(REFUND_CREDIT).confirmedBy(CONFIRM_CREDIT)
    // Past the pivot: the order is locked by this saga, so paying it cannot be refused, only delayed.
    .step("mark-paid").at(OrderApi.SERVICE).retriable(MARK_ORDER_PAID)
    .build();

  private CheckoutSaga() {
  }
}
