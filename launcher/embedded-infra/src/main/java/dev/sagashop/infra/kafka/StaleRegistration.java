package dev.sagashop.infra.kafka;

import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.controller.ClusterControlManager;
import org.apache.kafka.controller.Controller;
import org.apache.kafka.controller.ControllerRequestContext;
import org.apache.kafka.controller.QuorumController;
import org.apache.kafka.metadata.BrokerRegistration;
import org.apache.kafka.metadata.BrokerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The single-node controller refuses its broker's registration while the registration of the broker's previous
 * run still holds a session — and a broker killed with SIGKILL never ended that session, so a restart waited out
 * {@code broker.session.timeout.ms} before Kafka would serve. This watcher, started with the server, drops such a
 * registration as soon as the controller is up: one that is not fenced and names another incarnation than this
 * run's broker. A fenced one is left alone (the broker registers past it at once), so the watcher never races a
 * registration of this run: an unfenced one of another incarnation blocks this run's until it lapses.
 *
 * <p>Kafka offers no public hook for this in-process; the fields and methods reached by reflection are those of
 * Kafka 3.9, and if they are not found the watcher gives up and the broker starts as it did before, only later.
 */
final class StaleRegistration implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(StaleRegistration.class);
  private static final long WATCH_MS = 10_000;
  private static final long EVERY_MS = 100;

  private final KafkaRaftServer server;
  private final int nodeId;

  private StaleRegistration(KafkaRaftServer server, int nodeId) {
    this.server = server;
    this.nodeId = nodeId;
  }

  /** Watches {@code server}, about to start, for a stale registration of node {@code nodeId} to drop. */
  static void watch(KafkaRaftServer server, int nodeId) {
    Thread watcher = new Thread(new StaleRegistration(server, nodeId), "kafka-stale-registration");
    watcher.setDaemon(true);
    watcher.start();
  }

  @Override
  public void run() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WATCH_MS);
    try {
      // Both roles are made in the server's constructor; the controller's manager of registrations is not public.
      BrokerServer broker = this.<BrokerServer>part("broker");
      ControllerServer controllerServer = this.<ControllerServer>part("controller");
      Method clusterControl = QuorumController.class.getDeclaredMethod("clusterControl");
      clusterControl.setAccessible(true);
      while (System.nanoTime() < deadline) {
        Thread.sleep(EVERY_MS);
        if (broker.lifecycleManager() == null) {
          continue;
        }
        BrokerState state = broker.lifecycleManager().state();
        if (state != BrokerState.NOT_RUNNING && state != BrokerState.STARTING) {
          return;
        }
        Controller controller = controllerServer.controller();
        if (!(controller instanceof QuorumController quorum) || quorum.curClaimEpoch() < 0) {
          continue;
        }
        BrokerRegistration registered = ((ClusterControlManager) clusterControl.invoke(quorum)).registration(nodeId);
        Uuid mine = broker.lifecycleManager().incarnationId();
        if (registered == null || registered.fenced() || registered.incarnationId().equals(mine)) {
          continue;
        }
        ControllerRequestContext context = new ControllerRequestContext(new RequestHeaderData(),
          KafkaPrincipal.ANONYMOUS, OptionalLong.empty());
        controller.unregisterBroker(context, nodeId).get(WATCH_MS, TimeUnit.MILLISECONDS);
        log.info("dropped broker {}'s registration from its previous run, which ended without shutting down: "
          + "this run registers at once instead of after its session lapses", nodeId);
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("could not look for a stale broker registration ({}); the broker registers once it lapses",
        e.toString());
    }
  }

  /** One of the server's roles: {@code broker} or {@code controller}. */
  @SuppressWarnings("unchecked")
  private <T> T part(String name) throws ReflectiveOperationException {
    Field field = KafkaRaftServer.class.getDeclaredField(name);
    field.setAccessible(true);
    return ((Option<T>) field.get(server)).get();
  }
}
