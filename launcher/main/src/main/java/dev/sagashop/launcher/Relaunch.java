package dev.sagashop.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JVM options the shop is measured with, for a {@code java -jar} that cannot carry them: a shop JVM started
 * with no {@code -XX} option and no agent starts the shop in a child JVM that has them (a JVM given either runs as it
 * was told, as do the image and the chart, which pass these). The two live as one process: the
 * parent passes signals on and exits with the child's status, and a child whose parent is gone — killed with
 * SIGKILL, say — halts at once, as if it had been killed too.
 */
final class Relaunch {

  /**
   * Long-lived data (the embedded Mongo server's documents) was copied between survivor spaces at every young
   * collection until it aged out; promoted after one, the pauses fell (docs/PERFORMANCE.md).
   */
  static final List<String> OPTIONS = List.of("-XX:MaxTenuringThreshold=1");
  /** Set in the child, so it never starts another. */
  static final String CHILD = "saga-shop.child";
  /** {@code SHOP_RELAUNCH=false} runs the shop in the JVM it was started in, whatever its options. */
  static final String SWITCH = "SHOP_RELAUNCH";

  private static final Logger log = LoggerFactory.getLogger(Relaunch.class);
  private static final long STOP_WITHIN_S = 60;

  private Relaunch() {
  }

  /** Whether this JVM should start the shop in a child with {@link #OPTIONS} instead of running it itself. */
  static boolean wanted() {
    return System.getProperty(CHILD) == null && !"false".equalsIgnoreCase(System.getenv(SWITCH))
      && jar() != null && ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
      .noneMatch(option -> option.startsWith("-XX:") || option.startsWith("-agent") || option.startsWith("-javaagent"));
  }

  /** Runs the shop in a child JVM and returns its exit status. */
  static int run(String[] args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
      "java").toString()));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(OPTIONS);
    command.add("-D" + CHILD + "=true");
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    // The child's stdin is a pipe from this process: it closes when this process dies, however it dies.
    Process child = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
      .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    log.info("running the shop in a child JVM (pid {}) with {}; {}=false runs it in this one", child.pid(), OPTIONS,
      SWITCH);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM through the handle: Process.destroy would also close the child's stdin, which it takes for its
      // parent's death and halts, skipping its own shutdown.
      child.toHandle().destroy();
      try {
        child.waitFor(STOP_WITHIN_S, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "stop-child"));
    return child.waitFor();
  }

  /** In the child: halts as soon as the parent is gone (its end of the stdin pipe closed). */
  static void dieWithParent() {
    if (System.getProperty(CHILD) == null) {
      return;
    }
    Thread watcher = new Thread(() -> {
      try (InputStream parent = System.in) {
        while (parent.read() >= 0) {
          // nothing is ever sent; read until the pipe closes
        }
      } catch (IOException e) {
        // a broken pipe: the parent is gone just the same
      }
      Runtime.getRuntime().halt(137);
    }, "parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static Path jar() {
    try {
      Path location = Path.of(Relaunch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return location.toString().endsWith(".jar") ? location : null;
    } catch (Exception e) {
      return null;
    }
  }
}
