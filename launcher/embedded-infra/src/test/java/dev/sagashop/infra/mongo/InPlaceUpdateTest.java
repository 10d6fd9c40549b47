package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The in-place updates against mongo-java-server's own: the same random updates, the same documents and replies,
 * errors included (those the fast path leaves to the library).
 */
class InPlaceUpdateTest {

  private static final String DB = "shop";
  private static final Document ALL = new Document("find", "items").append("filter", new Document());
  private static final String[] PATHS = {"a", "b", "c", "h.x", "h.y", "h.q.r", "s", "n.m", "h", "$bad", "s.0", "_id"};

  @TempDir
  Path dir;
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final MemoryBackend library = new MemoryBackend();
  private DurableMemoryBackend ours;

  @AfterEach
  void close() {
    library.close();
    if (ours != null) {
      ours.close();
    }
  }

  @Test
  @DisplayName("random updates and findAndModifys leave the same documents and replies as the library's own")
  void sameAsTheLibrary() throws Exception {
    ours = new DurableMemoryBackend(new CommandLog(dir.resolve("commands.log")), Long.MAX_VALUE);
    ours.recover();
    Random random = new Random(42);
    for (int i = 0; i < 8; i++) {
      Document insert = new Document("insert", "items").append("documents", List.of(new Document("_id", "d" + i)
        .append("a", 5L).append("b", "text").append("h", new Document("x", 1).append("q", new Document("r", 2.5)))
        .append("s", new ArrayList<>(List.of("first", 2L)))));
      assertEquals(run(library, insert), run(ours, insert));
    }
    for (int round = 0; round < 6000; round++) {
      Document update = random.nextBoolean()
        ? new Document("update", "items").append("updates", List.of(new Document("q", filter(random))
          .append("u", update(random)).append("multi", false).append("upsert", false))).append("ordered", true)
        : sorted(random, new Document("findAndModify", "items").append("query", filter(random))
          .append("update", update(random)).append("new", random.nextBoolean()));
      assertEquals(run(library, update), run(ours, update), update::toString);
      assertEquals(run(library, ALL), run(ours, ALL), update::toString);
    }
  }

  @Test
  @DisplayName("the hold ledger's reserve condition — a list not full, or starting below the saga — matches as the "
    + "library's does, for lists of every length and sagas below, at and above the first entry")
  void positionalConditionsAsTheLibrary() throws Exception {
    ours = new DurableMemoryBackend(new CommandLog(dir.resolve("commands.log")), Long.MAX_VALUE);
    ours.recover();
    List<List<Object>> lists = List.of(List.of(), List.of("m"), List.of("m", "p"), List.of("m", "p", "t"),
      List.of(5L, "p", "t"), List.of("m", "p", new Document("q", 1)));
    for (int i = 0; i < lists.size(); i++) {
      Document insert = new Document("insert", "items").append("documents", List.of(new Document("_id", "d" + i)
        .append("stock", 100L).append("settled", new ArrayList<>(lists.get(i)))));
      assertEquals(run(library, insert), run(ours, insert));
    }
    Document insert = new Document("insert", "items").append("documents", List.of(new Document("_id", "none")
      .append("stock", 100L), new Document("_id", "text").append("stock", 100L).append("settled", "m")));
    assertEquals(run(library, insert), run(ours, insert));
    for (String id : List.of("d0", "d1", "d2", "d3", "d4", "d5", "none", "text")) {
      for (String saga : List.of("a", "m", "n", "z")) {
        for (int full = 1; full <= 3; full++) {
          Document update = new Document("update", "items").append("updates", List.of(new Document("q",
            new Document("_id", id).append("$or", List.of(
              new Document("settled." + (full - 1), new Document("$exists", false)),
              new Document("settled.0", new Document("$lt", saga)))))
            .append("u", new Document("$inc", new Document("stock", -1L))).append("multi", false)
            .append("upsert", false))).append("ordered", true);
          assertEquals(run(library, update), run(ours, update), update::toString);
        }
      }
    }
    assertEquals(run(library, ALL), run(ours, ALL));
  }

