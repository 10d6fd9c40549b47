package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.Document;

import java.util.List;
import java.util.Objects;

/**
 * A unique index. On one top-level field (every collection's {@code _id} index) it answers the questions an update
 * asks of every index — is the key unchanged, where is the document — by reading the field, where the library
 * builds key sets through streams and normalizes every value. Anything it cannot answer that way (numbers, which the
 * library normalizes; a missing field; several fields) goes the library's way.
 */
final class UniqueFieldIndex extends MemoryUniqueIndex {

  private final String field;

  UniqueFieldIndex(String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.field = keys.size() == 1 && !keys.get(0).getKey().contains(".") ? keys.get(0).getKey() : null;
  }

  @Override
  protected boolean nullAwareEqualsKeys(Document oldDocument, Document newDocument) {
    if (field != null && oldDocument.get(field) instanceof String key && key.equals(newDocument.get(field))) {
      return true;
    }
    return super.nullAwareEqualsKeys(oldDocument, newDocument);
  }

  @Override
  public Integer getPosition(Document document) {
    if (field != null && document.get(field) instanceof String key) {
      return getPosition(new KeyValue(key));
    }
    return super.getPosition(document);
  }

  /** Where the document whose key is {@code key} is, or null; for a query that pins the key to a string. */
  Integer positionOf(String key) {
    return field == null ? null : getPosition(new KeyValue(key));
  }

  boolean indexes(String name) {
    return Objects.equals(field, name);
  }
}
