package dev.softmetrics.job.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputDecompressor;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.DictionaryPageHeader;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;

/**
 * One column chunk's pages, read from the file one page at a time as they are asked for ({@link
 * ChunkSource}), each decompressed at once: the task holds the pages it decodes, in buffers it
 * fills again ({@link PageBuffers}), never the whole chunk. parquet-mr's row-group read allocates
 * and fills the whole chunk first: about 245 MB of a 120,000-row shard's log-probs, per task.
 *
 * <p>The pages are parquet-mr's: a dictionary page first if the chunk has one, then data pages (v1
 * or v2) until the chunk's value count is reached; other pages (index pages) are skipped. A data
 * page's compressed bytes go into the task's kept array ({@link PageBuffers#pageBytes}), so a page
 * is valid until the next one is read (an uncompressed page's values lie there); its decompressed
 * bytes go into pooled buffers that {@link ColumnFile} gives back when it moves to the next page. A
 * dictionary page gets arrays of its own, given back when the row group ends. Page checksums are
 * not verified (parquet-mr's default); an encrypted column is refused.
 */
final class StreamedPages implements PageReader {
  private static final ParquetMetadataConverter CONVERTER = new ParquetMetadataConverter();

  private final ChunkSource source;
  private final long fileLength;
  private final ColumnDescriptor column;
  private final String createdBy;
  private final BytesInputDecompressor decompressor;
  private final PageBuffers buffers;
  private final long totalValues;

  /** The file position of the next page header. */
  private long position;

  private long valuesRead;
  private DictionaryPage dictionary;

  /** The header read ahead when the chunk has no dictionary page: the first data page's. */
  private PageHeader pending;

  /**
   * Reads the chunk {@code chunk} of {@code column} from {@code source} (a file of {@code
   * fileLength} bytes), up to its first data page: the dictionary page, if any, is read and
   * decompressed now.
   */
  StreamedPages(
      ChunkSource source,
      long fileLength,
      ColumnDescriptor column,
      ColumnChunkMetaData chunk,
      String createdBy,
      BytesInputDecompressor decompressor,
      PageBuffers buffers)
      throws IOException {
    if (chunk.isEncrypted()) {
      throw new IOException("column " + chunk.getPath() + " is encrypted, which is not read here");
    }
    this.source = source;
    this.fileLength = fileLength;
    this.column = column;
    this.createdBy = createdBy;
    this.decompressor = decompressor;
    this.buffers = buffers;
    this.totalValues = chunk.getValueCount();
    this.position = chunk.getStartingPos();
    if (totalValues > 0) {
      PageHeader first = readHeader();
      if (first.getType() == PageType.DICTIONARY_PAGE) {
        dictionary = readDictionary(first);
      } else {
        pending = first;
      }
    }
  }

  /** The page header at {@link #position}, which moves past it. */
  private PageHeader readHeader() throws IOException {
    if (position >= fileLength) {
      throw new EOFException(
          "the file ends at byte " + position + ", where a page header of " + column + " starts");
    }
    ChunkSource.Header header = source.readHeader(position, fileLength);
    position = header.end();
    return header.header();
  }

  /**
   * Bytes of an array as a buffer's bytes: parquet-mr hands a buffer on as it is (an array's bytes
   * it would copy into a new buffer first).
   */
  private static BytesInput slice(byte[] bytes, int offset, int length) {
    return BytesInput.from(ByteBuffer.wrap(bytes, offset, length).slice());
  }

  /** A page's size after its header, checked against what the file holds. */
  private int checkedSize(int size) throws IOException {
    long left = fileLength - position;
    if (size < 0 || size > left) {
      throw new IOException(
          "a page header before byte "
              + position
              + " gives "
              + size
              + " bytes of page, but the file has "
              + left
              + " bytes left");
    }
    return size;
  }

  /**
   * The next {@code size} checked bytes at {@link #position} into {@code into}; moves past them.
   */
  private byte[] readBytes(int size, byte[] into) throws IOException {
    source.readFully(position, into, size);
    position += size;
    return into;
  }

