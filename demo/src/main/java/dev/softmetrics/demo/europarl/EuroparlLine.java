package dev.softmetrics.demo.europarl;

/**
 * One line of the Europarl sample: a debate's title, its date and a stretch of its proceedings.
 *
 * @param number the line's number in the file, from 1
 * @param title the debate's title
 * @param date the sitting's date, {@code yyyy-mm-dd}
 * @param body the text (the demo's documents), as the file has it
 */
public record EuroparlLine(int number, String title, String date, String body) {}
