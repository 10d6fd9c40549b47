package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * mongo-java-server's memory backend made durable by a {@link CommandLog}: every write command is logged in the
 * order it was applied and reaches the OS before its reply is sent; on start the log is replayed and rewritten as a
 * compact snapshot. (The library's H2 backend spends its time in Java serialization and grows its file by a chunk
 * per commit, so it is not used; README, "The embedded MongoDB-protocol server".)
 *
 * <p>Replay is faithful only for deterministic commands: clients must set {@code _id} themselves, and use no
 * time-dependent update operators. The shop's services do both.
 */
final class DurableMemoryBackend extends MemoryBackend {

  private static final Logger log = LoggerFactory.getLogger(DurableMemoryBackend.class);
  private static final Set<String> WRITES = Set.of(
    "insert", "update", "delete", "findandmodify", "create", "createindexes", "drop", "dropindexes",
    "dropdatabase", "renamecollection");
  /** Per-connection fields that mean nothing on replay. */
  private static final Set<String> UNLOGGED = Set.of("lsid", "$clusterTime", "txnNumber", "$readPreference");
  private static final int SNAPSHOT_BATCH = 1000;
  private static final int COMPACTION_WAIT_SECONDS = 30;
  /**
   * How fast a compaction under load writes its snapshot ({@link SnapshotPace}): a snapshot of the benchmark's data
   * in a few seconds, a small share of a core (docs/PERFORMANCE.md). The log grows by what is logged meanwhile.
   */
  private static final long COMPACTION_BYTES_PER_SECOND = 32L << 20;

