package dev.sagashop.launcher;

import dev.sagashop.contracts.Meters;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.DoubleStream;

/**
 * What a shop process measures (Micrometer, served as Prometheus text by {@code /metrics}): HTTP requests per route,
 * method and status with latency histograms, the JVM (memory, GC pauses, threads), and the meters the verticles
 * register ({@link Meters}). Vert.x's other domains — the event bus the services talk over, raw TCP under the
 * database clients — are left out: counted per message they would cost the hot path and say little more.
 */
final class ShopMetrics {

  private static final long PROBE_EVERY_MS = 100;
  /** Histograms with {@link #LATENCY_BUCKETS_NS}: the GC's pauses among them, so a window's longest can be told. */
  private static final Set<String> LATENCIES = Set.of("vertx.http.server.response.time", Meters.SAGA_DURATION,
    Meters.STEP_LATENCY, Meters.EVENT_LOOP_DELAY, Meters.OUTCOME_HEARD, "jvm.gc.pause");
  private static final double[] LATENCY_BUCKETS_NS = DoubleStream.of(1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000,
    2_000, 5_000, 10_000, 30_000, 60_000).map(ms -> ms * 1e6).toArray();
  private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

  private ShopMetrics() {
  }

  /** A Vert.x whose metrics go to a Prometheus registry set up for the shop. */
  static Vertx vertx() {
    return Vertx.builder().with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME))
        .setDisabledMetricsCategories(Set.of(MetricsDomain.EVENT_BUS.name(), MetricsDomain.NET_CLIENT.name(),
          MetricsDomain.NET_SERVER.name(), MetricsDomain.DATAGRAM_SOCKET.name(), MetricsDomain.NAMED_POOLS.name(),
          MetricsDomain.VERTICLES.name()))))
      .withMetrics(new MicrometerMetricsFactory(registry()))
      .build();
  }

  /**
   * Histograms, with a few fixed buckets each, for the latencies people graph — HTTP responses, sagas, steps, the
   * event loops, GC pauses — and the journal's batch sizes; request and response sizes are left out. A scrape
   * stays small.
   */
  private static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
      .meterFilter(MeterFilter.deny(id -> id.getName().startsWith("vertx.http.") && id.getName().endsWith(".bytes")))
      .meterFilter(new MeterFilter() {
        @Override
        public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
          double[] buckets = LATENCIES.contains(id.getName()) ? LATENCY_BUCKETS_NS
            : id.getName().equals(Meters.JOURNAL_BATCH) ? BATCH_BUCKETS : null;
          return buckets == null ? config
            : DistributionStatisticConfig.builder().serviceLevelObjectives(buckets).build().merge(config);
        }
      });
    return registry;
  }

  /**
   * Times how late a periodic timer fires on its event loop: a handler that blocks the loop shows here. Deployed
   * with one instance per event loop, which Vert.x hands out in turn.
   */
  static final class EventLoopDelay extends VerticleBase {

    private long timer;

    @Override
    public Future<?> start() {
      Timer delay = Timer.builder(Meters.EVENT_LOOP_DELAY)
        .description("How late a " + PROBE_EVERY_MS + " ms timer fires on an event loop").register(Meters.registry());
      long[] expected = {System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_EVERY_MS)};
      timer = vertx.setPeriodic(PROBE_EVERY_MS, tick -> {
        long now = System.nanoTime();
        delay.record(Math.max(0, now - expected[0]), TimeUnit.NANOSECONDS);
        expected[0] = now + TimeUnit.MILLISECONDS.toNanos(PROBE_EVERY_MS);
      });
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      vertx.cancelTimer(timer);
      return Future.succeededFuture();
    }
  }
}
