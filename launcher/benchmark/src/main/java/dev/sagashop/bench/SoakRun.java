package dev.sagashop.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static dev.sagashop.bench.ShopClient.inBatches;

/**
 * The nemesis soak: shop processes under a steady load of new orders — each created, given items, read, checked
 * out, a 503 or a missing answer retried as a client would — while a nemesis strikes every {@code every}: SIGKILL a
 * shop process and start it again after 0–10 s, SIGSTOP any process (the infra one too: Kafka, Mongo and MariaDB
 * hang together) for 2–15 s, or kill and restart the infra process. Faults follow one another unless
 * {@code overlap}. Prints a line per fault (how long checkouts stopped succeeding, how soon after its end they
 * succeeded again), then availability (the share of seconds with a successful checkout), the worst recovery and
 * the {@link Invariants}.
 */
public final class SoakRun {

  /**
   * How long, how often, and how hard. {@code rate}: orders started per second; {@code faults}: the kinds the
   * nemesis picks from; {@code victims}: the processes it may strike (empty: any).
   */
  public record Settings(Duration duration, Duration every, boolean overlap, int rate, long seed, Set<Kind> faults,
                         Set<String> victims) {
    public Settings {
      if (faults.isEmpty()) {
        throw new IllegalArgumentException("the nemesis needs at least one kind of fault");
      }
    }

    /** Every kind of fault, on any process. */
    public Settings(Duration duration, Duration every, boolean overlap, int rate, long seed) {
      this(duration, every, overlap, rate, seed, EnumSet.allOf(Kind.class), Set.of());
    }
  }

  /** The nemesis's kinds of fault, each with how often it is picked among those allowed. */
  public enum Kind {
    /** SIGKILL a shop process, start it again after 0–10 s. */
    KILL(0.4),
    /** SIGSTOP any process, the infra one too, for 2–15 s. */
    FREEZE(0.4),
    /** Kill the infra process and start it again at once. */
    RESTART(0.2);

    final double weight;

    Kind(double weight) {
      this.weight = weight;
    }
  }

  /**
   * What the soak saw: faults struck, checkouts and their answers, availability, the worst recovery (-1: some fault
   * was never recovered from before the load ended) and what broke.
   */
  public record Report(int faults, long checkouts, long told2xx, long told4xx, int unsettled, double availability,
                       long worstRecoveryMs, List<String> violations) {
    public boolean consistent() {
      return violations.isEmpty();
    }
  }

  /** One fault: what it was, and when it struck and ended (nanoTime), the end being when the victim is back. */
  private record Fault(String what, long struck, long over) {
  }

  /**
   * Orders in flight at most: enough that customers whose checkouts wait on a stalled replica do not hold up the
   * others', as with a real crowd of them.
   */
  private static final int MAX_IN_FLIGHT = 1_000;
  private static final int CONNECTIONS = 256;
  private static final long CLIENT_TIMEOUT_MS = 30_000;
  private static final long PLENTY = 1_000_000_000L;

  private final Vertx vertx;
  private final ShopProcesses shop;
  private final PrintStream out;
  private final Settings settings;
  private final Random random;

  private final Map<String, Integer> told = new ConcurrentHashMap<>();
  private final Set<String> checkedOut = ConcurrentHashMap.newKeySet();
  /** Successful checkouts: when each was sent and answered (nanoTime). */
  private final List<long[]> successes = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();
  private final AtomicLong notStarted = new AtomicLong();
  private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
  /** Processes a fault holds now, so overlapping faults pick others. */
  private final Set<String> struck = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;
  private final AtomicInteger inFlight = new AtomicInteger();
  private double tokens;
  private long loadStarted;
  private AtomicIntegerArray perSecond;

  public SoakRun(Vertx vertx, ShopProcesses shop, PrintStream out, Settings settings) {
    this.vertx = vertx;
    this.shop = shop;
    this.out = out;
    this.settings = settings;
    this.random = new Random(settings.seed());
  }

