package dev.sagashop.bench;

import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.sagashop.bench.Options.Kind.COUNT;
import static dev.sagashop.bench.Options.Kind.DURATION;
import static dev.sagashop.bench.Options.Kind.DURATION_OR_ZERO;
import static dev.sagashop.bench.Options.Kind.FLAG;
import static dev.sagashop.bench.Options.Kind.NUMBER;
import static dev.sagashop.bench.Options.Kind.NUMBERS;
import static dev.sagashop.bench.Options.Kind.TEXT;
import static dev.sagashop.bench.Options.Kind.URL;

/**
 * {@code java -jar saga-shop.jar bench <consistency|stress|chaos|soak> [options]}. {@code consistency} and
 * {@code stress} are clients of a running shop's public API; {@code chaos} and {@code soak} start shop processes
 * from this jar and strike them.
 * Prints what it measured; exits 1 if an invariant broke.
 */
public final class Bench {

  private static final String USAGE = """
    usage: java -jar saga-shop.jar bench consistency [--url URL] [--orders 1000] [--multi-item | --both]
           java -jar saga-shop.jar bench stress [--url URL] [--records 100000] [--concurrency 64]
                                                [--duration 30s] [--warmup 5s] [--skip-init] [--with-replacement]
                                                [--shop-pids PID,...] [--pauses FILE]
                                                [--latencies FILE]
           java -jar saga-shop.jar bench chaos [--layout all-in-one|roles|replicas|both|all] [--load 6s]
                                               [--work DIR] [--jar JAR]
           java -jar saga-shop.jar bench soak [--duration 30m] [--every 20s] [--overlap] [--rate 50] [--seed N]
                                              [--faults kill,freeze,restart] [--victims infra,order-1,...]
                                              [--work DIR] [--jar JAR]
      --url  the shop's gateway (default http://127.0.0.1:8000)
      --jar  the shop jar that chaos and soak start (default: this one); --work: where its data and logs go
      stress prints machine CPU per checkout by component (from /proc, when the shop runs on this machine: the
             processes given by --shop-pids, or the one listening on the gateway's port), the shop's GC pauses and
             the checkouts that met CPU time the host of a virtual machine took (steal);
             --pauses: the shop's safepoint log (java -XX:MaxTenuringThreshold=1 -Xlog:safepoint:file=FILE:time
             -jar ...; a -XX option keeps the shop in that JVM), to tell how many checkouts met a pause;
             --latencies: a CSV of every measured checkout (sent_epoch_us,latency_us), to lay the slow ones
             against the shop's log
      chaos  starts the shop from this jar itself (all-in-one, and one process per role plus infra), SIGKILLs
             each process in turn under checkout load (--load: a third before the fault, the rest after the
             recovery), restarts it, freezes the infra process with SIGSTOP for 12 s, and checks the invariants
             after each fault; exit 1 if broken. --layout replicas: infra and two processes of every role on 4
             partitions; one replica of each role killed and restarted, the other killed and left dead while the
             survivors carry the load (both gateways take the load). both = all-in-one and roles; all = the three
      soak   starts infra and two processes of every role from this jar, loads them with --rate new orders a second
             (create, add items, a read, checkout; refusals retried as a client would) for --duration while a
             nemesis strikes every --every: SIGKILL a shop process and restart it after 0-10 s, SIGSTOP any process
             (infra too) for 2-15 s, or restart the infra process (--faults: some of these; --victims: only these
             processes); faults one at a time unless --overlap. Prints a line per fault, availability, the worst
             recovery and the invariants; exit 1 if one broke""";