  private final CommandLog commandLog;
  private final long compactAbove;
  private volatile long compactedSize;
  /**
   * Bytes of documents stored since the last snapshot was taken. A replay encodes each of them again: a short log of
   * updates to large documents (a popular item's settled sagas) replays as slowly as a long log of inserts.
   */
  private final LongAdder storedSinceSnapshot = new LongAdder();
  private final AtomicBoolean compacting = new AtomicBoolean();
  private final ExecutorService compactor = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "mongo-log-compactor");
    thread.setDaemon(true);
    return thread;
  });
  private final SnapshotPace compactionPace = SnapshotPace.of(COMPACTION_BYTES_PER_SECOND);
  private boolean replaying;

  DurableMemoryBackend(CommandLog commandLog, long compactAbove) {
    this.commandLog = commandLog;
    this.compactAbove = compactAbove;
  }

  /** Rebuilds the data from the log, then rewrites the log as a snapshot of it. */
  void recover() throws IOException {
    Channel replayChannel = new EmbeddedChannel();
    long[] commands = {0};
    replaying = true;
    try {
      commandLog.replay((database, command) -> {
        commands[0]++;
        try {
          super.handleCommand(replayChannel, database, command.keySet().iterator().next(), command);
        } catch (RuntimeException e) {
          log.debug("replayed command failed again, as it did when first applied: {}", e.getMessage());
        }
      });
    } finally {
      replaying = false;
      handleClose(replayChannel);
    }
    log.info("Mongo command log: replayed {} commands", commands[0]);
    compact(SnapshotPace.atOnce());
  }

  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    return new MemoryDatabase(databaseName, getCursorRegistry()) {
      @Override
      protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
        return new IdIndexedCollection(this, collectionName, options, cursorRegistry, storedSinceSnapshot);
      }

      @Override
      protected Index<Integer> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                       boolean sparse) {
        return new UniqueFieldIndex(indexName, keys, sparse);
      }
    };
  }

  /**
   * Reads are applied between writes and answered once every write before them is in the log, so no reply shows a
   * write that a crash could still undo. Replies carry documents decoded for them ({@link EncodedCollection}), so
   * none shares a document with the store, and none can show half of a later update (MongoDB never does).
   */
  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    if (replaying) {
      return super.handleCommand(channel, database, command, query);
    }
    if (!WRITES.contains(command.toLowerCase(Locale.ROOT))) {
      return commandLog.read(() -> super.handleCommand(channel, database, command, query));
    }
    Document result = commandLog.applyLogged(database, loggable(query),
      () -> super.handleCommand(channel, database, command, query));
    if (grown() && compacting.compareAndSet(false, true)) {
      try {
        compactor.execute(this::compactIfGrown);
      } catch (RejectedExecutionException closing) {
        compacting.set(false);
      }
    }
    return result;
  }

  /** Rewrites the log as the current data: one insert per batch of documents, plus the secondary indexes. */
  void compact(SnapshotPace pace) throws IOException {
    long before = commandLog.size();
    long started = System.nanoTime();
    long held = commandLog.rewrite(this::capture, pace);
    compactedSize = commandLog.size();
    log.info("Mongo command log compacted from {} KB to {} KB in {} ms, commands held for {} ms", before / 1024,
      compactedSize / 1024, (System.nanoTime() - started) / 1_000_000, held / 1_000_000);
  }

  /**
   * What the snapshot is made of, taken while no command is applied: the collections, their indexes and the
   * documents' encodings, which are never changed once stored (an update stores a new array), so they can be
   * written out while commands go on.
   */
  private Consumer<CommandLog.SnapshotWriter> capture() {
    storedSinceSnapshot.reset();
    List<Consumer<CommandLog.SnapshotWriter>> collections = new ArrayList<>();
    for (String databaseName : listDatabaseNames()) {
      MongoDatabase database = resolveDatabase(databaseName);
      for (String collectionName : collectionNames(databaseName)) {
        if (database.resolveCollection(collectionName, false) instanceof EncodedCollection collection) {
          collections.add(capture(databaseName, collection));
        }
      }
    }
    return writer -> collections.forEach(collection -> collection.accept(writer));
  }

  private static Consumer<CommandLog.SnapshotWriter> capture(String database, EncodedCollection collection) {
    String name = collection.getCollectionName();
    List<Document> commands = new ArrayList<>();
    commands.add(new Document("create", name));
    for (Index<?> index : collection.getIndexes()) {
      if (!index.getName().equals("_id_")) {
        Document keys = new Document();
        for (IndexKey key : index.getKeys()) {
          keys.append(key.getKey(), key.isAscending() ? 1 : -1);
        }
        commands.add(new Document("createIndexes", name)
          .append("indexes", List.of(new Document("name", index.getName()).append("key", keys).append("unique", true))));
      }
    }
    Object[] documents = collection.encodedDocuments();
    return writer -> {
      commands.forEach(command -> writer.write(database, command));
      List<byte[]> batch = new ArrayList<>(SNAPSHOT_BATCH);
      for (Object document : documents) {
        if (document != null) {
          batch.add((byte[]) document);
        }
        if (batch.size() == SNAPSHOT_BATCH) {
          writer.insert(database, name, batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        writer.insert(database, name, batch);
      }
    };
  }

  /**
   * Whether replaying the log has grown dearer than twice replaying a snapshot (and than a floor): by its bytes, or
   * by the bytes of the documents it stored, whichever is more.
   */
  private boolean grown() {
    return Math.max(commandLog.size(), storedSinceSnapshot.sum()) > Math.max(compactAbove, 2 * compactedSize);
  }

  /** Runs on the compactor: commands go on meanwhile, and the writer that found the log grown has its reply. */
  private void compactIfGrown() {
    try {
      if (grown()) {
        compact(compactionPace);
      }
    } catch (IOException | RuntimeException e) {
      log.error("could not compact the Mongo command log; it keeps growing", e);
    } finally {
      compacting.set(false);
    }
  }

  private List<String> collectionNames(String databaseName) {
    Document listing = super.handleCommand(new EmbeddedChannel(), databaseName, "listCollections",
      new Document("listCollections", 1));
    List<String> names = new ArrayList<>();
    for (Object entry : (List<?>) ((Document) listing.get("cursor")).get("firstBatch")) {
      names.add((String) ((Document) entry).get("name"));
    }
    return names;
  }

  private static Document loggable(Document query) {
    Document copy = new Document();
    query.forEach((key, value) -> {
      if (!UNLOGGED.contains(key)) {
        copy.put(key, value);
      }
    });
    return copy;
  }

  /** Stops taking compactions and waits for the one under way, if any. */
  void awaitCompaction() {
    compactionPace.hurry();
    compactor.shutdown();
    try {
      if (!compactor.awaitTermination(COMPACTION_WAIT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("the Mongo command log's compaction did not finish within {} s", COMPACTION_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    super.close();
    awaitCompaction();
    try {
      commandLog.close();
    } catch (IOException e) {
      log.warn("could not close the Mongo command log cleanly", e);
    }
  }
}