  public Report run() throws Exception {
    Gateways gateways = new Gateways(vertx, shop.urls(), CONNECTIONS, CLIENT_TIMEOUT_MS);
    try {
      out.printf("soak: %d s, a fault every %d s%s (%s%s), %d orders started per second, seed %d%n",
        settings.duration().toSeconds(), settings.every().toSeconds(), settings.overlap() ? ", overlapping" : "",
        settings.faults().toString().toLowerCase(Locale.ROOT),
        settings.victims().isEmpty() ? "" : " of " + settings.victims(), settings.rate(), settings.seed());
      Instant began = Instant.now();
      Fixtures fixtures = Fixtures.create(gateways.live(), random);
      perSecond = new AtomicIntegerArray((int) settings.duration().toSeconds() + 1);
      loadStarted = System.nanoTime();
      Promise<Void> drained = Promise.promise();
      long pacer = vertx.setPeriodic(10, tick -> pace(gateways, fixtures, drained));
      nemesis();
      stopped = true;
      vertx.cancelTimer(pacer);
      vertx.runOnContext(nothing -> {
        if (inFlight.get() == 0) {
          drained.tryComplete();
        }
      });
      drained.future().await();
      double loadSeconds = (System.nanoTime() - loadStarted) / 1e9;
      out.println("soak: the load has stopped; every fault, with how checkouts fared:");
      long worst = timeline();
      shop.awaitReady(vertx, Duration.ofSeconds(120));
      return check(gateways.live(), fixtures, began, loadSeconds, worst);
    } finally {
      gateways.close();
    }
  }

  /** Starts as many order cycles as the rate allows since the last tick, up to {@value #MAX_IN_FLIGHT} in flight. */
  private void pace(Gateways gateways, Fixtures fixtures, Promise<Void> drained) {
    if (stopped) {
      return;
    }
    tokens = Math.min(settings.rate(), tokens + settings.rate() / 100.0);
    while (tokens >= 1) {
      tokens--;
      if (inFlight.get() >= MAX_IN_FLIGHT) {
        notStarted.incrementAndGet();
        continue;
      }
      inFlight.incrementAndGet();
      cycle(gateways, fixtures).onComplete(done -> {
        if (inFlight.decrementAndGet() == 0 && stopped) {
          drained.tryComplete();
        }
      });
    }
  }

  /** One customer: a new order, one or two lines, a read, the checkout. */
  private Future<Void> cycle(Gateways gateways, Fixtures fixtures) {
    String user = fixtures.user(random);
    return call(() -> gateways.post("/orders/create/" + user), 0).compose(created -> {
      if (!created.ok()) {
        return Future.succeededFuture();
      }
      String order = created.body().getString("order_id");
      Future<ShopClient.Reply> lines = Future.succeededFuture();
      for (int line = 0; line < 1 + random.nextInt(2); line++) {
        String item = fixtures.item(random);
        int quantity = 1 + random.nextInt(2);
        lines = lines.compose(added -> call(() -> gateways.post("/orders/addItem/" + order + "/"
          + item + "/" + quantity), 0));
      }
      return lines
        .compose(added -> call(() -> gateways.get(random.nextBoolean() ? "/orders/find/" + order
          : "/stock/find/" + fixtures.item(random)), 0))
        .compose(read -> checkout(gateways, order, 0));
    });
  }

  private Future<Void> checkout(Gateways gateways, String order, int attempt) {
    checkedOut.add(order);
    long sent = System.nanoTime();
    return gateways.postForStatus("/orders/checkout/" + order).transform(answered -> {
      requests.incrementAndGet();
      int status = answered.succeeded() ? answered.result() : 0;
      told.put(order, status);
      if (status / 100 == 2) {
        long now = System.nanoTime();
        successes.add(new long[] {sent, now});
        int second = (int) ((now - loadStarted) / 1_000_000_000L);
        if (second < perSecond.length()) {
          perSecond.incrementAndGet(second);
        }
      }
      if (Invariants.decided(status) || stopped) {
        return Future.succeededFuture();
      }
      refusals.incrementAndGet();
      return later(attempt).compose(again -> checkout(gateways, order, attempt + 1));
    });
  }