  private static final Set<String> HELP = Set.of("--help", "-h");
  /** The options each command takes. */
  private static final Map<String, Map<String, Options.Kind>> COMMANDS = Map.of(
    "consistency", Map.of("url", URL, "orders", COUNT, "multi-item", FLAG, "both", FLAG),
    "stress", Map.of("url", URL, "records", COUNT, "concurrency", COUNT, "duration", DURATION,
      "warmup", DURATION_OR_ZERO, "skip-init", FLAG, "with-replacement", FLAG, "shop-pids", NUMBERS, "pauses", TEXT,
      "latencies", TEXT),
    "chaos", Map.of("layout", TEXT, "load", DURATION, "work", TEXT, "jar", TEXT),
    "soak", Map.of("duration", DURATION, "every", DURATION, "overlap", FLAG, "rate", COUNT, "seed", NUMBER,
      "faults", TEXT, "victims", TEXT, "work", TEXT, "jar", TEXT));

  private Bench() {
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out));
  }

  /** The fault suite against shop processes this command starts; returns 0 if every invariant held. */
  private static int chaos(Vertx vertx, Options options, PrintStream out) throws Exception {
    String layout = options.string("layout", "both");
    List<String> layouts = switch (layout) {
      case "both" -> List.of("all-in-one", "roles");
      case "all" -> List.of("all-in-one", "roles", "replicas");
      case "all-in-one", "roles", "replicas" -> List.of(layout);
      default -> throw new Options.Invalid("--layout must be all-in-one, roles, replicas, both or all");
    };
    Duration load = options.duration("load", Duration.ofSeconds(6));
    // A third of the load before the fault, the rest once the shop is ready again.
    Duration before = load.dividedBy(3);
    Duration after = load.minus(before);
    String jar = jar(options);
    Path work = work(options, "saga-shop-chaos");
    out.println("chaos: shop processes from " + jar + ", data and logs under " + work);
    List<ChaosRun.Report> reports = new ArrayList<>();
    if (layouts.contains("all-in-one")) {
      try (ShopProcesses shop = ShopProcesses.allInOne(jar, work.resolve("all-in-one"), Map.of())) {
        shop.startAll(vertx);
        reports.add(new ChaosRun(vertx, shop, out).killAndRestart("all", before, Duration.ZERO, after));
      }
    }
    if (layouts.contains("roles")) {
      try (ShopProcesses shop = ShopProcesses.perRole(jar, work.resolve("roles"), Map.of())) {
        shop.startAll(vertx);
        ChaosRun chaos = new ChaosRun(vertx, shop, out);
        for (String victim : List.of("order", "stock", "payment", "saga", "gateway")) {
          reports.add(chaos.killAndRestart(victim, before, Duration.ZERO, after));
        }
        // The infrastructure stays away for a while: the roles must answer 503 at once meanwhile, then recover.
        reports.add(chaos.killAndRestart("infra", before, load.dividedBy(2), after));
        // A dependency that hangs instead of dying: the infrastructure frozen, then let go.
        reports.add(chaos.freezeAndThaw("infra", before, Duration.ofSeconds(12), after.plusSeconds(10)));
      }
    }
    if (layouts.contains("replicas")) {
      try (ShopProcesses shop = ShopProcesses.replicated(jar, work.resolve("replicas"), Map.of())) {
        shop.startAll(vertx);
        ChaosRun chaos = new ChaosRun(vertx, shop, out);
        for (String role : ShopProcesses.ROLES) {
          reports.add(chaos.killAndRestart(role + "-1", before, Duration.ZERO, after));
          reports.add(chaos.killForGood(role + "-2", before, after));
        }
      }
    }
    long broken = reports.stream().filter(report -> !report.consistent()).count();
    out.println(broken == 0 ? "chaos: every invariant held after " + reports.size() + " faults"
      : "chaos: " + broken + " of " + reports.size() + " faults broke an invariant");
    return broken == 0 ? 0 : 1;
  }

  /** The nemesis soak against shop processes this command starts; returns 0 if every invariant held. */
  private static int soak(Vertx vertx, Options options, PrintStream out) throws Exception {
    SoakRun.Settings settings = new SoakRun.Settings(options.duration("duration", Duration.ofMinutes(30)),
      options.duration("every", Duration.ofSeconds(20)), options.flag("overlap"), options.integer("rate", 50),
      options.number("seed", System.nanoTime()), faults(options), Set.copyOf(options.strings("victims")));
    Path work = work(options, "saga-shop-soak");
    try (ShopProcesses shop = ShopProcesses.replicated(jar(options), work, Map.of())) {
      if (!shop.names().containsAll(settings.victims())) {
        throw new Options.Invalid("--victims names processes of " + shop.names() + ", not " + settings.victims());
      }
      out.println("soak: shop processes from " + jar(options) + ", data and logs under " + work);
      shop.startAll(vertx);
      return new SoakRun(vertx, shop, out, settings).run().consistent() ? 0 : 1;
    }
  }

  private static Set<SoakRun.Kind> faults(Options options) {
    List<String> named = options.strings("faults");
    if (named.isEmpty()) {
      return EnumSet.allOf(SoakRun.Kind.class);
    }
    Set<SoakRun.Kind> kinds = EnumSet.noneOf(SoakRun.Kind.class);
    for (String name : named) {
      try {
        kinds.add(SoakRun.Kind.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new Options.Invalid("--faults takes kill, freeze and restart, not " + name);
      }
    }
    return kinds;
  }

  private static String jar(Options options) throws Exception {
    return options.string("jar", Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI())
      .toString());
  }

  private static Path work(Options options, String prefix) throws Exception {
    return Path.of(options.string("work", Files.createTempDirectory(prefix).toString()));
  }

  /** Runs a bench command; returns the process exit status. */
  public static int run(String[] args, PrintStream out) throws Exception {
    if (Arrays.stream(args).anyMatch(HELP::contains) || (args.length > 0 && args[0].equals("help"))) {
      out.println(USAGE);
      return 0;
    }
    if (args.length == 0 || !COMMANDS.containsKey(args[0])) {
      out.println(args.length == 0 ? USAGE : "unknown bench command " + args[0] + "\n" + USAGE);
      return 2;
    }
    Vertx vertx = null;
    try {
      Options options = new Options(args, 1, COMMANDS.get(args[0]));
      String url = options.string("url", "http://127.0.0.1:8000");
      vertx = Vertx.vertx();
      switch (args[0]) {
        case "consistency" -> {
          ShopClient shop = new ShopClient(vertx, url, 256, 120_000);
          ConsistencyScenario scenario = new ConsistencyScenario(shop, out);
          int orders = options.integer("orders", 1000);
          long inconsistencies = 0;
          if (options.flag("both") || !options.flag("multi-item")) {
            inconsistencies += scenario.run(false, orders);
          }
          if (options.flag("both") || options.flag("multi-item")) {
            inconsistencies += scenario.run(true, orders);
          }
          return inconsistencies == 0 ? 0 : 1;
        }
        case "stress" -> {
          int concurrency = options.integer("concurrency", 64);
          ShopClient shop = new ShopClient(vertx, url, concurrency, 120_000);
          CpuBreakdown cpu = CpuBreakdown.of(options.longs("shop-pids"), URI.create(url).getPort() > 0
            ? URI.create(url).getPort() : 80);
          StressRun stress = new StressRun(vertx, shop, cpu, out);
          int records = options.integer("records", 100_000);
          if (!options.flag("skip-init")) {
            stress.initialize(records);
          }
          String pauses = options.string("pauses", null);
          String latencies = options.string("latencies", null);
          stress.run(records, concurrency, options.duration("warmup", Duration.ofSeconds(5)),
            options.duration("duration", Duration.ofSeconds(30)), options.flag("with-replacement"),
            pauses == null ? null : Path.of(pauses), latencies == null ? null : Path.of(latencies));
          return 0;
        }
        case "chaos" -> {
          return chaos(vertx, options, out);
        }
        default -> {
          return soak(vertx, options, out);
        }
      }
    } catch (Options.Invalid e) {
      out.println(e.getMessage());
      out.println(USAGE);
      return 2;
    } finally {
      if (vertx != null) {
        vertx.close();
      }
    }
  }
}
