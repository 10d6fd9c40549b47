package dev.sagashop.launcher;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.sagashop.contracts.ConfigKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The JVM the shop is measured with, for a {@code java -jar} that cannot carry options: a shop JVM started with no
 * {@code -XX} option and no agent starts the shop in a child JVM that has them (a JVM given either runs as it was
 * told, as do the image and the chart, which pass these). The child runs on a JDK 25 or later where one is this JVM
 * or installed beside it, with an AOT cache ({@link AotCache}): its first minute then runs compiled code sooner
 * (docs/PERFORMANCE.md). The two live as one process: the
 * parent passes signals on and exits with the child's status, and a child whose parent is gone — killed with
 * SIGKILL, say — kills itself at once, as if it had been killed too.
 */
final class Relaunch {

  /**
   * Long-lived data (the embedded Mongo server's documents) was copied between survivor spaces at every young
   * collection until it aged out; promoted after one, the pauses fell (docs/PERFORMANCE.md).
   */
  private static final String TENURING = "-XX:MaxTenuringThreshold=1";
  /**
   * JIT compiler threads at least. On a machine of few cores the JVM starts two, one per compiler, and under load the
   * lone C2 thread gets no more than its share of the cores, so the first minute ran interpreted and C1 code for
   * longer (docs/PERFORMANCE.md). Threads beyond the first of each compiler run only while code waits for them.
   */
  static final int COMPILER_THREADS = 6;
  /** Set in the child, so it never starts another. */
  static final String CHILD = "saga-shop.child";
  /** {@code SHOP_RELAUNCH=false} runs the shop in the JVM it was started in, whatever its options. */
  static final String SWITCH = "SHOP_RELAUNCH";

  private static final Logger log = LoggerFactory.getLogger(Relaunch.class);
  private static final long STOP_WITHIN_S = 60;

  private Relaunch() {
  }

  /**
   * The options the child gets: {@link #TENURING}, and {@link #COMPILER_THREADS} where this JVM, which was given none,
   * has fewer (the child's defaults are this machine's too).
   */
  static List<String> options() {
    List<String> options = new ArrayList<>(List.of(TENURING));
    if (compilerThreads() < COMPILER_THREADS) {
      options.add("-XX:CICompilerCount=" + COMPILER_THREADS);
    }
    return options;
  }

  private static int compilerThreads() {
    try {
      return Integer.parseInt(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
        .getVMOption("CICompilerCount").getValue());
    } catch (RuntimeException notHotSpot) {
      return COMPILER_THREADS;
    }
  }

  /** Whether this JVM should start the shop in a child with {@link #options()} instead of running it itself. */
  static boolean wanted() {
    return System.getProperty(CHILD) == null && !"false".equalsIgnoreCase(System.getenv(SWITCH))
      && jar() != null && ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
      .noneMatch(option -> option.startsWith("-XX:") || option.startsWith("-agent") || option.startsWith("-javaagent"));
  }

  /** Runs the shop in a child JVM and returns its exit status. */
  static int run(String[] args) throws IOException, InterruptedException {
    Path jar = jar();
    JavaRuntime runtime = JavaRuntime.forShop(JavaRuntime.current());
    List<String> jvmOptions = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
    List<String> options = options();
    jvmOptions.addAll(options);
    jvmOptions.addAll(runtime.quietOptions());
    jvmOptions.add("-D" + CHILD + "=true");
    List<String> commandLine = new ArrayList<>(List.of(args));
    commandLine.add(ConfigKeys.ROLES + "=" + System.getenv(ConfigKeys.ROLES));
    Optional<AotCache> aot = AotCache.beside(jar, runtime, jvmOptions, commandLine);
    List<String> command = new ArrayList<>();
    command.add(runtime.java().toString());
    command.addAll(jvmOptions);
    aot.ifPresent(cache -> command.addAll(cache.options()));
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    // The child's stdin is a pipe from this process: it closes when this process dies, however it dies.
    Process child = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
      .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Optional<BusyTime> worked = aot.filter(cache -> !cache.loads())
      .map(cache -> BusyTime.of(child.toHandle(), BusyTime.WINDOW));
    log.info("running the shop in a child JVM (pid {}) on Java {} ({}) with {}; {}=false runs it in this one",
      child.pid(), runtime.build(), runtime.home(), options, SWITCH);
    aot.ifPresent(cache -> log.info(cache.loads() ? "the child loads its AOT cache {}"
      : "the child records for an AOT cache, made into {} for the starts after it if this one works {} s or more "
        + "under load", cache.file(), cache.training().toSeconds()));
    Runnable finish = () -> aot.ifPresent(cache -> {
      try {
        if (cache.finish(child.exitValue(), worked.map(BusyTime::busy).orElse(Duration.ZERO))) {
          log.info("AOT cache made: {}", cache.file());
        }
      } catch (IOException e) {
        log.warn("could not make the AOT cache {}: {}", cache.file(), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM through the handle: Process.destroy would also close the child's stdin, which it takes for its
      // parent's death and halts, skipping its own shutdown.
      child.toHandle().destroy();
      try {
        if (child.waitFor(STOP_WITHIN_S, TimeUnit.SECONDS)) {
          finish.run();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "stop-child"));
    int status = child.waitFor();
    finish.run();
    return status;
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
      killSelf();
    }, "parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  /**
   * Ends this JVM as a SIGKILL would. Not {@code Runtime.halt}: a JVM recording for an AOT cache still writes its
   * recording as it halts (about 100 MB, seconds on a slow machine, while the shop's ports stay bound), and a
   * recording whose parent is gone is never made into a cache.
   */
  private static void killSelf() {
    try {
      new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
    } catch (IOException e) {
      // no process could be started: halting is the next best thing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().halt(137);
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
