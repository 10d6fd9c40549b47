package dev.sagashop.contracts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AmountsTest {

  @Test
  @DisplayName("whole numbers from 0 to 2^63-1 parse, leading zeros included")
  void parsesTheWholeRange() {
    assertEquals(0, Amounts.parse("amount", "0"));
    assertEquals(7, Amounts.parse("amount", "007"));
    assertEquals(Long.MAX_VALUE, Amounts.parse("amount", "9223372036854775807"));
  }

  @ParameterizedTest(name = "\"{0}\" is refused with 400")
  @ValueSource(strings = {"", "-0", "-1", "+1", "1.0", "1e2", " 1", "1 ", "0x1", "9223372036854775808",
    "18446744073709551616", "١٢"})
  void refusesEverythingElse(String text) {
    ServiceException refusal = assertThrows(ServiceException.class, () -> Amounts.parse("amount", text));
    assertEquals(400, refusal.status());
  }

  @Test
  @DisplayName("sums and products that overflow 64 bits are refused, not wrapped")
  void arithmeticRefusesOverflow() {
    assertEquals(Long.MAX_VALUE, Amounts.add(Long.MAX_VALUE - 1, 1, "x"));
    assertThrows(ServiceException.class, () -> Amounts.add(Long.MAX_VALUE, 1, "x"));
    assertThrows(ServiceException.class, () -> Amounts.multiply(Long.MAX_VALUE / 2 + 1, 2, "x"));
  }
}
