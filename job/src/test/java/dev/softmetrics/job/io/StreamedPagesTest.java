package dev.softmetrics.job.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputDecompressor;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.DictionaryPageHeader;
import org.apache.parquet.format.IndexPageHeader;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Statistics;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;

/**
 * A column chunk read page by page from bytes laid out by hand: each page comes back whole and in
 * order (dictionary, v1 and v2 data pages; index pages skipped; headers longer than the first
 * read); a page that runs past the file, more values than the footer gives, a second dictionary and
 * v2 levels longer than their page are refused before any buffer is sized by them. (Whole files of
 * every writer are read through it by the readers' tests.)
 */
class StreamedPagesTest {
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType("message m { optional binary b; }");
  private static final ColumnDescriptor COLUMN = SCHEMA.getColumns().get(0);

  /** What the decompressor of an uncompressed chunk does: nothing. */
  private static final BytesInputDecompressor SAME =
      new BytesInputDecompressor() {
        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) {
          return bytes;
        }

        @Override
        public void decompress(ByteBuffer in, int size, ByteBuffer out, int outSize) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void release() {}
      };

  /** A file's bytes, read by positioned reads as a local file is. */
  private static final class Bytes extends ChunkSource {
    final byte[] file;
    int reads;

    Bytes(byte[] file) {
      this.file = file;
    }

    @Override
    void readFully(long position, byte[] into, int length) throws IOException {
      if (position < 0 || position + length > file.length) {
        throw new IOException("read past the end");
      }
      reads++;
      System.arraycopy(file, (int) position, into, 0, length);
    }

    @Override
    public void close() {}
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final PageBuffers buffers = new PageBuffers();

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed + 31 * i);
    }
    return b;
  }

  private void page(PageHeader header, byte[] body) throws IOException {
    Util.writePageHeader(header, out);
    out.write(body);
  }

  private static PageHeader v1(int values, byte[] body) {
    PageHeader h = new PageHeader(PageType.DATA_PAGE, body.length, body.length);
    h.setData_page_header(
        new DataPageHeader(
            values,
            org.apache.parquet.format.Encoding.PLAIN,
            org.apache.parquet.format.Encoding.RLE,
            org.apache.parquet.format.Encoding.RLE));
    return h;
  }

  private StreamedPages pages(long start, long values, boolean dictionary) throws IOException {
    byte[] file = out.toByteArray();
    ColumnChunkMetaData chunk =
        ColumnChunkMetaData.get(
            ColumnPath.get("b"),
            PrimitiveTypeName.BINARY,
            CompressionCodecName.UNCOMPRESSED,
            Set.of(Encoding.PLAIN),
            dictionary ? start + 1 : start,
            dictionary ? start : 0,
            values,
            file.length - start,
            file.length - start);
    return new StreamedPages(new Bytes(file), file.length, COLUMN, chunk, "test", SAME, buffers);
  }

  @Test
  void everyPageComesBackWholeAndInOrder() throws IOException {
    out.write(bytes(7, 1)); // bytes before the chunk
    byte[] dictionary = bytes(100, 2);
    PageHeader dictionaryHeader =
        new PageHeader(PageType.DICTIONARY_PAGE, dictionary.length, dictionary.length);
    dictionaryHeader.setDictionary_page_header(
        new DictionaryPageHeader(5, org.apache.parquet.format.Encoding.PLAIN));
    page(dictionaryHeader, dictionary);
    byte[] first = bytes(70_000, 3);
    PageHeader long1 = v1(3, first);
    // Statistics of 10 KB make a header longer than the first read of one.
    long1.getData_page_header().setStatistics(new Statistics().setMax_value(bytes(10_000, 4)));
    page(long1, first);
    byte[] index = bytes(50, 5);
    PageHeader indexHeader = new PageHeader(PageType.INDEX_PAGE, index.length, index.length);
    indexHeader.setIndex_page_header(new IndexPageHeader());
    page(indexHeader, index);
    byte[] second = bytes(40, 6);
    PageHeader v2 = new PageHeader(PageType.DATA_PAGE_V2, second.length, second.length);
    v2.setData_page_header_v2(
        // values, nulls, rows, encoding, definition levels' bytes, repetition levels' bytes
        new DataPageHeaderV2(4, 1, 2, org.apache.parquet.format.Encoding.PLAIN, 4, 6));
    v2.getData_page_header_v2().setIs_compressed(false);
    page(v2, second);
    out.write(bytes(30, 7)); // the next chunk

    StreamedPages pages = pages(7, 7, true);
    DictionaryPage dict = pages.readDictionaryPage();
    assertThat(dict.getDictionarySize()).isEqualTo(5);
    assertThat(dict.getBytes().toByteArray()).isEqualTo(dictionary);

    DataPage page = pages.readPage();
    assertThat(page).isInstanceOf(DataPageV1.class);
    assertThat(page.getValueCount()).isEqualTo(3);
    assertThat(((DataPageV1) page).getBytes().toByteArray()).isEqualTo(first);
    // The compressed bytes lie in the task's kept array, which the next page fills again.
    byte[] kept = buffers.pageBytes(0);
    assertThat(kept.length).isGreaterThanOrEqualTo(first.length);

    page = pages.readPage();
    assertThat(page).isInstanceOf(DataPageV2.class);
    DataPageV2 p2 = (DataPageV2) page;
    assertThat(p2.getValueCount()).isEqualTo(4);
    assertThat(p2.getRowCount()).isEqualTo(2);
    assertThat(p2.getRepetitionLevels().toByteArray()).isEqualTo(Arrays.copyOfRange(second, 0, 6));
    assertThat(p2.getDefinitionLevels().toByteArray()).isEqualTo(Arrays.copyOfRange(second, 6, 10));
    assertThat(p2.getData().toByteArray()).isEqualTo(Arrays.copyOfRange(second, 10, 40));

    assertThat(buffers.pageBytes(0)).isSameAs(kept);
    // The footer's 7 values are read: nothing more, though the file goes on.
    assertThat(pages.readPage()).isNull();
    assertThat(pages.getTotalValueCount()).isEqualTo(7);
  }

  @Test
  void aPageRunningPastTheFileIsRefusedBeforeItsBufferIsMade() throws IOException {
    PageHeader lying = new PageHeader(PageType.DATA_PAGE, 1 << 30, 1 << 30);
    lying.setData_page_header(v1(2, new byte[0]).getData_page_header());
    page(lying, bytes(20, 1));
    StreamedPages pages = pages(0, 2, false);
    assertThatThrownBy(pages::readPage)
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("gives 1073741824 bytes of page, but the file has 20 bytes left");
    assertThat(buffers.pageBytes(0)).isEmpty();
  }

  @Test
  void morePageValuesThanTheFooterGivesAreRefused() throws IOException {
    page(v1(5, bytes(8, 1)), bytes(8, 1));
    StreamedPages pages = pages(0, 4, false);
    assertThatThrownBy(pages::readPage)
        .hasMessageContaining("a data page of 5 values, where the column chunk has 4 left");
  }

  @Test
  void aSecondDictionaryAndLongLevelsAreRefused() throws IOException {
    out.write(0); // a dictionary page offset of 0 would mean none
    byte[] body = bytes(10, 1);
    PageHeader d = new PageHeader(PageType.DICTIONARY_PAGE, body.length, body.length);
    d.setDictionary_page_header(
        new DictionaryPageHeader(1, org.apache.parquet.format.Encoding.PLAIN));
    page(d, body);
    page(d, body);
    StreamedPages twice = pages(1, 1, true);
    assertThatThrownBy(twice::readPage).hasMessageContaining("a second dictionary page");

    out.reset();
    PageHeader v2 = new PageHeader(PageType.DATA_PAGE_V2, body.length, body.length);
    v2.setData_page_header_v2(
        new DataPageHeaderV2(1, 0, 1, org.apache.parquet.format.Encoding.PLAIN, 8, 8));
    page(v2, body);
    StreamedPages levels = pages(0, 1, false);
    assertThatThrownBy(levels::readPage)
        .hasMessageContaining("claims 8 bytes of repetition and 8 of definition levels");
  }

  @Test
  void aFileEndingWhereAHeaderShouldBeIsAnError() throws IOException {
    page(v1(1, bytes(4, 1)), bytes(4, 1));
    StreamedPages pages = pages(0, 2, false);
    assertThat(pages.readPage().getValueCount()).isEqualTo(1);
    assertThatThrownBy(pages::readPage).hasMessageContaining("the file ends at byte");
  }
}
