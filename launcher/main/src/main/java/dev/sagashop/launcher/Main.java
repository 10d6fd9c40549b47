package dev.sagashop.launcher;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.bench.Bench;
import dev.sagashop.contracts.Settings;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * {@code java -jar saga-shop.jar [--roles gateway,order,...] [--config file.yaml]} runs the shop;
 * with no arguments it runs every role in this process with embedded Kafka, Mongo-protocol and MySQL servers.
 * {@code java -jar saga-shop.jar bench ...} runs the benchmark against a running shop instead.
 */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);
  private static final String USAGE = """
    usage: java -jar saga-shop.jar [--roles all|gateway,order,stock,payment,saga,infra] [--config file.yaml]
           java -jar saga-shop.jar bench --help""";

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("bench")) {
      Bench.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println(USAGE);
      return;
    }
    String logFormat = Objects.requireNonNullElse(System.getenv(ConfigKeys.LOG_FORMAT), "text");
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      // logback would print nothing at all.
      System.err.println("saga-shop: " + ConfigKeys.LOG_FORMAT + " must be text or json, not '" + logFormat + "'");
      System.exit(2);
    }
    Arguments arguments;
    try {
      // Before a relaunch, so a mistyped command line is told at once instead of after a child JVM's start.
      arguments = Arguments.parse(args);
      AotCache.workAtLeast();
    } catch (IllegalArgumentException e) {
      System.err.println("saga-shop: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (Relaunch.wanted()) {
      System.exit(Relaunch.run(args));
    }
    Relaunch.dieWithParent();
    try {
      run(arguments);
    } catch (IllegalArgumentException e) {
      System.err.println("saga-shop: " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      log.error("saga-shop could not start", e);
      System.exit(1);
    }
  }

  /** The command line: a configuration file, and settings that override it. */
  private record Arguments(String configFile, JsonObject commandLine) {
    static Arguments parse(String[] args) {
      String configFile = null;
      JsonObject commandLine = new JsonObject();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--roles" -> {
            String roles = value(args, ++i, "--roles");
            Role.parse(roles);
            commandLine.put(ConfigKeys.ROLES, roles);
          }
          case "--config" -> {
            configFile = value(args, ++i, "--config");
            ShopConfig.checkReadable(configFile);
          }
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      return new Arguments(configFile, commandLine);
    }
  }

  private static void run(Arguments arguments) throws Exception {
    JsonObject config = ShopConfig.load(arguments.configFile(), arguments.commandLine());
    Set<Role> roles = Role.parse(Settings.string(config, ConfigKeys.ROLES, "all"));
    Shop shop = Shop.start(config, roles);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        shop.close();
      } catch (Exception e) {
        log.warn("unclean shutdown", e);
      }
    }, "shutdown"));
    log.info("saga-shop is up: roles {}{}{}", roles, roles.contains(Role.GATEWAY)
      ? ", API on http://" + Settings.string(config, ConfigKeys.GATEWAY_HOST, "0.0.0.0") + ":" + shop.gatewayPort()
      : "",
      // What the other processes of a multi-process layout need to be told.
      roles.contains(Role.INFRA) ? ", MONGO_URL=" + shop.config().getString(ConfigKeys.MONGO_URL)
        + " KAFKA_BOOTSTRAP_SERVERS=" + shop.config().getString(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS)
        + " MYSQL_URL=" + shop.config().getString(ConfigKeys.MYSQL_URL) : "");
  }

  private static String value(String[] args, int index, String flag) {
    if (index >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value (arguments: " + Arrays.toString(args) + ")");
    }
    return args[index];
  }
}