  private DictionaryPage readDictionary(PageHeader header) throws IOException {
    DictionaryPageHeader dictionaryHeader = header.getDictionary_page_header();
    if (dictionaryHeader == null) {
      throw new IOException("a dictionary page without its header, in the chunk of " + column);
    }
    // A dictionary lives as long as its chunk: its bytes get an array of their own.
    int size = checkedSize(header.getCompressed_page_size());
    byte[] bytes = readBytes(size, new byte[size]);
    return new DictionaryPage(
        decompressor.decompress(
            BytesInput.from(bytes, 0, size), header.getUncompressed_page_size()),
        header.getUncompressed_page_size(),
        dictionaryHeader.getNum_values(),
        CONVERTER.getEncoding(dictionaryHeader.getEncoding()));
  }

  /** Counts a data page's values, which must fit in what the footer gives the chunk. */
  private void countValues(int values) throws IOException {
    if (values < 0 || values > totalValues - valuesRead) {
      throw new IOException(
          "a data page of "
              + values
              + " values, where the column chunk has "
              + (totalValues - valuesRead)
              + " left of the "
              + totalValues
              + " its footer gives");
    }
    valuesRead += values;
  }

  @Override
  public DictionaryPage readDictionaryPage() {
    return dictionary;
  }

  @Override
  public long getTotalValueCount() {
    return totalValues;
  }

  @Override
  public DataPage readPage() {
    try {
      return nextPage();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private DataPage nextPage() throws IOException {
    while (valuesRead < totalValues) {
      PageHeader header = pending != null ? pending : readHeader();
      pending = null;
      PageType type = header.getType();
      if (type == PageType.DICTIONARY_PAGE) {
        throw new IOException("a second dictionary page in the column chunk of " + column);
      }
      if (type != PageType.DATA_PAGE && type != PageType.DATA_PAGE_V2) {
        int size = header.getCompressed_page_size();
        if (size < 0 || size > fileLength - position) {
          throw new IOException("a " + type + " of " + size + " bytes past the file's end");
        }
        position += size;
        continue;
      }
      if (type == PageType.DATA_PAGE
          ? !header.isSetData_page_header()
          : !header.isSetData_page_header_v2()) {
        throw new IOException("a " + type + " without its header, in the chunk of " + column);
      }
      int size = checkedSize(header.getCompressed_page_size());
      int uncompressed = header.getUncompressed_page_size();
      if (type == PageType.DATA_PAGE) {
        DataPageHeader v1 = header.getData_page_header();
        countValues(v1.getNum_values());
        byte[] bytes = readBytes(size, buffers.pageBytes(size));
        return new DataPageV1(
            decompressor.decompress(slice(bytes, 0, size), uncompressed),
            v1.getNum_values(),
            uncompressed,
            CONVERTER.fromParquetStatistics(
                createdBy, v1.getStatistics(), column.getPrimitiveType()),
            CONVERTER.getEncoding(v1.getRepetition_level_encoding()),
            CONVERTER.getEncoding(v1.getDefinition_level_encoding()),
            CONVERTER.getEncoding(v1.getEncoding()));
      }
      DataPageHeaderV2 v2 = header.getData_page_header_v2();
      int repetition = v2.getRepetition_levels_byte_length();
      int definition = v2.getDefinition_levels_byte_length();
      int dataSize = size - repetition - definition;
      int dataUncompressed = uncompressed - repetition - definition;
      if (repetition < 0 || definition < 0 || dataSize < 0 || dataUncompressed < 0) {
        throw new IOException(
            "a v2 page of "
                + size
                + " bytes ("
                + uncompressed
                + " uncompressed) claims "
                + repetition
                + " bytes of repetition and "
                + definition
                + " of definition levels");
      }
      countValues(v2.getNum_values());
      byte[] bytes = readBytes(size, buffers.pageBytes(size));
      BytesInput data = slice(bytes, repetition + definition, dataSize);
      return new DataPageV2(
          v2.getNum_rows(),
          v2.getNum_nulls(),
          v2.getNum_values(),
          slice(bytes, 0, repetition),
          slice(bytes, repetition, definition),
          CONVERTER.getEncoding(v2.getEncoding()),
          v2.isIs_compressed() ? decompressor.decompress(data, dataUncompressed) : data,
          uncompressed,
          CONVERTER.fromParquetStatistics(createdBy, v2.getStatistics(), column.getPrimitiveType()),
          false);
    }
    return null;
  }
}
