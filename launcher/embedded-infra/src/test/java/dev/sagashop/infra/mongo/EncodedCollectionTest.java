package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Documents kept as BSON bytes behave as the library's documents kept as maps. */
class EncodedCollectionTest {

  private static final String DB = "shop";

  @TempDir
  Path dir;
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final MemoryBackend library = new MemoryBackend();
  private DurableMemoryBackend ours;

  @BeforeEach
  void open() throws Exception {
    ours = new DurableMemoryBackend(new CommandLog(dir.resolve("commands.log")), Long.MAX_VALUE);
    ours.recover();
  }

  @AfterEach
  void close() {
    library.close();
    ours.close();
  }

  @Test
  @DisplayName("random inserts, deletes, updates and scans in either order answer as the library's collection does")
  void sameAsTheLibrary() {
    Random random = new Random(7);
    for (int round = 0; round < 3000; round++) {
      String id = "d" + random.nextInt(12);
      Document command = switch (random.nextInt(6)) {
        case 0, 1 -> new Document("insert", "items").append("documents", List.of(new Document("_id", id)
          .append("n", (long) round).append("h", new Document("q", round % 3)).append("s", List.of("a", round))));
        case 2 -> new Document("delete", "items").append("deletes", List.of(new Document("q",
          random.nextBoolean() ? new Document("_id", id) : new Document("n", new Document("$lt", round - 50)))
          .append("limit", random.nextBoolean() ? 1 : 0)));
        case 3 -> new Document("update", "items").append("updates", List.of(new Document("q", new Document("_id", id))
          .append("u", new Document("$inc", new Document("n", 1)).append("$set", new Document("h.t", "x" + round)))));
        case 4 -> new Document("count", "items");
        default -> new Document("find", "items").append("filter", new Document())
          .append("sort", new Document("$natural", random.nextBoolean() ? 1 : -1));
      };
      assertEquals(run(library, command), run(ours, command), command::toString);
    }
  }

  @Test
  @DisplayName("a document read is the reader's own: changing it changes nothing stored")
  void readsAreCopies() {
    run(ours, new Document("insert", "items").append("documents", List.of(new Document("_id", "i1")
      .append("stock", 5L).append("holds", new Document("s1", new Document("q", 2L))))));
    Document find = new Document("find", "items").append("filter", new Document("_id", "i1"));
    Document read = firstOf(ours.handleCommand(channel, DB, "find", find.cloneDeeply()));
    read.put("stock", 0L);
    ((Document) read.get("holds")).clear();

    Document again = firstOf(ours.handleCommand(channel, DB, "find", find.cloneDeeply()));
    assertEquals(5L, again.get("stock"));
    assertEquals(new Document("s1", new Document("q", 2L)), again.get("holds"));
    assertNotEquals(read, again);
  }

  @Test
  @DisplayName("every type a document may hold comes back as it went in, also after a restart")
  void typesSurvive() throws Exception {
    Document document = new Document("_id", "t1").append("int", 5).append("long", 5L).append("double", 2.5)
      .append("text", "ü").append("flag", true).append("none", null).append("when", Instant.ofEpochMilli(1_700_000_000_123L))
      .append("list", new ArrayList<>(List.of(1, "two", new Document("three", 3L)))).append("nested", new Document("a", 1));
    run(ours, new Document("insert", "items").append("documents", List.of(document)));
    Document find = new Document("find", "items").append("filter", new Document("_id", "t1"));
    assertEquals(document, firstOf(ours.handleCommand(channel, DB, "find", find.cloneDeeply())));

    ours.close();
    ours = new DurableMemoryBackend(new CommandLog(dir.resolve("commands.log")), Long.MAX_VALUE);
    ours.recover();
    assertEquals(document, firstOf(ours.handleCommand(channel, DB, "find", find.cloneDeeply())));
  }

  private static Document firstOf(Document reply) {
    return (Document) ((List<?>) ((Document) reply.get("cursor")).get("firstBatch")).get(0);
  }

  private String run(AbstractMongoBackend backend, Document command) {
    try {
      return backend.handleCommand(channel, DB, command.keySet().iterator().next(), command.cloneDeeply()).toString();
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }
}
