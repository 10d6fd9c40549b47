package dev.sagashop.launcher;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which runtime the child gets, and when a recorded AOT cache is kept, loaded or dropped. */
class AotCacheTest {

  private static final Duration WORKED = AotCache.WORK_AT_LEAST.plusSeconds(1);
  private static final List<String> OPTIONS = List.of("-XX:MaxTenuringThreshold=1");
  /** A stand-in for the JVM's create step: writes the cache the command names, after checking what it was given. */
  private static final String JAVA = """
    #!/bin/sh
    case "$*" in *-XX:MaxTenuringThreshold=1*-XX:AOTMode=create*-XX:AOTConfiguration=*) ;; *) exit 3;; esac
    for a in "$@"; do case "$a" in -XX:AOTCache=*) echo cache > "${a#-XX:AOTCache=}";; esac; done
    """;

  @TempDir
  Path dir;

  @Test
  @DisplayName("a JDK 17 picks the newest JDK of 25 or later installed beside it, and keeps itself if there is none")
  void picksNewerRuntimeBeside() throws IOException, InterruptedException {
    JavaRuntime current = jdk("java-17", "17.0.15", "17.0.15+6").orElseThrow();
    assertEquals(current, JavaRuntime.forShop(current), "nothing newer beside it");

    jdk("temurin-25", "25.0.3", "25.0.3+9-LTS");
    jdk("temurin-26", "26", "26+35");
    Files.createDirectories(dir.resolve("not-a-jdk"));
    Files.createDirectories(dir.resolve("jre-27/bin"));   // no release file: not a runtime it can read
    JavaRuntime chosen = JavaRuntime.forShop(current);
    assertEquals(26, chosen.feature());
    assertEquals(dir.resolve("temurin-26/bin/java").toRealPath(), chosen.java());
    assertTrue(chosen.quietOptions().contains("--sun-misc-unsafe-memory-access=allow"));
    assertTrue(current.quietOptions().isEmpty(), "JDK 17 knows none of them");

    JavaRuntime newer = JavaRuntime.at(dir.resolve("temurin-25")).orElseThrow();
    assertEquals(newer, JavaRuntime.forShop(newer), "a JDK 25 keeps itself");

    JavaRuntime seventeen = jdk("older/java-17", "17.0.15", "17.0.15+6").orElseThrow();
    jdk("older/jdk-25.0.9", "25.0.9", "25.0.9+10");
    jdk("older/jdk-25.0.10", "25.0.10", "25.0.10+7");
    assertEquals("25.0.10+7", JavaRuntime.forShop(seventeen).build(), "builds compare as releases, not as text");
  }

  @Test
  @DisplayName("a start with no cache records one, kept only if the run was stopped after working a minute or more")
  void recordingIsKeptOnlyAfterAStoppedRunThatWorked() throws IOException, InterruptedException {
    Path jar = jar();
    JavaRuntime runtime = jdk("jdk-25", "25.0.3", "25.0.3+9").orElseThrow();

    AotCache killed = AotCache.beside(jar, runtime, OPTIONS, List.of()).orElseThrow();
    assertFalse(killed.loads());
    recorded(killed);
    assertFalse(killed.finish(137, WORKED), "a killed child may have written half a cache");
    assertFalse(Files.exists(killed.file()));

    AotCache idle = AotCache.beside(jar, runtime, OPTIONS, List.of()).orElseThrow();
    recorded(idle);
    assertFalse(idle.finish(143, Duration.ofSeconds(15)), "a run that served little profiled nothing worth loading");
    assertFalse(Files.exists(idle.file()));
    assertEquals(List.of(jar), files(), "dropped recordings are deleted");

    AotCache served = AotCache.beside(jar, runtime, OPTIONS, List.of()).orElseThrow();
    recorded(served);
    assertTrue(served.finish(143, WORKED));
    assertTrue(Files.isRegularFile(served.file()));
    assertEquals(List.of(jar, served.file()).stream().sorted().toList(), files(),
      "the cache made, and neither the recording nor the half-made cache left");

    AotCache next = AotCache.beside(jar, runtime, OPTIONS, List.of()).orElseThrow();
    assertTrue(next.loads());
    assertTrue(next.options().contains("-XX:AOTCache=" + served.file()), next.options()::toString);
    assertFalse(next.finish(143, WORKED), "a start that loaded its cache records nothing");
  }

