package dev.sagashop.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Java runtime the shop's child JVM can run on: its {@code java} executable, its major version and its full build
 * (what an AOT cache is only valid for).
 */
record JavaRuntime(Path home, int feature, String build) {

  /** JDK 25 is the first with AOT method profiles (JEP 515), which are what start the shop's first minute warmer. */
  static final int AOT_CACHE_FROM = 25;

  private static final Pattern BUILD = Pattern.compile("^JAVA_RUNTIME_VERSION=\"([^\"]+)\"", Pattern.MULTILINE);

  static JavaRuntime current() {
    return new JavaRuntime(Path.of(System.getProperty("java.home")), Runtime.version().feature(),
      System.getProperty("java.runtime.version"));
  }

  /**
   * The runtime for the shop: this one if it keeps AOT caches, else the newest that does among the runtimes installed
   * beside it (the other folders of its parent, as in {@code /usr/lib/jvm}; the same one every start, or its cache
   * would not be found), else this one.
   */
  static JavaRuntime forShop(JavaRuntime current) {
    if (current.aotCache()) {
      return current;
    }
    Path installed = current.home().getParent();
    if (installed == null) {
      return current;
    }
    try (Stream<Path> homes = Files.list(installed)) {
      return homes.map(JavaRuntime::at).flatMap(Optional::stream).filter(JavaRuntime::aotCache)
        .max(Comparator.comparing(JavaRuntime::version)).orElse(current);
    } catch (IOException e) {
      return current;
    }
  }

  /** The runtime installed at {@code home}, read from its {@code release} file; empty if none is there. */
  static Optional<JavaRuntime> at(Path home) {
    try {
      if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
        return Optional.empty();
      }
      String release = Files.readString(home.resolve("release"));
      Matcher build = BUILD.matcher(release);
      if (!build.find()) {
        return Optional.empty();
      }
      // Parsed here so that a build the comparison of versions could not order is no runtime at all.
      int feature = Runtime.Version.parse(build.group(1)).feature();
      return Optional.of(new JavaRuntime(home.toRealPath(), feature, build.group(1)));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Options that keep a newer runtime from warning, on every start, about what the shop's libraries do by design
   * (Netty loads its native transport, Kafka unmaps buffers through {@code sun.misc.Unsafe}).
   */
  List<String> quietOptions() {
    List<String> options = new ArrayList<>();
    if (feature >= 22) {
      options.add("--enable-native-access=ALL-UNNAMED");
    }
    if (feature >= 23) {
      options.add("--sun-misc-unsafe-memory-access=allow");
    }
    return options;
  }

  /** Ordered as releases are: 25.0.10 after 25.0.9. */
  Runtime.Version version() {
    return Runtime.Version.parse(build);
  }

  Path java() {
    return home.resolve("bin").resolve("java");
  }

  boolean aotCache() {
    return feature >= AOT_CACHE_FROM;
  }
}
