package dev.sagashop.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The fat jar as a user starts it ({@code java -jar}) on loopback: data under {@code work}, output in {@code log}. */
final class ShopJar {

  private ShopJar() {
  }

  static Process start(Path work, int port, Path log, Map<String, String> environment) throws IOException {
    return start(Path.of(System.getProperty("shop.jar")), work, port, log, environment);
  }

  static Process start(Path jar, Path work, int port, Path log, Map<String, String> environment) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", jar.toString());
    builder.environment().put("DATA_DIR", work.resolve("data").toString());
    builder.environment().put("GATEWAY_HOST", "127.0.0.1");
    builder.environment().put("GATEWAY_PORT", Integer.toString(port));
    builder.environment().putAll(environment);
    return builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
