package dev.sagashop.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chart in this folder, linted and rendered by the real Helm library; the rendered YAML is parsed and checked. */
class ChartTest {

  private static final Path CHART = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  private static final List<String> ROLES = List.of("gateway", "order", "stock", "payment", "saga");

  @Test
  @DisplayName("The chart passes helm lint --strict with its default values")
  void lintsStrictly() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertFalse(result.isFailed(), () -> String.join("\n", result.getMessages()));
  }

  @Test
  @DisplayName("By default each role gets a Deployment with probes, a pre-stop delay, its ROLES env, the infra Secret "
    + "and the config")
  void rendersOneDeploymentPerRole() {
    Rendered rendered = render(UnaryOperator.identity());
    for (String role : ROLES) {
      Map<String, Object> deployment = rendered.one("Deployment", "shop-saga-shop-" + role);
      assertEquals(2, at(deployment, "spec", "replicas"), role);
      Map<String, Object> container = container(deployment);
      assertEquals("saga-shop:1.0.0", container.get("image"));
      assertEquals(role, env(container, "ROLES"));
      int port = role.equals("gateway") ? 8000 : 8080;
      assertEquals(port, at(list(container, "ports").get(0), "containerPort"));
      assertEquals("/health/live", at(container, "livenessProbe", "httpGet", "path"));
      assertEquals("/health/ready", at(container, "readinessProbe", "httpGet", "path"));
      assertEquals(List.of("sleep", "5"), at(container, "lifecycle", "preStop", "exec", "command"),
        "the endpoint goes before the SIGTERM that drains the server");
      assertEquals(List.of("shop-saga-shop", "shop-saga-shop-infra"), envFrom(container));
      assertEquals(Boolean.TRUE, at(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot"));
      assertEquals(port, at(list(rendered.one("Service", "shop-saga-shop-" + role), "spec", "ports").get(0), "port"));
      assertNotNull(rendered.one("PodDisruptionBudget", "shop-saga-shop-" + role));
    }
    Map<String, Object> secret = rendered.one("Secret", "shop-saga-shop-infra");
    assertEquals("kafka:9092", at(secret, "stringData", "KAFKA_BOOTSTRAP_SERVERS"));
    assertEquals("mongodb://mongodb:27017", at(secret, "stringData", "MONGO_URL"));
    Map<String, Object> config = rendered.one("ConfigMap", "shop-saga-shop");
    assertEquals("http://shop-saga-shop-stock:8080", at(config, "data", "STOCK_URL"));
    assertEquals("8080", at(config, "data", "ROLE_PORT"));
    assertEquals("true", at(config, "data", "ORDER_OUTCOME_BROADCAST"), "two order replicas must share outcomes");
    assertEquals("8", at(config, "data", "KAFKA_PARTITIONS"), "replicas of a role need partitions to share");
    assertTrue(rendered.all("HorizontalPodAutoscaler").isEmpty());
    assertTrue(rendered.all("Ingress").isEmpty());
  }

  @Test
  @DisplayName("allInOne runs one pod of every role with embedded infrastructure on a volume, and no Secret")
  void rendersAllInOne() {
    Rendered rendered = render(helm -> helm.set("allInOne.enabled", "true"));
    assertEquals(1, rendered.all("Deployment").size());
    Map<String, Object> deployment = rendered.one("Deployment", "shop-saga-shop-all");
    assertEquals(1, at(deployment, "spec", "replicas"));
    assertEquals("Recreate", at(deployment, "spec", "strategy", "type"));
    Map<String, Object> container = container(deployment);
    assertEquals("all", env(container, "ROLES"));
    assertEquals(List.of("shop-saga-shop"), envFrom(container));
    assertEquals("/data", at(list(container, "volumeMounts").get(0), "mountPath"));
    assertEquals("/data", at(rendered.one("ConfigMap", "shop-saga-shop"), "data", "DATA_DIR"));
    assertNotNull(rendered.one("PersistentVolumeClaim", "shop-saga-shop-data"));
    assertNotNull(rendered.one("Service", "shop-saga-shop-gateway"));
    assertTrue(rendered.all("Secret").isEmpty());
    assertTrue(rendered.all("PodDisruptionBudget").isEmpty());
  }

  @Test
  @DisplayName("Custom replicas, an existing Secret, autoscaling, an ingress and extra settings all reach the manifests")
  void rendersCustomValues() {
    Rendered rendered = render(helm -> helm
      .set("roles.stock.replicas", "5")
      .set("roles.order.replicas", "1")
      .set("external.existingSecret", "prod-infra")
      .withValuesFile(values("autoscaling: {enabled: true, roles: [gateway]}"))
      .set("ingress.enabled", "true")
      .set("ingress.host", "shop.test")
      .set("config.KAFKA_PARTITIONS", "16"));
    assertEquals(5, at(rendered.one("Deployment", "shop-saga-shop-stock"), "spec", "replicas"));
    assertFalse(((Map<?, ?>) at(rendered.one("Deployment", "shop-saga-shop-gateway"), "spec")).containsKey("replicas"),
      "an autoscaled role's replicas belong to its HPA");
    assertEquals("shop-saga-shop-gateway",
      at(rendered.one("HorizontalPodAutoscaler", "shop-saga-shop-gateway"), "spec", "scaleTargetRef", "name"));
    assertEquals(List.of("shop-saga-shop", "prod-infra"), envFrom(container(rendered.one("Deployment", "shop-saga-shop-payment"))));
    assertTrue(rendered.all("Secret").isEmpty(), "an existing Secret replaces the chart's");
    Map<String, Object> config = rendered.one("ConfigMap", "shop-saga-shop");
    assertEquals("16", at(config, "data", "KAFKA_PARTITIONS"));
    assertEquals("false", at(config, "data", "ORDER_OUTCOME_BROADCAST"));
    assertEquals("shop.test", at(list(rendered.one("Ingress", "shop-saga-shop"), "spec", "rules").get(0), "host"));
  }

  @ParameterizedTest(name = "{0}={1} is refused")
  @DisplayName("Invalid values fail at install, by the schema")
  @CsvSource({
    "roles.stock.replicas, -1",
    "roles.gateway.replicas, many",
    "external.kafka.bootstrapServers, ''",
    "external.mongo.url, http://mongo",
    "service.port, 70000",
    "image.pullPolicy, Sometimes",
    "preStopSeconds, -5",
  })
  void rejectsInvalidValues(String key, String value) {
    assertRefused(helm -> helm.set(key, value));
  }

  @Test
  @DisplayName("Only known roles can be autoscaled")
  void rejectsUnknownAutoscaledRoles() {
    assertRefused(helm -> helm.withValuesFile(values("autoscaling: {enabled: true, roles: [billing]}")));
  }

  private static void assertRefused(UnaryOperator<TemplateCommand> values) {
    Exception failure = assertThrows(Exception.class, () -> render(values));
    assertTrue(failure.getMessage().contains("schema"), failure.getMessage());
  }

  private static Path values(String yaml) {
    try {
      Path file = Files.createTempFile("values", ".yaml");
      file.toFile().deleteOnExit();
      return Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("Without Kafka, Mongo and MySQL addresses all-in-one needs none, and an existing Secret stands in for them")
  void addressesAreOnlyNeededWhenNotAllInOne() {
    UnaryOperator<TemplateCommand> noAddresses = helm -> helm.set("external.kafka.bootstrapServers", "")
      .set("external.mongo.url", "").set("external.mysql.url", "");
    assertEquals(1, render(helm -> noAddresses.apply(helm).set("allInOne.enabled", "true")).all("Deployment").size());
    assertEquals(5, render(helm -> noAddresses.apply(helm).set("external.existingSecret", "infra")).all("Deployment").size());
  }

  @Test
  @DisplayName("A role with several replicas gets a PodDisruptionBudget and prefers one node per replica; one with "
    + "a single replica gets neither")
  void spreadsReplicas() {
    Rendered rendered = render(helm -> helm.set("roles.stock.replicas", "1"));
    Map<String, Object> payment = rendered.one("Deployment", "shop-saga-shop-payment");
    Map<String, Object> term = cast(list(payment, "spec", "template", "spec", "affinity", "podAntiAffinity",
      "preferredDuringSchedulingIgnoredDuringExecution").get(0).get("podAffinityTerm"));
    assertEquals("kubernetes.io/hostname", term.get("topologyKey"));
    assertEquals("payment", at(term, "labelSelector", "matchLabels", "app.kubernetes.io/component"));
    assertNotNull(rendered.one("PodDisruptionBudget", "shop-saga-shop-payment"));
    assertEquals(null, at(rendered.one("Deployment", "shop-saga-shop-stock"), "spec", "template", "spec", "affinity"));
    assertTrue(rendered.all("PodDisruptionBudget").stream()
      .noneMatch(pdb -> "shop-saga-shop-stock".equals(at(pdb, "metadata", "name"))));
    assertEquals(null, at(render(helm -> helm.set("spreadAcrossNodes", "false")).one("Deployment",
      "shop-saga-shop-payment"), "spec", "template", "spec", "affinity"));
  }

  @Test
  @DisplayName("Optional monitoring: a ServiceMonitor over every Service, the Grafana dashboard as a ConfigMap whose "
    + "queries name metrics the shop serves, and the admin token from a Secret for the gateway only")
  void rendersMonitoringAndAdminToken() throws IOException {
    Rendered plain = render(UnaryOperator.identity());
    assertTrue(plain.all("ServiceMonitor").isEmpty());
    Rendered rendered = render(helm -> helm.set("metrics.serviceMonitor.enabled", "true")
      .set("metrics.dashboard.enabled", "true").set("admin.existingSecret", "shop-admin"));
    Map<String, Object> monitor = rendered.one("ServiceMonitor", "shop-saga-shop");
    assertEquals("/metrics", at(list(monitor, "spec", "endpoints").get(0), "path"));
    assertEquals("http", at(list(monitor, "spec", "endpoints").get(0), "port"));
    for (String role : ROLES) {
      Map<String, Object> service = rendered.one("Service", "shop-saga-shop-" + role);
      Map<String, Object> selector = cast(at(monitor, "spec", "selector", "matchLabels"));
      selector.forEach((label, value) -> assertEquals(value, at(service, "metadata", "labels", label), role));
      List<Map<String, Object>> env = list(container(rendered.one("Deployment", "shop-saga-shop-" + role)), "env");
      boolean token = env.stream().anyMatch(e -> "ADMIN_TOKEN".equals(e.get("name")));
      assertEquals(role.equals("gateway"), token, role);
    }
    Map<String, Object> dashboard = rendered.one("ConfigMap", "shop-saga-shop-dashboard");
    assertEquals("1", at(dashboard, "metadata", "labels", "grafana_dashboard"));
    String json = (String) at(dashboard, "data", "saga-shop.json");
    assertEquals(Files.readString(CHART.resolve("dashboards/saga-shop.json")).strip(), json.strip());
    // Every metric a panel queries is one the shop serves (launcher's OperationsTest checks they are there).
    Matcher names = Pattern.compile("(saga_shop_\\w+|vertx_http_server_\\w+|jvm_\\w+)")
      .matcher(json);
    List<String> queried = new ArrayList<>();
    while (names.find()) {
      queried.add(names.group(1));
    }
    assertTrue(queried.size() > 10, queried::toString);
    List<String> served = List.of("saga_shop_sagas_finished_total", "saga_shop_sagas_in_flight",
      "saga_shop_saga_duration_seconds_bucket", "saga_shop_step_latency_seconds_bucket", "saga_shop_kafka_consumer_lag",
      "saga_shop_saga_resends_total", "saga_shop_dead_letters_total", "saga_shop_journal_batch_sagas_sum",
      "saga_shop_journal_batch_sagas_count", "saga_shop_event_loop_delay_seconds_bucket", "jvm_memory_used_bytes",
      "jvm_gc_pause_seconds_sum", "saga_shop_verticle_restarts_total", "saga_shop_circuit_open",
      "vertx_http_server_requests_total", "vertx_http_server_response_time_seconds_bucket");
    assertTrue(served.containsAll(queried),
      () -> "unknown: " + queried.stream().filter(q -> !served.contains(q)).toList());
  }

  private static Rendered render(UnaryOperator<TemplateCommand> values) {
    String yaml = values.apply(new Helm(CHART).template().withName("shop")).call();
    List<Map<String, Object>> documents = new ArrayList<>();
    for (Object document : new Yaml().loadAll(yaml)) {
      if (document != null) {
        documents.add(cast(document));
      }
    }
    return new Rendered(documents);
  }

  private record Rendered(List<Map<String, Object>> documents) {
    List<Map<String, Object>> all(String kind) {
      return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    Map<String, Object> one(String kind, String name) {
      return all(kind).stream().filter(d -> name.equals(at(d, "metadata", "name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " among " + documents.stream()
          .map(d -> d.get("kind") + "/" + at(d, "metadata", "name")).toList()));
    }
  }

  private static Map<String, Object> container(Map<String, Object> deployment) {
    List<Map<String, Object>> containers = list(deployment, "spec", "template", "spec", "containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static String env(Map<String, Object> container, String name) {
    return list(container, "env").stream().filter(e -> name.equals(e.get("name")))
      .map(e -> Objects.toString(e.get("value"))).findFirst().orElse(null);
  }

  private static List<String> envFrom(Map<String, Object> container) {
    return list(container, "envFrom").stream().map(source -> {
      Object ref = source.containsKey("configMapRef") ? source.get("configMapRef") : source.get("secretRef");
      return (String) ((Map<?, ?>) ref).get("name");
    }).toList();
  }

  private static Object at(Map<String, Object> node, String... path) {
    Object current = node;
    for (String key : path) {
      current = current instanceof Map<?, ?> map ? map.get(key) : null;
    }
    return current;
  }

  private static List<Map<String, Object>> list(Map<String, Object> node, String... path) {
    return cast(at(node, path));
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value) {
    return (T) value;
  }
}
