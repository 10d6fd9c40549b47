package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * mongo-java-server's memory collection with each document kept as its BSON bytes instead of a tree of maps: read
 * as a fresh copy, written back whole. The trees lived in the old generation of the shop's heap, and every update
 * stored new, young values into them, so each young collection had to scan the old objects that every checkout
 * since the last one had touched — most of its pause (docs/PERFORMANCE.md). An updated document is now one young
 * array referenced from one slot. Since no caller ever holds a stored document, none can see it half updated.
 *
 * <p>It extends {@code MemoryCollection} only because the memory backend's databases are made of those; every method
 * that would touch that class's own list of documents is overridden here.
 */
class EncodedCollection extends MemoryCollection {

  private final List<byte[]> documents = new ArrayList<>();
  private final Queue<Integer> emptyPositions = new ArrayDeque<>();
  /** Bytes of documents encoded and stored, added up for the whole server: what replaying the same writes costs. */
  private final LongAdder stored;
  private int dataSize;

  EncodedCollection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors,
                    LongAdder stored) {
    super(database, name, options, cursors);
    this.stored = stored;
  }

  /** The size is kept from the encoded lengths; the library need not encode documents to learn it. */
  @Override
  protected boolean tracksDataSize() {
    return false;
  }

  @Override
  protected void updateDataSize(int sizeDelta) {
    dataSize += sizeDelta;
  }

  @Override
  protected int getDataSize() {
    return dataSize;
  }

  @Override
  protected Integer addDocumentInternal(Document document) {
    Integer position = emptyPositions.poll();
    if (position == null) {
      position = documents.size();
      documents.add(null);
    }
    store(position, document);
    return position;
  }

  @Override
  protected Document getDocument(Integer position) {
    byte[] encoded = documents.get(position);
    return encoded == null ? null : BsonDecoder.decodeBson(Unpooled.wrappedBuffer(encoded));
  }

  /** The library changed a copy it read (or this class's subclass did): the copy becomes the document. */
  @Override
  protected void handleUpdate(Integer position, Document oldDocument, Document newDocument) {
    store(position, newDocument);
  }

  @Override
  protected void removeDocument(Integer position) {
    dataSize -= documents.get(position).length;
    documents.set(position, null);
    emptyPositions.add(position);
  }

  @Override
  protected QueryResult matchDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize,
                                       Document fieldSelector) {
    IntStream positions = IntStream.range(0, documents.size());
    if (isNaturalDescending(orderBy)) {
      int last = documents.size() - 1;
      positions = positions.map(index -> last - index);
    }
    Stream<Document> all = positions.filter(position -> documents.get(position) != null).mapToObj(this::getDocument);
    return matchDocumentsFromStream(all, query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
  }

  @Override
  protected Stream<DocumentWithPosition<Integer>> streamAllDocumentsWithPosition() {
    return IntStream.range(0, documents.size())
      .filter(position -> documents.get(position) != null)
      .mapToObj(position -> new DocumentWithPosition<>(getDocument(position), position));
  }

  @Override
  public synchronized int count() {
    return documents.size() - emptyPositions.size();
  }

  @Override
  public synchronized boolean isEmpty() {
    return count() == 0;
  }

  @Override
  protected Integer findDocumentPosition(Document document) {
    return streamAllDocumentsWithPosition().filter(stored -> stored.getDocument().equals(document))
      .map(DocumentWithPosition::getPosition).findFirst().orElse(null);
  }

  /**
   * The stored documents' encodings ({@code byte[]}) in natural order, null where one was removed. Each array is never
   * changed once stored. Taken while commands are held, so it is a plain copy of the references: a typed copy, or a
   * loop that casts, reads every document's header, a cache miss each — tens of milliseconds for a large collection.
   */
  synchronized Object[] encodedDocuments() {
    return documents.toArray();
  }

  private void store(int position, Document document) {
    ByteBuf buffer = Unpooled.buffer(256);
    BsonEncoder.encodeDocument(document, buffer);
    byte[] encoded = ByteBufUtil.getBytes(buffer);
    byte[] previous = documents.set(position, encoded);
    dataSize += encoded.length - (previous == null ? 0 : previous.length);
    stored.add(encoded.length);
  }
}