  /** None, the empty sort the Java driver sends for the Vert.x client, or a real one. */
  private static Document sorted(Random random, Document findAndModify) {
    return switch (random.nextInt(3)) {
      case 0 -> findAndModify;
      case 1 -> findAndModify.append("sort", new Document());
      default -> findAndModify.append("sort", new Document("a", -1));
    };
  }

  private String run(de.bwaldvogel.mongo.backend.AbstractMongoBackend backend, Document command) {
    try {
      // Each backend gets a command of its own, as each would decode it from the wire.
      Document reply = backend.handleCommand(channel, DB, command.keySet().iterator().next(), command.cloneDeeply());
      return typed(reply);
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /** The value with the type of every number, which toString leaves out (5 and 5L print alike). */
  private static String typed(Object value) {
    if (value instanceof Document document) {
      StringBuilder out = new StringBuilder("{");
      document.forEach((key, element) -> out.append(key).append(": ").append(typed(element)).append(", "));
      return out.append("}").toString();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(InPlaceUpdateTest::typed).toList().toString();
    }
    return value instanceof Number ? value + ":" + value.getClass().getSimpleName() : String.valueOf(value);
  }

  private static Document filter(Random random) {
    Document filter = new Document("_id", "d" + random.nextInt(9));
    switch (random.nextInt(5)) {
      case 0 -> filter.append("a", new Document("$gte", random.nextInt(8)));
      case 1 -> filter.append("h.x", new Document("$exists", random.nextBoolean()));
      // "v1" is a value the updates set and push: arrays that hold it, and fields that are it, come and go.
      case 2 -> filter.append("s", new Document("$ne", random.nextBoolean() ? "first" : "v1"));
      // The hold ledger's "not full, or starting below": elements of any type, the field a list or not.
      case 3 -> filter.append("$or", List.of(
        new Document("s." + random.nextInt(3), new Document("$exists", random.nextBoolean())),
        new Document("s.0", new Document("$lt", List.of("first", "g", "v1").get(random.nextInt(3))))));
      default -> {
      }
    }
    return filter;
  }

  private static Document update(Random random) {
    Document update = new Document();
    int changes = 1 + random.nextInt(3);
    for (int i = 0; i < changes; i++) {
      String operator = List.of("$set", "$unset", "$inc", "$push", "$min").get(random.nextInt(5));
      Document fields = (Document) update.computeIfAbsent(operator, key -> new Document());
      String path = PATHS[random.nextInt(PATHS.length)];
      fields.put(path, switch (operator) {
        case "$unset" -> "";
        case "$inc" -> random.nextInt(5) == 0 ? "x" : List.of(1, 2L, -1.5, 0L).get(random.nextInt(4));
        case "$push" -> random.nextBoolean() ? value(random) : sortedPush(random, new Document("$each",
          Arrays.asList(value(random), value(random))).append("$slice", List.of(-2, 0, 3, -64).get(random.nextInt(4))));
        default -> value(random);
      });
    }
    return update;
  }

  /** No $sort, ascending or descending (what the hold ledger sends), or one this class leaves to the library. */
  private static Document sortedPush(Random random, Document push) {
    return switch (random.nextInt(4)) {
      case 0 -> push;
      case 1 -> push.append("$sort", 1);
      case 2 -> push.append("$sort", -1);
      default -> push.append("$sort", new Document("q", 1));
    };
  }

  private static Object value(Random random) {
    return switch (random.nextInt(7)) {
      case 0 -> 5L;
      case 1 -> 5;
      case 2 -> 5.0;
      case 3 -> "v" + random.nextInt(3);
      case 4 -> new Document("q", random.nextInt(3)).append("t", "tok");
      case 5 -> new ArrayList<>(List.of(1L, "two"));
      default -> null;
    };
  }
}
