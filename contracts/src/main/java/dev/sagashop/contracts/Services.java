package dev.sagashop.contracts;

import java.util.List;

/** The services a gateway calls, by name (each name is also its event-bus prefix), and their health operations. */
public final class Services {

  public static final List<String> ALL = List.of(OrderApi.SERVICE, StockApi.SERVICE, PaymentApi.SERVICE,
    SagaApi.SERVICE);

  private Services() {
  }

  /** {} → {database: "UP", ...}: whether the service reaches what it needs; fails (503) naming what it does not. */
  public static String health(String service) {
    return service + ".health";
  }
}
