package dev.sagashop.bench;

import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.time.Duration;

/**
 * {@code java -jar saga-shop.jar bench <consistency|stress> [options]}: a client of a running shop's public API.
 * Prints what it measured; exits 1 if the consistency scenario found an inconsistency.
 */
public final class Bench {

  private static final String USAGE = """
    usage: java -jar saga-shop.jar bench consistency [--url URL] [--orders 1000] [--multi-item | --both]
           java -jar saga-shop.jar bench stress [--url URL] [--records 100000] [--concurrency 64]
                                                [--duration 30s] [--warmup 5s] [--skip-init] [--with-replacement]
      --url  the shop's gateway (default http://127.0.0.1:8000)""";

  private Bench() {
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out));
  }

  /** Runs a bench command; returns the process exit status. */
  public static int run(String[] args, PrintStream out) throws Exception {
    if (args.length == 0) {
      out.println(USAGE);
      return 2;
    }
    Options options;
    try {
      options = new Options(args, 1);
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      out.println(USAGE);
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    try {
      String url = options.string("url", "http://127.0.0.1:8000");
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
          StressRun stress = new StressRun(vertx, shop, out);
          int records = options.integer("records", 100_000);
          if (!options.flag("skip-init")) {
            stress.initialize(records);
          }
          stress.run(records, concurrency, options.duration("warmup", Duration.ofSeconds(5)),
            options.duration("duration", Duration.ofSeconds(30)), options.flag("with-replacement"));
          return 0;
        }
        default -> {
          out.println(USAGE);
          return 2;
        }
      }
    } finally {
      vertx.close();
    }
  }
}
