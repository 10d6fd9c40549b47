package dev.sagashop.contracts;

/** The {@code type} of a {@link SagaMessage}. Commands go to participants; everything else to the coordinator. */
public final class MessageTypes {

  /**
   * Order service → coordinator, once, right after it locked an order for a new saga: start it. Payload {order_id,
   * user_id, items, total_cost}. Its saga id was never announced before.
   */
  public static final String CHECKOUT_STARTED = "CheckoutStarted";

  /**
   * Order service → coordinator: an order is still locked for this saga, which may or may not have been started
   * (a caller joined it, waited long, or the order service restarted); same payload.
   */
  public static final String CHECKOUT_REQUESTED = "CheckoutRequested";

  /** Done by the order service itself (OPEN → CHECKING_OUT) before it asks for the saga; never sent. */
  public static final String LOCK_ORDER = "LockOrder";

  public static final String RESERVE_STOCK = "ReserveStock";
  public static final String RELEASE_STOCK = "ReleaseStock";
  public static final String CONFIRM_STOCK = "ConfirmStock";
  public static final String CHARGE_CREDIT = "ChargeCredit";
  public static final String REFUND_CREDIT = "RefundCredit";
  public static final String CONFIRM_CREDIT = "ConfirmCredit";
  public static final String MARK_ORDER_PAID = "MarkOrderPaid";
  /** Compensates the order's lock; payload adds {reason}. */
  public static final String REOPEN_ORDER = "ReopenOrder";

  /** Participant → coordinator; payload {command, outcome, reason}. */
  public static final String REPLY = "Reply";

  /** Operator → the coordinator that owns the saga: compensate now, if not past the pivot. Payload {by}. */
  public static final String ADMIN_ABORT = "AdminAbort";
  /** Operator → the coordinator that owns the saga: re-send what it waits on now. Payload {by}. */
  public static final String ADMIN_RETRY = "AdminRetry";

  /** Order replica → all order replicas: {order_id, paid, reason}. */
  public static final String CHECKOUT_SETTLED = "CheckoutSettled";

  private MessageTypes() {
  }
}
