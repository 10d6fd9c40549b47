package dev.sagashop.bench;

import dev.sagashop.contracts.ConfigKeys;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The processes a bench command starts do not outlive it. */
class ShopProcessesTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(60)
  @DisplayName("a bench command told to stop takes its shop processes with it, a frozen one too")
  void processesDieWithTheCommand() throws Exception {
    Path jar = sleeperJar();
    Process command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), Command.class.getName(), jar.toString(), dir.toString())
      .redirectErrorStream(true).start();
    long shopPid = -1;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(command.getInputStream(),
      StandardCharsets.UTF_8))) {
      String line;
      do {
        line = lines.readLine();
      } while (line != null && !line.startsWith("frozen "));
      assertTrue(line != null, "the command never froze its process");
      shopPid = Long.parseLong(line.substring("frozen ".length()));
      assertTrue(alive(shopPid));

      command.destroy(); // SIGTERM, as `kill` or a CI timeout sends
      // At once: a frozen process is let go to take the SIGTERM, not left for the 30 s before a SIGKILL.
      assertTrue(command.waitFor(15, TimeUnit.SECONDS), "the command did not exit within 15 s");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (alive(shopPid) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertFalse(alive(shopPid), "process " + shopPid + " outlived the command that started it");
    } finally {
      command.destroyForcibly();
      if (shopPid > 0) {
        ProcessHandle.of(shopPid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** A jar whose main writes its pid under DATA_DIR and waits: a shop process that is slow to die of nothing. */
  private Path sleeperJar() throws Exception {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Sleeper.class.getName());
    Path jar = dir.resolve("sleeper.jar");
    String entry = Sleeper.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
         InputStream classFile = Sleeper.class.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new JarEntry(entry));
      classFile.transferTo(out);
      out.closeEntry();
    }
    return jar;
  }

  /** Stands in for the shop. */
  public static final class Sleeper {
    public static void main(String[] args) throws Exception {
      Path data = Path.of(System.getenv(ConfigKeys.DATA_DIR));
      Files.createDirectories(data);
      Path written = Files.writeString(data.resolve("pid.new"), Long.toString(ProcessHandle.current().pid()));
      Files.move(written, data.resolve("pid"), StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(TimeUnit.MINUTES.toMillis(5));
    }
  }

  /** Stands in for a bench command: starts a shop process, freezes it, and waits to be stopped. */
  public static final class Command {
    public static void main(String[] args) throws Exception {
      Path work = Path.of(args[1]).resolve("work");
      ShopProcesses shop = ShopProcesses.allInOne(args[0], work, Map.of());
      shop.start("all");
      Path pid = work.resolve("data").resolve("pid");
      while (!Files.exists(pid)) {
        Thread.sleep(50);
      }
      shop.freeze("all");
      System.out.println("frozen " + Files.readString(pid));
      Thread.sleep(TimeUnit.MINUTES.toMillis(5));
    }
  }
}