  @Test
  @DisplayName("a recording the JVM cannot make into a cache is dropped, and the next start records again")
  void failedCreationLeavesNothing() throws IOException, InterruptedException {
    Path jar = jar();
    JavaRuntime broken = jdk("jdk-25", "25.0.3", "25.0.3+9").orElseThrow();
    Files.writeString(broken.java(), "#!/bin/sh\nexit 1\n");
    AotCache cache = AotCache.beside(jar, broken, OPTIONS, List.of()).orElseThrow();
    recorded(cache);
    assertThrows(IOException.class, () -> cache.finish(0, WORKED));
    assertEquals(List.of(jar), files());
    assertFalse(AotCache.beside(jar, broken, OPTIONS, List.of()).orElseThrow().loads());
  }

  @Test
  @DisplayName("another build of the jar, another runtime or another command line gets its own cache; a new one "
    + "removes those of older builds")
  void oneCachePerBuildRuntimeAndCommandLine() throws IOException, InterruptedException {
    Path jar = jar();
    JavaRuntime runtime = jdk("jdk-25", "25.0.3", "25.0.3+9").orElseThrow();
    Path all = kept(AotCache.beside(jar, runtime, OPTIONS, List.of()).orElseThrow());
    Path stock = AotCache.beside(jar, runtime, OPTIONS, List.of("--roles", "stock")).orElseThrow().file();
    Path update = AotCache.beside(jar, jdk("jdk-25.0.4", "25.0.4", "25.0.4+7").orElseThrow(), OPTIONS, List.of())
      .orElseThrow().file();
    assertNotEquals(all, stock);
    assertNotEquals(all, update);

    Files.setLastModifiedTime(all, FileTime.from(Instant.now().minusSeconds(60)));
    Files.write(jar, new byte[] {1, 2, 3});
    AotCache rebuilt = AotCache.beside(jar, runtime, OPTIONS, List.of()).orElseThrow();
    assertFalse(rebuilt.loads(), "a rebuilt jar records a cache of its own");
    Path fresh = kept(rebuilt);
    assertEquals(List.of(fresh, jar).stream().sorted().toList(), files(), "the old build's cache is gone");
  }

  @Test
  @DisplayName("a runtime older than 25, or a jar in a read-only folder, gets no cache")
  void noCacheWhereNoneCanBeKept() throws IOException, InterruptedException {
    Path jar = jar();
    assertTrue(AotCache.beside(jar, jdk("jdk-17", "17.0.15", "17.0.15+6").orElseThrow(), OPTIONS, List.of()).isEmpty());
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      if (!Files.isWritable(dir)) {   // root may write anywhere
        assertTrue(AotCache.beside(jar, jdk("jdk-25", "25", "25+36").orElseThrow(), OPTIONS, List.of()).isEmpty());
      }
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  private Path jar() throws IOException {
    Path jars = Files.createDirectories(dir.resolve("target"));
    return Files.write(jars.resolve("saga-shop.jar"), new byte[] {0});
  }

  private List<Path> files() throws IOException {
    try (var files = Files.list(dir.resolve("target"))) {
      return files.sorted().toList();
    }
  }

  private Path kept(AotCache cache) throws IOException, InterruptedException {
    recorded(cache);
    assertTrue(cache.finish(0, WORKED));
    return cache.file();
  }

  /** What the child JVM does as it exits: writes what it saw to the file the recording options named. */
  private static void recorded(AotCache cache) throws IOException {
    List<String> options = cache.options();
    assertTrue(options.contains("-XX:AOTMode=record"), options::toString);
    String configuration = options.stream().filter(option -> option.startsWith("-XX:AOTConfiguration="))
      .findFirst().orElseThrow();
    Files.write(Path.of(configuration.substring("-XX:AOTConfiguration=".length())), new byte[] {42});
  }

  private Optional<JavaRuntime> jdk(String name, String version, String build) throws IOException {
    Path home = Files.createDirectories(dir.resolve(name));
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, JAVA);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_RUNTIME_VERSION=\"" + build
      + "\"\nJAVA_VERSION=\"" + version + "\"\n");
    return JavaRuntime.at(home);
  }
}
