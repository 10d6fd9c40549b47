package dev.sagashop.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the machine's CPU went over a measured window, from per-thread {@code /proc} counters: the shop's processes
 * (given, or else the one listening on the gateway's port) split by what their threads do — the embedded
 * Mongo-protocol server, the Kafka broker, the Mongo driver, the Kafka clients, Vert.x event loops and workers, GC,
 * JIT — plus MariaDB (its own process), this load generator, and the rest of the machine (the kernel's loopback
 * among it) — and how long their threads, MariaDB's and the generator's waited for a CPU while ready to run, the
 * queueing that a saturated machine adds to every hand-off between threads. Linux only; elsewhere it reports nothing.
 */
final class CpuBreakdown {

  /** Per-component order of the report. */
  static final List<String> COMPONENTS = List.of("mongo server", "kafka broker", "mariadb", "mongo driver",
    "kafka clients", "event loops", "vert.x workers", "gc", "jit", "ended threads", "shop other", "generator",
    "rest of machine");
  /**
   * A shop's threads that are gone: the process's counter keeps their CPU, its threads' counters no longer do. The
   * JIT's compiler threads beyond the first of each kind end when their queue stays empty.
   */
  static final String ENDED = "ended threads";

  private static final Path PROC = Path.of("/proc");
  /** Clock ticks per second of /proc's counters (USER_HZ; 100 on every Linux this runs on). */
  private static final double TICKS_PER_MS = 0.1;

  /**
   * CPU ticks per component, the machine's busy ticks and those the host took from it (steal) at one moment; and the
   * nanoseconds the measured processes' threads spent ready to run but waiting for a CPU (the kernel's run-queue
   * delay), with the clock it was read at.
   */
  record Snapshot(Map<String, Long> ticks, long machineBusy, long stolen, long waitNanos, long atNanos) {
  }

  private final Set<Long> shop;

  private CpuBreakdown(Set<Long> shop) {
    this.shop = shop;
  }

  /** Over the shop's processes {@code pids}; if none are given, the process listening on {@code port}. */
  static CpuBreakdown of(List<Long> pids, int port) {
    return new CpuBreakdown(pids.isEmpty() ? listener(port).map(Set::of).orElse(Set.of()) : Set.copyOf(pids));
  }

  boolean available() {
    return !shop.isEmpty() && Files.isReadable(PROC.resolve("stat"));
  }

  Snapshot take() {
    Map<String, Long> ticks = new HashMap<>();
    long waited = 0;
    long self = ProcessHandle.current().pid();
    try (Stream<Path> processes = Files.list(PROC)) {
      for (Path process : (Iterable<Path>) processes::iterator) {
        String name = process.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid = Long.parseLong(name);
        if (pid == self) {
          ticks.merge("generator", processTicks(process), Long::sum);
          waited += waited(process);
        } else if (read(process.resolve("comm")).trim().equals("mariadbd")) {
          ticks.merge("mariadb", processTicks(process), Long::sum);
          waited += waited(process);
        } else if (shop.contains(pid)) {
          waited += threads(process, ticks);
        }
      }
    } catch (IOException e) {
      return new Snapshot(Map.of(), 0, 0, 0, 0);
    }
    MachineTicks machine = machineTicks();
    return new Snapshot(ticks, machine.busy(), machine.stolen(), waited, System.nanoTime());
  }

  /** Prints CPU-ms per checkout by component over the window between two snapshots. */
  void report(Snapshot before, Snapshot after, long checkouts, PrintStream out) {
    if (checkouts == 0 || after.machineBusy() == 0) {
      return;
    }
    Map<String, Double> perCheckout = new LinkedHashMap<>();
    double accounted = 0;
    for (String component : COMPONENTS) {
      long delta = after.ticks().getOrDefault(component, 0L) - before.ticks().getOrDefault(component, 0L);
      double ms = delta / TICKS_PER_MS / checkouts;
      perCheckout.put(component, ms);
      accounted += ms;
    }
    double machine = (after.machineBusy() - before.machineBusy()) / TICKS_PER_MS / checkouts;
    perCheckout.put("rest of machine", Math.max(0, machine - accounted));
    StringBuilder line = new StringBuilder();
    perCheckout.forEach((component, ms) -> {
      if (ms >= 0.005) {
        line.append(line.length() == 0 ? "" : ", ").append(component).append(String.format(" %.2f", ms));
      }
    });
    out.printf("machine CPU per checkout: %.2f ms (%s)%n", machine, line);
    long stolen = after.stolen() - before.stolen();
    if (stolen > 0) {
      // A virtual machine's host ran something else on its CPUs meanwhile: every figure of the window is slower.
      out.printf("stolen by the host: %.2f ms per checkout (not counted above)%n", stolen / TICKS_PER_MS / checkouts);
    }
    long window = after.atNanos() - before.atNanos();
    if (window > 0 && after.waitNanos() > 0) {
      long waited = after.waitNanos() - before.waitNanos();
      out.printf("waiting for a CPU: %.2f ms per checkout; %.1f threads ready to run but not running, on average%n",
        waited / 1e6 / checkouts, (double) waited / window);
    }
  }

  /** Nanoseconds the threads of a process have waited on a run queue. */
  private static long waited(Path process) {
    long sum = 0;
    try (Stream<Path> tasks = Files.list(process.resolve("task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        sum += waited(read(task.resolve("schedstat")));
      }
    } catch (IOException gone) {
      // the process ended meanwhile
    }
    return sum;
  }

  /**
   * Adds each thread's CPU ticks to its component, and those of the threads that ended to {@link #ENDED}; returns the
   * nanoseconds the threads waited on a run queue.
   */
  static long threads(Path process, Map<String, Long> ticks) {
    long waited = 0;
    long live = 0;
    try (Stream<Path> tasks = Files.list(process.resolve("task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        long thread = ticks(read(task.resolve("stat")));
        live += thread;
        ticks.merge(component(read(task.resolve("comm")).trim()), thread, Long::sum);
        waited += waited(read(task.resolve("schedstat")));
      }
    } catch (IOException gone) {
      // the process or thread ended meanwhile
    }
    // Read after the threads, so that it covers at least what they counted.
    ticks.merge(ENDED, Math.max(0, processTicks(process) - live), Long::sum);
    return waited;
  }

  /**
   * The run-queue wait of a thread's schedstat line (time on a CPU, time waiting for one, time slices); 0 where the
   * kernel does not count it, or the thread is gone.
   */
  private static long waited(String schedstat) {
    String[] fields = schedstat.trim().split(" ");
    return fields.length == 3 ? Long.parseLong(fields[1]) : 0;
  }

  /** What a shop thread does, from its name (Linux keeps the first 15 characters). */
  static String component(String thread) {
    if (thread.startsWith("mongo-server")) {
      return "mongo server";
    }
    if (thread.startsWith("kafka-producer") || thread.startsWith("kafka-coordinat") || thread.startsWith("kafka-admin")
      || thread.startsWith("vert.x-kafka")) {
      return "kafka clients";
    }
    if (thread.startsWith("data-plane-kafk") || thread.startsWith("kafka-") || thread.startsWith("broker-")
      || thread.startsWith("controller-") || thread.startsWith("quorum-") || thread.startsWith("ExpirationReap")
      || thread.startsWith("group-coordinat") || thread.startsWith("TxnMarker") || thread.startsWith("LogDirFailure")
      || thread.contains("raft") || thread.startsWith("metrics-meter") || thread.startsWith("executor-")
      || thread.startsWith("transaction-log") || thread.startsWith("group-metadata")
      || thread.startsWith("client-metrics")
      || thread.startsWith("SensorExpiry") || thread.startsWith("AddPartitionsTo")) {
      return "kafka broker";
    }
    // The driver's own transport runs on the JDK's default asynchronous channel group, whose threads are "Thread-N"
    // on JDK 17 and "InnocuousThread-N" on JDK 25 (in a shop's thread dump, all of those are the channel group's).
    if (thread.startsWith("cluster-") || thread.startsWith("AsyncGetter") || thread.startsWith("MaintenanceTime")
      || thread.startsWith("Thread-") || thread.startsWith("InnocuousThread")) {
      return "mongo driver";
    }
    if (thread.startsWith("vert.x-eventloo")) {
      return "event loops";
    }
    if (thread.startsWith("vert.x-")) {
      return "vert.x workers";
    }
    if (thread.startsWith("GC Thread") || thread.startsWith("G1 ") || thread.equals("VM Thread")
      || thread.startsWith("Z") || thread.startsWith("Shenandoah")) {
      return "gc";
    }
    if (thread.startsWith("C1 CompilerThre") || thread.startsWith("C2 CompilerThre")) {
      return "jit";
    }
    return "shop other";
  }

  /** The process with a listening TCP socket on {@code port}, from /proc/net/tcp and the processes' descriptors. */
  private static Optional<Long> listener(int port) {
    String hexPort = String.format(":%04X ", port);
    Set<String> inodes = new HashSet<>();
    for (String table : List.of("net/tcp", "net/tcp6")) {
      read(PROC.resolve(table)).lines().skip(1).map(String::trim).map(line -> line.split("\\s+"))
        .filter(fields -> fields.length > 9 && (fields[1] + " ").endsWith(hexPort) && fields[3].equals("0A"))
        .forEach(fields -> inodes.add("socket:[" + fields[9] + "]"));
    }
    if (inodes.isEmpty()) {
      return Optional.empty();
    }
    try (Stream<Path> processes = Files.list(PROC)) {
      for (Path process : (Iterable<Path>) processes::iterator) {
        String name = process.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try (Stream<Path> descriptors = Files.list(process.resolve("fd"))) {
          if (descriptors.anyMatch(fd -> {
            try {
              return inodes.contains(Files.readSymbolicLink(fd).toString());
            } catch (IOException | UnsupportedOperationException gone) {
              return false;
            }
          })) {
            return Optional.of(Long.parseLong(name));
          }
        } catch (IOException notOurs) {
          // a process we may not look into, or one that ended
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static long processTicks(Path process) {
    return ticks(read(process.resolve("stat")));
  }

  /** utime + stime of a /proc stat line (fields 14 and 15, counted after the command name in parentheses). */
  private static long ticks(String stat) {
    int end = stat.lastIndexOf(')');
    if (end < 0) {
      return 0;
    }
    String[] fields = stat.substring(end + 2).trim().split(" ");
    return fields.length > 12 ? Long.parseLong(fields[11]) + Long.parseLong(fields[12]) : 0;
  }

  /**
   * The machine's CPU time but idle, I/O wait and steal; steal, the time its host ran something else; and all of it
   * (busy, idle, I/O wait and steal), in ticks.
   */
  record MachineTicks(long busy, long stolen, long all) {
  }

  static MachineTicks machineTicks() {
    String[] cpu = read(PROC.resolve("stat")).lines().findFirst().orElse("").trim().split("\\s+");
    long busy = 0;
    long all = 0;
    for (int i = 1; i < cpu.length && i <= 8; i++) {
      long ticks = Long.parseLong(cpu[i]);
      all += ticks;
      if (i != 4 && i != 5 && i != 8) {
        busy += ticks;
      }
    }
    return new MachineTicks(busy, cpu.length > 8 ? Long.parseLong(cpu[8]) : 0, all);
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException gone) {
      return "";
    }
  }
}
