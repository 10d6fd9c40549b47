package dev.sagashop.infra.kafka;

import dev.sagashop.contracts.LoopbackPorts;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * A single-node Kafka broker and KRaft controller in this JVM, on loopback, with its log under {@code logDir}, so
 * messages and committed offsets survive a restart. Segments reach the OS page cache on append (Kafka's default),
 * which a process kill does not lose.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final int NODE_ID = 1;
  static final int BROKER_SESSION_MS = 30_000;
  /** Ten years. */
  static final int OFFSETS_KEPT_MINUTES = 10 * 365 * 24 * 60;

  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Formats {@code logDir} on first use, then starts.
   *
   * @param port           the client port; 0 picks a free one
   * @param controllerPort the KRaft controller port; 0 picks a free one
   * @param partitions     partitions of topics created on first use
   */
  public static EmbeddedKafka start(Path logDir, int port, int controllerPort, int partitions) throws Exception {
    Files.createDirectories(logDir);
    int brokerPort = LoopbackPorts.orFree(port);
    int quorumPort = LoopbackPorts.orFree(controllerPort);
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + quorumPort);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + quorumPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    props.put("num.partitions", Integer.toString(partitions));
    props.put("auto.create.topics.enable", "true");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "8");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    // Members may ask for sessions shorter than a stock broker's 6 s: a crashed one's partitions move on sooner.
    props.put("group.min.session.timeout.ms", "1000");
    // The controller fences its own broker when the process stops heartbeating for this long (a SIGSTOP, a VM
    // stall): leadership moves, every group coordinator unloads and reloads, and members wait out stale sessions —
    // seconds of recovery that a single-node broker gains nothing from. 9 s (the default) fenced freezes of 7 s and
    // more, 15 s those of 14.5 s and more. After a SIGKILL, the session of the killed run would hold up the next
    // run's registration this long: StaleRegistration drops it.
    props.put("broker.session.timeout.ms", Integer.toString(BROKER_SESSION_MS));
    props.put("broker.heartbeat.interval.ms", "500");
    // A small machine: few threads, and no 128 MB cleaner buffer on the heap.
    props.put("num.network.threads", "2");
    props.put("num.io.threads", "2");
    props.put("background.threads", "2");
    // After a crash every partition's log is checked before the broker serves (a tenth of a second or more each, the
    // same for a nearly empty one): one thread per core, instead of one in all, while the shop waits for the broker.
    props.put("num.recovery.threads.per.data.dir", Integer.toString(Runtime.getRuntime().availableProcessors()));
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
    props.put("log.retention.hours", "24");
    // A group's committed offsets outlive any stop of its consumers: Kafka's 7 days, passed with the group empty (a
    // role kept down beside a running broker), would start its consumers again from the earliest offset, redelivering
    // commands settled long ago — beyond what a document's hold ledger remembers, taking stock and credit again.
    props.put("offsets.retention.minutes", Integer.toString(OFFSETS_KEPT_MINUTES));
    props.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    KafkaConfig config = new KafkaConfig(props);

    if (!Files.exists(logDir.resolve("meta.properties"))) {
      new Formatter()
        .setClusterId(Uuid.randomUuid().toString())
        .setNodeId(NODE_ID)
        .setDirectories(List.of(logDir.toString()))
        .setMetadataLogDirectory(logDir.toString())
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        .setControllerListenerName("CONTROLLER")
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .run();
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    StaleRegistration.watch(server, NODE_ID);
    server.startup();
    return new EmbeddedKafka(server, "127.0.0.1:" + brokerPort);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
