package dev.mesh.cli.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligned columns as Go's {@code text/tabwriter} lays them out with a minimum width of 0 and a space pad
 * character, the way istioctl prints its tables: every column but the last is as wide as its widest cell plus
 * {@code padding}; the last cell of a row is printed as is. Trailing blanks are not printed.
 */
public final class TabWriter {

    private final int padding;
    private final List<List<String>> rows = new ArrayList<>();

    public TabWriter(int padding) {
        this.padding = padding;
    }

    public TabWriter row(Object... cells) {
        List<String> row = new ArrayList<>(cells.length);
        for (Object cell : cells) {
            row.add(cell == null ? "" : cell.toString());
        }
        rows.add(row);
        return this;
    }

    /** The table, one line per row, each ending with a newline. */
    public String render() {
        StringBuilder out = new StringBuilder();
        // Go's tabwriter aligns a column over a block of consecutive rows that all have a cell in it; the rows
        // of our tables have the same number of cells, except where a caller wants a block break.
        int start = 0;
        while (start < rows.size()) {
            int cells = rows.get(start).size();
            int end = start;
            while (end < rows.size() && rows.get(end).size() == cells) {
                end++;
            }
            int[] widths = new int[cells];
            for (int r = start; r < end; r++) {
                List<String> row = rows.get(r);
                for (int c = 0; c < cells - 1; c++) {
                    widths[c] = Math.max(widths[c], row.get(c).codePointCount(0, row.get(c).length()) + padding);
                }
            }
            for (int r = start; r < end; r++) {
                List<String> row = rows.get(r);
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < cells; c++) {
                    String cell = row.get(c);
                    line.append(cell);
                    if (c < cells - 1) {
                        line.append(" ".repeat(widths[c] - cell.codePointCount(0, cell.length())));
                    }
                }
                out.append(line.toString().stripTrailing()).append('\n');
            }
            start = end;
        }
        return out.toString();
    }
}
