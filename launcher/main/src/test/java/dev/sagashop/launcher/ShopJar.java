package dev.sagashop.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The fat jar as a user starts it ({@code java -jar}) on loopback: data under {@code work}, output in {@code log}. */
final class ShopJar {

  private ShopJar() {
  }

  static Process start(Path work, int port, Path log, Map<String, String> environment) throws IOException {
    return start(Path.of(System.getProperty("shop.jar")), work, port, log, environment);
  }

  static Process start(Path jar, Path work, int port, Path log, Map<String, String> environment) throws IOException {
    return start(jar, work, port, log, environment, List.of());
  }

  /** With {@code args} after the jar. */
  static Process start(Path work, int port, Path log, Map<String, String> environment, List<String> args)
    throws IOException {
    return start(Path.of(System.getProperty("shop.jar")), work, port, log, environment, args);
  }

  private static Process start(Path jar, Path work, int port, Path log, Map<String, String> environment,
                               List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", jar.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("DATA_DIR", work.resolve("data").toString());
    builder.environment().put("GATEWAY_HOST", "127.0.0.1");
    builder.environment().put("GATEWAY_PORT", Integer.toString(port));
    builder.environment().putAll(environment);
    return builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
