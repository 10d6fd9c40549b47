package dev.sagashop.launcher;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The configuration, later sources overriding earlier ones key by key: the defaults inside the jar
 * ({@code config/default.yaml}), an optional file ({@code --config} or {@code SHOP_CONFIG}), the environment,
 * and finally the command line.
 */
final class ShopConfig {

  static final String DEFAULTS = "config/default.yaml";

  private ShopConfig() {
  }

  static JsonObject load(String file, JsonObject commandLine) throws Exception {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0)
      .addStore(yaml(DEFAULTS, false));
    String extra = file != null ? file : System.getenv("SHOP_CONFIG");
    boolean hasFile = extra != null && !extra.isBlank();
    if (hasFile) {
      checkReadable(extra);
      options.addStore(yaml(extra, false));
    }
    options.addStore(new ConfigStoreOptions().setType("env").setConfig(new JsonObject().put("raw-data", true)));
    Vertx vertx = Vertx.vertx();
    try {
      return ConfigRetriever.create(vertx, options).getConfig().await(30, TimeUnit.SECONDS).mergeIn(commandLine);
    } catch (Exception unreadable) {
      if (!hasFile) {
        throw unreadable;
      }
      throw new IllegalArgumentException("the configuration file " + extra + " is not valid YAML: "
        + String.valueOf(unreadable.getMessage()).strip().replaceAll("\\s+", " "), unreadable);
    } finally {
      vertx.close();
    }
  }

  /** Refuses a file that is not there or cannot be read, naming it. */
  static void checkReadable(String file) {
    if (!Files.isRegularFile(Path.of(file)) || !Files.isReadable(Path.of(file))) {
      throw new IllegalArgumentException("cannot read the configuration file " + file);
    }
  }

  private static ConfigStoreOptions yaml(String path, boolean optional) {
    return new ConfigStoreOptions().setType("file").setFormat("yaml").setOptional(optional)
      .setConfig(new JsonObject().put("path", path));
  }
}
