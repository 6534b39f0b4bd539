package dev.softmetrics.job.report;

import java.util.List;
import java.util.function.IntPredicate;

/**
 * A plain-text table for a terminal: columns padded to their widest cell (counted in code points,
 * so accented labels line up), a rule of dashes under the header, text columns aligned left and
 * figures right, no trailing blanks.
 */
final class TextTable {
  private TextTable() {}

  /**
   * The table's lines, each ending in a newline.
   *
   * @param rows the header first, then the body; every row has the header's number of cells
   * @param leftAligned which columns are aligned left (the others right)
   */
  static String render(List<String[]> rows, IntPredicate leftAligned) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], length(row[i]));
      }
    }
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      String[] row = rows.get(r);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        String pad = " ".repeat(width[i] - length(row[i]));
        line.append(leftAligned.test(i) ? row[i] + pad : pad + row[i]);
        line.append(i + 1 < row.length ? "  " : "");
      }
      out.append(line.toString().stripTrailing()).append('\n');
      if (r == 0) {
        for (int i = 0; i < width.length; i++) {
          out.append("-".repeat(width[i])).append(i + 1 < width.length ? "  " : "");
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  private static int length(String cell) {
    return cell.codePointCount(0, cell.length());
  }
}
