package dev.softmetrics.demo.europarl;

/**
 * A document of the demo corpus: one Europarl line's body.
 *
 * @param id the sequence id, {@code europarl-NNNNN} after the line's number
 * @param language the detected language, the demo's domain
 * @param text the body, without leading or trailing white space
 */
public record EuroparlDocument(String id, String language, String text) {}
