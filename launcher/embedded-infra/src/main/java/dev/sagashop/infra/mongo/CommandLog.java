package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.BsonConstants;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.CRC32;

/**
 * An append-only file of write commands, each record {@code [length][crc32][bson {db, cmd}]}.
 *
 * <p>Commands are applied and appended under one lock, so the file holds them in the order they took effect and
 * replaying it rebuilds the same data. Before a write is acknowledged, everything appended so far reaches the
 * operating system in one write (a group commit); from then on it survives a kill of the process. A torn record at
 * the tail (a crash in the middle of a write) was never acknowledged and is cut off when the log is read back.
 */
final class CommandLog implements AutoCloseable {

  private static final int HEADER = 8;
  private static final int BUFFER = 64 * 1024;

  private final Path file;
  // Lock order: flushLock before applyLock.
  private final Object flushLock = new Object();
  private final Object applyLock = new Object();
  private FileChannel channel;
  /** Guarded by applyLock: records not yet handed to the OS, and the log length counting them. */
  private ByteBuf pending = Unpooled.buffer(BUFFER);
  private long appended;
  /** Guarded by flushLock: the buffer being written while the other one collects appends. */
  private ByteBuf spare = Unpooled.buffer(BUFFER);
  private volatile long written;

  CommandLog(Path file) {
    this.file = file;
  }

