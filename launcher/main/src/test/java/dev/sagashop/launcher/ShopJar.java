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

  /** With stderr in a file of its own, {@code errors}, and only stdout in {@code log}. */
  static Process start(Path work, int port, Path log, Path errors, Map<String, String> environment)
    throws IOException {
    ProcessBuilder builder = builder(Path.of(System.getProperty("shop.jar")), work, port, environment, List.of());
    return builder.redirectOutput(log.toFile()).redirectError(errors.toFile()).start();
  }

  private static Process start(Path jar, Path work, int port, Path log, Map<String, String> environment,
                               List<String> args) throws IOException {
    return builder(jar, work, port, environment, args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static ProcessBuilder builder(Path jar, Path work, int port, Map<String, String> environment,
                                        List<String> args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", jar.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("DATA_DIR", work.resolve("data").toString());
    builder.environment().put("GATEWAY_HOST", "127.0.0.1");
    builder.environment().put("GATEWAY_PORT", Integer.toString(port));
    builder.environment().putAll(environment);
    return builder;
  }
}
