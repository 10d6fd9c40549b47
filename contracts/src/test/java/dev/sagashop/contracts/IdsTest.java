package dev.sagashop.contracts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {

  @Test
  @DisplayName("ids are letters, digits, '-' and '_', starting with a letter or digit, at most 64 long")
  void ids() {
    assertTrue(Ids.isValid("0"));
    assertTrue(Ids.isValid(Ids.newId()));
    assertTrue(Ids.isValid("a".repeat(64)));
    assertFalse(Ids.isValid("a".repeat(65)));
    assertFalse(Ids.isValid("$where"));
    assertFalse(Ids.isValid("a.b"));
    assertFalse(Ids.isValid("-a"));
    assertFalse(Ids.isValid("_a"));
    assertTrue(Ids.isValid("Z9_-x"));
    assertFalse(Ids.isValid(""));
    assertFalse(Ids.isValid("a b"));
    assertFalse(Ids.isValid("caf\u00e9"));
    assertFalse(Ids.isValid("a/"));
    assertFalse(Ids.isValid(null));
  }

  @Test
  @DisplayName("ordered ids are valid ids, unique, sort by the millisecond they were made and after every UUID")
  void orderedIds() throws InterruptedException {
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      made.add(Ids.newOrderedId());
      Thread.sleep(2);
    }
    assertEquals(made, made.stream().sorted().toList());
    assertEquals(3, made.stream().distinct().count());
    made.forEach(id -> assertTrue(Ids.isValid(id), id));
    assertTrue(Ids.newOrderedId().compareTo("ffffffff-ffff-ffff-ffff-ffffffffffff") > 0);
    long millis = Long.parseLong(made.get(0).substring(1, 13), 16);
    assertTrue(Math.abs(System.currentTimeMillis() - millis) < 60_000, "the prefix is the epoch millisecond");
  }
}
