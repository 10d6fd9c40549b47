package dev.sagashop.launcher;

import dev.sagashop.gateway.GatewayVerticle;
import dev.sagashop.order.OrderVerticle;
import dev.sagashop.payment.PaymentVerticle;
import dev.sagashop.saga.SagaCoordinatorVerticle;
import dev.sagashop.stock.StockVerticle;
import io.vertx.core.Deployable;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/** What a process runs. {@code infra} is the embedded Kafka / Mongo-protocol / MySQL-compatible servers alone. */
public enum Role {
  // Deployed in this order: the participants and the coordinator before the gateway that calls them.
  ORDER(OrderVerticle::new),
  STOCK(StockVerticle::new),
  PAYMENT(PaymentVerticle::new),
  SAGA(SagaCoordinatorVerticle::new),
  GATEWAY(GatewayVerticle::new),
  INFRA(null);

  private final Supplier<Deployable> verticle;

  Role(Supplier<Deployable> verticle) {
    this.verticle = verticle;
  }

  Supplier<Deployable> verticle() {
    return verticle;
  }

  /** The service name of the role's verticle (its event-bus prefix); null for infra. */
  String service() {
    return this == INFRA ? null : name().toLowerCase(Locale.ROOT);
  }

  /** The services the saga module's supervisor deploys and restarts. */
  boolean supervised() {
    return usesMongo();
  }

  boolean usesMongo() {
    return this == ORDER || this == STOCK || this == PAYMENT;
  }

  boolean usesKafka() {
    return usesMongo() || this == SAGA;
  }

  boolean usesMysql() {
    return this == SAGA;
  }

  /** Every role but {@code infra}, which the all-in-one process covers by embedding what is not configured. */
  static Set<Role> all() {
    return EnumSet.complementOf(EnumSet.of(INFRA));
  }

  /** Parses "gateway,order" (or "all"); unknown names are refused with the list of known ones. */
  static Set<Role> parse(String text) {
    if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("all")) {
      return all();
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : text.split(",")) {
      try {
        roles.add(valueOf(name.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown role '" + name.trim() + "'; known roles: all, "
          + String.join(", ", Arrays.stream(values()).map(r -> r.name().toLowerCase(Locale.ROOT)).toList()), e);
      }
    }
    return roles;
  }
}