  /**
   * A request, retried while it is refused (5xx) or unanswered, until the load stops: after 200 ms, doubling up to
   * 3.2 s, jittered, as a client library would — a thousand customers retrying in step would be a load of its own.
   */
  private Future<ShopClient.Reply> call(Supplier<Future<ShopClient.Reply>> request, int attempt) {
    return request.get().transform(answered -> {
      requests.incrementAndGet();
      ShopClient.Reply reply = answered.succeeded() ? answered.result() : new ShopClient.Reply(0, null);
      if (reply.status() != 0 && reply.status() < 500 || stopped) {
        return Future.succeededFuture(reply);
      }
      refusals.incrementAndGet();
      return later(attempt).compose(again -> call(request, attempt + 1));
    });
  }

  private Future<Void> later(int attempt) {
    Promise<Void> timer = Promise.promise();
    long backoff = 200L << Math.min(attempt, 4);
    vertx.setTimer(backoff / 2 + random.nextLong(backoff / 2 + 1), tick -> timer.complete());
    return timer.future();
  }

  /** Strikes every {@code every} until the duration is over; returns once the last fault has ended. */
  private void nemesis() throws Exception {
    long end = loadStarted + settings.duration().toNanos();
    long next = loadStarted + settings.every().toNanos();
    List<Thread> overlapping = new ArrayList<>();
    while (next < end) {
      Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
      if (settings.overlap()) {
        Thread thread = new Thread(this::strikeQuietly, "nemesis");
        thread.start();
        overlapping.add(thread);
        next += settings.every().toNanos();
      } else {
        strike();
        awaitRecovery();
        next = Math.max(next + settings.every().toNanos(), System.nanoTime());
      }
    }
    for (Thread thread : overlapping) {
      thread.join();
    }
    // The load goes on a while after the last fault ended, so its recovery is measured too.
    Thread.sleep(Math.max(10_000, (end - System.nanoTime()) / 1_000_000));
  }

