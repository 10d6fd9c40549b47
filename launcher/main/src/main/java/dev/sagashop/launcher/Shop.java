package dev.sagashop.launcher;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Settings;
import dev.sagashop.gateway.RoleServer;
import dev.sagashop.messaging.supervision.ServiceSupervisor;
import dev.sagashop.messaging.GroupSession;
import dev.sagashop.messaging.KafkaTopics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** One process of the shop: the embedded servers it needs and the verticles of its roles, on one Vert.x. */
public final class Shop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Shop.class);

  private final Vertx vertx;
  private final EmbeddedInfra infra;
  private final JsonObject config;
  private final Map<Role, String> deployments = new EnumMap<>(Role.class);
  private ServiceSupervisor supervisor;
  /** The server a role process answers the gateway's calls on, if it has one. */
  private String roleServer;

  private Shop(Vertx vertx, EmbeddedInfra infra, JsonObject config) {
    this.vertx = vertx;
    this.infra = infra;
    this.config = config;
  }

  /** Starts the roles' embedded servers and verticles; blocks until they are up or one failed. */
  public static Shop start(JsonObject config, Set<Role> roles) throws Exception {
    EmbeddedInfra infra = new EmbeddedInfra();
    Vertx vertx = ShopMetrics.vertx();
    Shop shop = null;
    try {
      shop = new Shop(vertx, infra, infra.start(config, roles));
      shop.deploy(roles);
      return shop;
    } catch (Exception | Error e) {
      if (shop != null) {
        shop.close();
      } else {
        vertx.close().await(30, TimeUnit.SECONDS);
        infra.close();
      }
      throw e;
    }
  }

  /**
   * The order, stock and payment verticles go under the supervisor (which keeps retrying one that cannot start),
   * then the coordinator, then the gateway that calls them all.
   */
  private void deploy(Set<Role> roles) throws Exception {
    // One probe per event loop (Vert.x hands event loops out in turn).
    vertx.deployVerticle(ShopMetrics.EventLoopDelay::new,
      new DeploymentOptions().setInstances(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE)).await(60, TimeUnit.SECONDS);
    if (roles.stream().anyMatch(Role::usesKafka)) {
      KafkaTopics.ensure(vertx, config).await(60, TimeUnit.SECONDS);
      config.put(ConfigKeys.KAFKA_SESSION_TIMEOUT_MS, GroupSession.resolve(vertx, config).await(60, TimeUnit.SECONDS));
    }
    List<ServiceSupervisor.Child> supervised = roles.stream().filter(Role::supervised)
      .map(role -> new ServiceSupervisor.Child(role.service(), role.verticle(),
        new DeploymentOptions().setConfig(config)))
      .toList();
    if (!supervised.isEmpty()) {
      supervisor = new ServiceSupervisor(supervised);
      vertx.deployVerticle(supervisor).await(60, TimeUnit.SECONDS);
    }
    for (Role role : roles) {
      if (role.verticle() != null && !role.supervised()) {
        deploy(role).await(60, TimeUnit.SECONDS);
      }
    }
    if (!roles.contains(Role.GATEWAY) && Settings.port(config, ConfigKeys.ROLE_PORT, 0) > 0) {
      roleServer = vertx.deployVerticle(new RoleServer(roles.stream().map(Role::service).filter(Objects::nonNull)
        .toList()), new DeploymentOptions().setConfig(config)).await(60, TimeUnit.SECONDS);
    }
  }

  /** Deploys a role's verticle in this process (a supervised one: resumes its supervision). */
  public Future<?> deploy(Role role) {
    if (role.supervised()) {
      return supervisor.resume(role.service());
    }
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    if (role == Role.GATEWAY) {
      int instances = Settings.integer(config, ConfigKeys.GATEWAY_INSTANCES, 0, 0, 1_024);
      options.setInstances(instances > 0 ? instances : Runtime.getRuntime().availableProcessors());
    }
    return vertx.deployVerticle(role.verticle(), options).onSuccess(id -> {
      deployments.put(role, id);
      log.info("deployed {}", role.name().toLowerCase());
    });
  }

  /** Undeploys a role's verticle (a supervised one: pauses its supervision); its work waits for the next one. */
  public Future<Void> undeploy(Role role) {
    if (role.supervised()) {
      return supervisor.pause(role.service());
    }
    String id = deployments.remove(role);
    return id == null ? Future.succeededFuture() : vertx.undeploy(id)
      .onSuccess(done -> log.info("undeployed {}", role.name().toLowerCase()));
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The configuration the verticles got, embedded servers' addresses included. */
  public JsonObject config() {
    return config;
  }

  public int gatewayPort() {
    return Settings.port(config, ConfigKeys.GATEWAY_PORT, 8000);
  }

  /** Undeploys the verticles, then stops the embedded servers: in-flight work drains before its storage goes. */
  @Override
  public void close() throws Exception {
    try {
      // What callers reach first — the gateway, a role process's server — answering the requests in flight, so no
      // new one starts while the services drain; the supervised services last, their supervision paused, so that
      // none is brought back while it stops.
      if (roleServer != null) {
        vertx.undeploy(roleServer).await(30, TimeUnit.SECONDS);
      }
      List<Role> roles = new ArrayList<>(deployments.keySet());
      java.util.Collections.reverse(roles);
      for (Role role : roles) {
        undeploy(role).await(30, TimeUnit.SECONDS);
      }
      if (supervisor != null) {
        supervisor.pauseAll().await(30, TimeUnit.SECONDS);
      }
      vertx.close().await(30, TimeUnit.SECONDS);
    } finally {
      infra.close();
    }
  }
}
