package dev.sagashop.contracts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackPortsTest {

  @Test
  @DisplayName("ports picked before any is bound are never the same one twice")
  void picksEachPortOnce() {
    // A sixth of the range: by birthday odds, random picks alone would repeat one almost surely.
    Set<Integer> picked = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      int port = LoopbackPorts.orFree(0);
      assertTrue(picked.add(port), "port " + port + " was handed out twice");
      assertTrue(port >= 20_000 && port < 32_000, "port " + port + " is outside the range below the ephemeral ports");
    }
  }

  @Test
  @DisplayName("a configured port is taken as it is")
  void keepsAConfiguredPort() {
    assertEquals(27_017, LoopbackPorts.orFree(27_017));
  }
}