  /** Calls {@code apply} with every intact record in order, cuts off a torn tail, and opens the file for appends. */
  void replay(BiConsumer<String, Document> apply) throws IOException {
    long intact = 0;
    if (Files.exists(file)) {
      try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
        long size = in.size();
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (intact + HEADER <= size) {
          header.clear();
          readFully(in, header);
          header.flip();
          int length = header.getInt();
          int crc = header.getInt();
          if (length <= 0 || intact + HEADER + length > size) {
            break;
          }
          byte[] body = new byte[length];
          readFully(in, ByteBuffer.wrap(body));
          if (crc != crc(body, 0, length)) {
            break;
          }
          Document record = BsonDecoder.decodeBson(Unpooled.wrappedBuffer(body));
          apply.accept((String) record.get("db"), (Document) record.get("cmd"));
          intact += HEADER + length;
        }
      }
    }
    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    channel.truncate(intact);
    channel.position(intact);
    appended = intact;
    written = intact;
  }

  /** Applies a write command and logs it, returning once the log holding it is in the OS. */
  Document applyLogged(String database, Document command, Supplier<Document> apply) {
    Document result;
    long end;
    synchronized (applyLock) {
      try {
        result = apply.get();
      } finally {
        // Logged even when it failed: replay fails at the same point and leaves the same partial effect.
        end = append(database, command);
      }
    }
    awaitWritten(end);
    return result;
  }

  /**
   * Runs a read while no write is applied, and returns once every write it may see is in the OS, so a read never
   * shows half a write nor one a crash could take back.
   */
  Document read(Supplier<Document> read) {
    Document result;
    long end;
    synchronized (applyLock) {
      result = read.get();
      end = appended;
    }
    awaitWritten(end);
    return result;
  }

  /** The length of the log in the file, the size that decides when to compact. */
  long size() {
    return written;
  }

  /** Receives the records of a snapshot. */
  interface SnapshotWriter {
    void write(String database, Document command);

    /** An insert of {@code documents}, each given as its BSON encoding; written before it returns. */
    void insert(String database, String collection, List<byte[]> documents);
  }

  /**
   * Replaces the log with a snapshot of the data followed by the commands applied since it was taken.
   * {@code capture} runs while no command is applied and returns what writes the snapshot; that, and copying the
   * commands logged meanwhile, happen while commands go on. Only the last few records are copied, and the files
   * swapped, with commands held. The snapshot is written beside the log at {@code pace}, forced to disk and renamed
   * over it, so a crash leaves either the old log or the new one. Returns how long commands were held, in
   * nanoseconds.
   */
  long rewrite(Supplier<Consumer<SnapshotWriter>> capture, SnapshotPace pace) throws IOException {
    Consumer<SnapshotWriter> snapshot;
    long mark;
    long held;
    synchronized (applyLock) {
      long from = System.nanoTime();
      snapshot = capture.get();
      mark = appended;
      held = System.nanoTime() - from;
    }
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.deleteIfExists(next);
    FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileChannel previous;
    try (FileChannel old = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuf buffer = Unpooled.buffer(BUFFER);
      pace.begin();
      snapshot.accept(new SnapshotWriter() {
        @Override
        public void write(String database, Document command) {
          encode(database, command, buffer);
          writePaced();
        }

        @Override
        public void insert(String database, String collection, List<byte[]> documents) {
          encodeInsert(database, collection, documents, buffer);
          writePaced();
        }

        private void writePaced() {
          int full = buffer.readableBytes();
          if (full >= BUFFER) {
            writeFully(out, buffer);
            try {
              pace.wrote(out, full);
            } catch (IOException e) {
              throw new UncheckedIOException("cannot write the Mongo command log " + next, e);
            }
          }
        }
      });
      writeFully(out, buffer);
      long copied = copy(old, mark, written, out, pace);
      out.force(true);
      // What was logged while the snapshot was forced: only the last few records are to be copied with commands held.
      copied = copy(old, copied, written, out, SnapshotPace.atOnce());
      synchronized (flushLock) {
        long from = System.nanoTime();
        synchronized (applyLock) {
          writeFully(channel, pending);
          written = appended;
          copy(old, copied, appended, out, SnapshotPace.atOnce());
          Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          previous = channel;
          channel = out;
          appended = out.position();
          written = appended;
        }
        held += System.nanoTime() - from;
      }
    } catch (IOException | RuntimeException e) {
      out.close();
      Files.deleteIfExists(next);
      throw e;
    }
    previous.close();
    return held;
  }

  /** Appends the bytes of {@code from} between two positions to {@code to} at {@code pace}; returns the end. */
  private static long copy(FileChannel from, long start, long end, FileChannel to, SnapshotPace pace)
    throws IOException {
    long position = start;
    while (position < end) {
      long copied = from.transferTo(position, Math.min(BUFFER, end - position), to);
      position += copied;
      pace.wrote(to, copied);
    }
    return Math.max(start, end);
  }

  private long append(String database, Document command) {
    appended += encode(database, command, pending);
    return appended;
  }

  /** Appends one record to {@code out} (a heap buffer); returns its length. */
  private static int encode(String database, Document command, ByteBuf out) {
    int start = out.writerIndex();
    out.writeLong(0);
    try {
      BsonEncoder.encodeDocument(new Document("db", database).append("cmd", command), out);
    } catch (RuntimeException e) {
      out.writerIndex(start);
      throw e;
    }
    return frame(out, start);
  }

  /**
   * Appends the record {@code {db, cmd: {insert, documents, ordered: true}}} as {@link #encode} would, with the
   * documents copied in as they are encoded rather than decoded and encoded again.
   */
  private static int encodeInsert(String database, String collection, List<byte[]> documents, ByteBuf out) {
    int start = out.writerIndex();
    out.writeLong(0);
    int record = beginDocument(out);
    writeString(out, "db", database);
    out.writeByte(BsonConstants.TYPE_EMBEDDED_DOCUMENT);
    writeCString(out, "cmd");
    int command = beginDocument(out);
    writeString(out, "insert", collection);
    out.writeByte(BsonConstants.TYPE_ARRAY);
    writeCString(out, "documents");
    int array = beginDocument(out);
    for (int i = 0; i < documents.size(); i++) {
      out.writeByte(BsonConstants.TYPE_EMBEDDED_DOCUMENT);
      writeCString(out, Integer.toString(i));
      out.writeBytes(documents.get(i));
    }
    endDocument(out, array);
    out.writeByte(BsonConstants.TYPE_BOOLEAN);
    writeCString(out, "ordered");
    out.writeByte(BsonConstants.BOOLEAN_VALUE_TRUE);
    endDocument(out, command);
    endDocument(out, record);
    return frame(out, start);
  }

  private static int beginDocument(ByteBuf out) {
    int start = out.writerIndex();
    out.writeIntLE(0);
    return start;
  }

  private static void endDocument(ByteBuf out, int start) {
    out.writeByte(BsonConstants.TERMINATING_BYTE);
    out.setIntLE(start, out.writerIndex() - start);
  }

  private static void writeString(ByteBuf out, String key, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeByte(BsonConstants.TYPE_UTF8_STRING);
    writeCString(out, key);
    out.writeIntLE(bytes.length + 1);
    out.writeBytes(bytes);
    out.writeByte(BsonConstants.STRING_TERMINATION);
  }

  private static void writeCString(ByteBuf out, String value) {
    out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
    out.writeByte(BsonConstants.STRING_TERMINATION);
  }

  /** Fills in the header of the record that starts at {@code start}: its length and checksum. */
  private static int frame(ByteBuf out, int start) {
    int length = out.writerIndex() - start - HEADER;
    out.setInt(start, length);
    out.setInt(start + Integer.BYTES, crc(out.array(), out.arrayOffset() + start + HEADER, length));
    return HEADER + length;
  }

  private void awaitWritten(long position) {
    if (written >= position) {
      return;
    }
    synchronized (flushLock) {
      if (written >= position) {
        return;
      }
      ByteBuf batch;
      long upTo;
      synchronized (applyLock) {
        batch = pending;
        upTo = appended;
        pending = spare;
      }
      writeFully(channel, batch);
      spare = batch;
      written = upTo;
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (flushLock) {
      synchronized (applyLock) {
        if (channel != null && channel.isOpen()) {
          writeFully(channel, pending);
          written = appended;
          channel.force(true);
          channel.close();
        }
      }
    }
  }

  private void writeFully(FileChannel out, ByteBuf buffer) {
    try {
      ByteBuffer bytes = buffer.nioBuffer();
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      buffer.clear();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Mongo command log " + file, e);
    }
  }

  private static void readFully(FileChannel in, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining() && in.read(buffer) >= 0) {
      // keep reading
    }
  }

  private static int crc(byte[] bytes, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }
}
