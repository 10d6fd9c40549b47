package dev.sagashop.contracts;

import java.util.Locale;

/**
 * The configuration keys that more than one module reads or writes (each is also an environment variable, and
 * {@code config/default.yaml} documents it). Keys that one class alone reads live in that class.
 */
public final class ConfigKeys {

  /** What a process runs: "all", or a list such as "gateway,order" (also {@code --roles}). */
  public static final String ROLES = "ROLES";
  /** An external MongoDB ({@code mongodb://...}); empty starts the embedded server. */
  public static final String MONGO_URL = "MONGO_URL";
  /** An external Kafka; empty starts the embedded broker. */
  public static final String KAFKA_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
  /** {@code mysql://user:password@host:port/database} for the saga journal; empty starts the embedded MariaDB. */
  public static final String MYSQL_URL = "MYSQL_URL";
  /** Partitions of the topics the shop creates. */
  public static final String KAFKA_PARTITIONS = "KAFKA_PARTITIONS";
  public static final String KAFKA_SESSION_TIMEOUT_MS = "KAFKA_SESSION_TIMEOUT_MS";
  /** Where the embedded servers keep their data. */
  public static final String DATA_DIR = "DATA_DIR";
  public static final String EMBEDDED_MONGO_PORT = "EMBEDDED_MONGO_PORT";
  public static final String EMBEDDED_KAFKA_PORT = "EMBEDDED_KAFKA_PORT";
  public static final String EMBEDDED_KAFKA_CONTROLLER_PORT = "EMBEDDED_KAFKA_CONTROLLER_PORT";
  public static final String EMBEDDED_MYSQL_PORT = "EMBEDDED_MYSQL_PORT";

  public static final String GATEWAY_HOST = "GATEWAY_HOST";
  public static final String GATEWAY_PORT = "GATEWAY_PORT";
  /** Gateway verticle instances; 0 = one per core. */
  public static final String GATEWAY_INSTANCES = "GATEWAY_INSTANCES";
  /** The port of the internal HTTP face of a process with service roles but no gateway. */
  public static final String ROLE_PORT = "ROLE_PORT";
  /** A checkout waits for its saga's outcome this long; past it the caller gets a 504 and the saga carries on. */
  public static final String CHECKOUT_TIMEOUT_MS = "CHECKOUT_TIMEOUT_MS";
  /** How long the gateway waits for any other service call. */
  public static final String REQUEST_TIMEOUT_MS = "REQUEST_TIMEOUT_MS";
  /** Order replicas tell each other of checkout outcomes (needed when there are several). */
  public static final String ORDER_OUTCOME_BROADCAST = "ORDER_OUTCOME_BROADCAST";
  /** How long a saga waits for a reply before it sends its command again. */
  public static final String SAGA_RESEND_AFTER_MS = "SAGA_RESEND_AFTER_MS";
  /** How long a saga before its pivot waits for a stage's replies before it gives up and compensates. */
  public static final String STEP_DEADLINE_MS = "STEP_DEADLINE_MS";
  /** Days the journal keeps a finished saga (longer while Kafka holds older messages); 0: for good. */
  public static final String JOURNAL_RETENTION_DAYS = "JOURNAL_RETENTION_DAYS";
  /** The bearer token the admin routes ask for; without one they are off. */
  public static final String ADMIN_TOKEN = "ADMIN_TOKEN";
  /** text (default) or json: one JSON object per log line, with the saga and step as fields. Read by logback. */
  public static final String LOG_FORMAT = "LOG_FORMAT";
  /** The test-only fault switch. */
  public static final String FAULTS_ENABLED = "FAULTS_ENABLED";

  private ConfigKeys() {
  }

  /** {@code <SERVICE>_URL}: where another process serves {@code service}. */
  public static String url(String service) {
    return service.toUpperCase(Locale.ROOT) + "_URL";
  }
}
