package dev.sagashop.launcher;

import dev.sagashop.contracts.Settings;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The child JVM's AOT cache (JEP 483/515: classes loaded and linked ahead, and the method profiles of a run that
 * served traffic, so the JIT compiles the checkout path within seconds instead of a minute). It lives beside the jar,
 * one per jar build, runtime build and command line: a start finding its cache loads it; a start finding none
 * records one (the JVM writes what it saw as it stops), and if the run was stopped after working (under load, see
 * {@link BusyTime}) for {@link #TRAINING} seconds or more, the recording is made into the cache for the starts after
 * it; a run that served little profiled nothing worth loading, and the next start records again.
 * Files are written under names of their own and moved into place, so processes of one jar never leave a torn one.
 */
final class AotCache {

  /** Seconds a run must work under load for its recording to become the cache; {@link #WORK_AT_LEAST} if unset. */
  static final String TRAINING = "SHOP_AOT_TRAINING_S";
  static final Duration WORK_AT_LEAST = Duration.ofMinutes(1);
  /** Exit statuses of a JVM that was asked to stop: it ran its shutdown and wrote its recording. */
  private static final Set<Integer> STOPPED = Set.of(0, 130, 143);
  private static final String RECORDING = ".aotconf";
  private static final String CREATING = ".creating";
  /** The JVM's notes on classes it leaves out of a cache are not the shop's log (and not JSON lines). */
  private static final String QUIET = "-Xlog:aot*=off";

  private final Path jar;
  private final JavaRuntime runtime;
  private final List<String> jvmOptions;
  private final Path file;
  private final Path recording;
  private final boolean exists;
  private final Duration workAtLeast;
  private boolean finished;

  private AotCache(Path jar, JavaRuntime runtime, List<String> jvmOptions, Path file, boolean exists) {
    this.jar = jar;
    this.runtime = runtime;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.file = file;
    this.recording = sibling(file, RECORDING);
    this.exists = exists;
    this.workAtLeast = workAtLeast();
  }

  /** How long a run must work under load for its recording to become the cache ({@link #TRAINING}). */
  static Duration workAtLeast() {
    return Duration.ofSeconds(Settings.number(new JsonObject().put(TRAINING, System.getenv(TRAINING)), TRAINING,
      WORK_AT_LEAST.toSeconds(), 1, Duration.ofDays(1).toSeconds()));
  }

  /**
   * The cache for this jar, runtime and command line (the child's JVM options, and what else picks what it runs);
   * empty where the runtime keeps none or the folder is read-only.
   */
  static Optional<AotCache> beside(Path jar, JavaRuntime runtime, List<String> jvmOptions, List<String> commandLine) {
    Path folder = jar.toAbsolutePath().getParent();
    if (!runtime.aotCache() || folder == null || !Files.isWritable(folder)) {
      return Optional.empty();
    }
    try {
      dropOrphans(jar);
      List<String> identity = new ArrayList<>(jvmOptions);
      identity.addAll(commandLine);
      Path file = folder.resolve(prefix(jar) + key(jar, runtime, identity) + ".aot");
      return Optional.of(new AotCache(jar, runtime, jvmOptions, file, Files.isRegularFile(file)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The options that load the cache, or record for it in this run. A recording JVM says so on the VM's own output
   * as it exits; sent to stderr, it stays out of the shop's log on stdout (JSON lines with {@code LOG_FORMAT=json}).
   */
  List<String> options() {
    return exists ? List.of(QUIET, "-XX:AOTCache=" + file)
      : List.of(QUIET, "-XX:+DisplayVMOutputToStderr", "-XX:AOTMode=record", "-XX:AOTConfiguration=" + recording);
  }

  /** How long the run must work under load for its recording to become this cache. */
  Duration training() {
    return workAtLeast;
  }

  boolean loads() {
    return exists;
  }

  Path file() {
    return file;
  }

  /**
   * After the child has exited: the recording of a run that was stopped (not killed or crashed) after it had
   * {@code worked} long enough is made into the cache, and the caches of older builds of the jar go; any other
   * recording is dropped. Returns whether a cache was made; only the first call does anything.
   */
  synchronized boolean finish(int status, Duration worked) throws IOException, InterruptedException {
    if (exists || finished || !Files.isRegularFile(recording)) {
      return false;
    }
    finished = true;
    try {
      if (!STOPPED.contains(status) || worked.compareTo(workAtLeast) < 0) {
        return false;
      }
      create();
      FileTime built = Files.getLastModifiedTime(jar);
      for (Path cache : siblings(jar, ".aot")) {
        if (Files.getLastModifiedTime(cache).compareTo(built) < 0) {
          Files.deleteIfExists(cache);
        }
      }
      return true;
    } finally {
      Files.deleteIfExists(recording);
    }
  }

  private void create() throws IOException, InterruptedException {
    Path creating = sibling(file, CREATING);
    List<String> command = new ArrayList<>(List.of(runtime.java().toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of(QUIET, "-XX:AOTMode=create", "-XX:AOTConfiguration=" + recording,
      "-XX:AOTCache=" + creating, "-cp", jar.toString()));
    Process create = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    int status = create.waitFor();
    if (status != 0 || !Files.isRegularFile(creating)) {
      Files.deleteIfExists(creating);
      throw new IOException("the JVM could not make the recording into a cache (exit status " + status + ")");
    }
    Files.move(creating, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** A file of this process's own beside the cache. */
  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + suffix);
  }

  /** Recordings and half-made caches left by a parent that was killed before it could finish them. */
  private static void dropOrphans(Path jar) throws IOException {
    for (String suffix : List.of(RECORDING, CREATING)) {
      for (Path orphan : siblings(jar, suffix)) {
        String name = orphan.getFileName().toString();
        String pid = name.substring(0, name.length() - suffix.length());
        pid = pid.substring(pid.lastIndexOf('.') + 1);
        if (!pid.chars().allMatch(Character::isDigit) || ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
          Files.deleteIfExists(orphan);
        }
      }
    }
  }

  private static List<Path> siblings(Path jar, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(jar.toAbsolutePath().getParent())) {
      return files.filter(path -> path.getFileName().toString().startsWith(prefix(jar))
        && path.getFileName().toString().endsWith(suffix)).toList();
    }
  }

  private static String prefix(Path jar) {
    return jar.getFileName().toString().replaceFirst("\\.jar$", "") + "-";
  }

  private static String key(Path jar, JavaRuntime runtime, List<String> identity) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      String text = String.join("\n", Long.toString(Files.size(jar)),
        Long.toString(Files.getLastModifiedTime(jar).toMillis()), runtime.build(), String.join("\n", identity));
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
