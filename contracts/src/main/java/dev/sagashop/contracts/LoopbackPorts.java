package dev.sagashop.contracts;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks free loopback ports for servers that must be told their port before they bind. Ports come from below the
 * ephemeral range (32768+), so an outgoing connection cannot take one between the pick and the bind. A port is
 * handed out once per JVM: a launcher that picks a dozen before any is bound (the soak's processes) would otherwise
 * now and then be given one twice.
 */
public final class LoopbackPorts {

  private static final int FROM = 20_000;
  private static final int TO = 32_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private LoopbackPorts() {
  }

  /** {@code configured} if it is not 0, else a port that was free a moment ago and not handed out before. */
  public static int orFree(int configured) {
    if (configured != 0) {
      return configured;
    }
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(FROM, TO);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        if (HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free loopback port between " + FROM + " and " + TO);
  }
}