  /**
   * Waits until a checkout sent after the last fault ended has succeeded (at most a minute): one fault at a time
   * means the next one waits for the shop to be back from this one.
   */
  private void awaitRecovery() throws InterruptedException {
    if (faults.isEmpty()) {
      return;
    }
    long over = faults.get(faults.size() - 1).over();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      synchronized (successes) {
        for (int i = successes.size() - 1; i >= 0 && successes.get(i)[1] >= over; i--) {
          if (successes.get(i)[0] >= over) {
            return;
          }
        }
      }
      Thread.sleep(100);
    }
  }

  private void strikeQuietly() {
    try {
      strike();
    } catch (Exception e) {
      out.println("soak: a fault failed: " + e);
    }
  }

  /** One fault, to its end: a kill (restarted after 0–10 s), a freeze (2–15 s) or a restart of the infra process. */
  private void strike() throws Exception {
    Kind kind = pickKind();
    String victim;
    if (kind == Kind.RESTART && allowed("infra") && struck.add("infra")) {
      long at = System.nanoTime();
      shop.kill("infra");
      shop.start("infra");
      shop.awaitUp("infra", Duration.ofSeconds(120));
      ended(new Fault("restart infra", at, System.nanoTime()));
      struck.remove("infra");
    } else if (kind == Kind.KILL && (victim = pick(false)) != null) {
      long at = System.nanoTime();
      long down = between(0, 10_000);
      shop.kill(victim);
      Thread.sleep(down);
      shop.start(victim);
      shop.awaitUp(victim, Duration.ofSeconds(120));
      ended(new Fault(String.format("SIGKILL %-9s started again after %.1f s", victim, down / 1e3), at,
        System.nanoTime()));
      struck.remove(victim);
    } else if (kind == Kind.FREEZE && (victim = pick(true)) != null) {
      long at = System.nanoTime();
      long frozen = between(2_000, 15_000);
      shop.freeze(victim);
      Thread.sleep(frozen);
      shop.thaw(victim);
      ended(new Fault(String.format("SIGSTOP %-9s for %.1f s", victim, frozen / 1e3), at, System.nanoTime()));
      struck.remove(victim);
    }
  }

  /** Records a fault that has ended, and says so at once: a long soak shows its progress as it goes. */
  private void ended(Fault fault) {
    faults.add(fault);
    out.printf("  +%6.1f s  %s, ended after %.1f s%n", (fault.struck() - loadStarted) / 1e9, fault.what().trim(),
      (fault.over() - fault.struck()) / 1e9);
  }

  private Kind pickKind() {
    double dice = random.nextDouble() * settings.faults().stream().mapToDouble(kind -> kind.weight).sum();
    for (Kind kind : settings.faults()) {
      dice -= kind.weight;
      if (dice < 0) {
        return kind;
      }
    }
    return settings.faults().iterator().next();
  }

  private boolean allowed(String name) {
    return settings.victims().isEmpty() || settings.victims().contains(name);
  }

  /** A process no other fault holds, claimed for this one: any shop process, or the infra one too. */
  private String pick(boolean withInfra) {
    List<String> names = new ArrayList<>(shop.names());
    if (!withInfra) {
      names.remove("infra");
    }
    names.removeIf(name -> !allowed(name));
    Collections.shuffle(names, random);
    for (String name : names) {
      if (struck.add(name)) {
        return name;
      }
    }
    return null;
  }

  private long between(long from, long to) {
    return from + (long) (random.nextDouble() * (to - from));
  }

  /** A line per fault; the worst recovery (-1 if one never recovered). */
  private long timeline() {
    long worst = 0;
    List<long[]> answered = new ArrayList<>(successes);
    answered.sort((a, b) -> Long.compare(a[1], b[1]));
    for (Fault fault : faults) {
      long recovered = -1;
      for (long[] success : answered) {
        if (success[0] >= fault.over()) {
          recovered = (success[1] - fault.over()) / 1_000_000;
          break;
        }
      }
      // The longest stretch without a successful checkout from the strike to the recovery.
      long gap = 0;
      long last = fault.struck();
      long until = recovered < 0 ? System.nanoTime() : fault.over() + recovered * 1_000_000;
      for (long[] success : answered) {
        if (success[1] > fault.struck() && success[1] <= until) {
          gap = Math.max(gap, success[1] - last);
          last = success[1];
        }
      }
      gap = Math.max(gap, until - last);
      worst = recovered < 0 || worst < 0 ? -1 : Math.max(worst, recovered);
      out.printf("  +%6.1f s  %-48s | no successful checkout for %5.1f s at most | %s%n",
        (fault.struck() - loadStarted) / 1e9, fault.what(), gap / 1e9,
        recovered < 0 ? "NOT succeeding again before the load ended"
          : "succeeding again " + recovered + " ms after its end");
    }
    return worst;
  }

  private Report check(ShopClient client, Fixtures fixtures, Instant began, double loadSeconds, long worst) {
    Invariants invariants = new Invariants(client);
    int unsettled = invariants.settle(told);
    invariants.sagasFinished(began, Duration.ofSeconds(120));
    invariants.balances(invariants.orders(checkedOut, told), fixtures.stock, fixtures.credit);
    long ok = told.values().stream().filter(status -> status / 100 == 2).count();
    long refused = told.values().stream().filter(status -> status / 100 == 4).count();
    int seconds = Math.min(perSecond.length(), (int) loadSeconds);
    int available = 0;
    for (int second = 0; second < seconds; second++) {
      available += perSecond.get(second) > 0 ? 1 : 0;
    }
    double availability = seconds == 0 ? 0 : (double) available / seconds;
    Report report = new Report(faults.size(), told.size(), ok, refused, unsettled, availability, worst,
      invariants.violations());
    out.printf("soak: %d faults; %d orders checked out: told 2xx %d, 4xx %d, %d settled by a re-checkout afterwards; "
        + "%d requests, %d of them refused or unanswered and retried; %d orders not started (%d in flight already)%n",
      faults.size(), told.size(), ok, refused, unsettled, requests.get(), refusals.get(), notStarted.get(),
      MAX_IN_FLIGHT);
    out.printf("soak: availability %.1f%% (%d of %d s with a successful checkout); worst recovery %s%n",
      availability * 100, available, seconds, worst < 0 ? "NONE (a fault was never recovered from)" : worst + " ms");
    outcomesHeard();
    List<String> violations = invariants.violations();
    out.println(violations.isEmpty() ? "soak: every invariant holds"
      : "soak: " + violations.size() + " VIOLATIONS:\n  " + String.join("\n  ",
        violations.subList(0, Math.min(20, violations.size()))));
    return report;
  }

  /**
   * How soon callers waiting on one order replica heard an outcome another replica applied and broadcast: the
   * order processes' histogram, counted since each last started.
   */
  private void outcomesHeard() {
    long[] counts = new long[3];
    for (String url : shop.roleUrls("order")) {
      ShopClient order = new ShopClient(vertx, url, 1, 5_000);
      try {
        for (String line : order.getText("/metrics").await().split("\n")) {
          String metric = "saga_shop_checkout_outcome_heard_seconds";
          if (line.startsWith(metric + "_count")) {
            counts[0] += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          } else if (line.startsWith(metric + "_bucket{le=\"0.1\"")) {
            counts[1] += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          } else if (line.startsWith(metric + "_bucket{le=\"1.0\"")) {
            counts[2] += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      } catch (RuntimeException unreadable) {
        out.println("soak: could not read " + url + "/metrics: " + unreadable);
      } finally {
        order.close();
      }
    }
    out.printf("soak: outcomes broadcast to the order replica holding the caller: %d answered, %d within 100 ms, "
      + "%d within 1 s%n", counts[0], counts[1], counts[2]);
  }

  /**
   * Items and users for the soak: most with plenty of stock and credit, so checkouts go on succeeding for as long as
   * it runs; a few scarce items and poor users, so refusals (and their compensations) keep coming too.
   */
  private record Fixtures(Map<String, Long> stock, Map<String, Long> credit, List<String> plentiful,
                          List<String> scarce, List<String> rich, List<String> poor) {

    static Fixtures create(ShopClient client, Random random) {
      Map<String, Long> stock = new LinkedHashMap<>();
      List<String> plentiful = new ArrayList<>();
      List<String> scarce = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        long units = i < 10 ? PLENTY : 20 + random.nextInt(20);
        String item = client.newItem(1 + i % 3, units).await();
        stock.put(item, units);
        (i < 10 ? plentiful : scarce).add(item);
      }
      Map<String, Long> credit = new LinkedHashMap<>();
      List<String> rich = new ArrayList<>();
      List<String> poor = new ArrayList<>();
      long[] money = new long[120];
      for (int i = 0; i < money.length; i++) {
        money[i] = i < 100 ? PLENTY : random.nextInt(8);
      }
      List<String> users = inBatches(money.length, i -> client.newUser(money[i]));
      for (int i = 0; i < money.length; i++) {
        credit.put(users.get(i), money[i]);
        (i < 100 ? rich : poor).add(users.get(i));
      }
      return new Fixtures(stock, credit, plentiful, scarce, rich, poor);
    }

    String item(Random random) {
      return random.nextInt(10) == 0 ? scarce.get(random.nextInt(scarce.size()))
        : plentiful.get(random.nextInt(plentiful.size()));
    }

    String user(Random random) {
      return random.nextInt(7) == 0 ? poor.get(random.nextInt(poor.size())) : rich.get(random.nextInt(rich.size()));
    }
  }
}
