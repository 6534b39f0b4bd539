package dev.softmetrics.demo.europarl;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One row of the log-prob layout with all its optional columns, as the demo writes it (floats, as
 * an inference engine's float32 output would be).
 *
 * @param sequenceId the sequence id
 * @param model the model label
 * @param tokenizer the tokenizer label
 * @param domain the domain label (null only in a deliberately broken row)
 * @param text the scored text, or null when its bytes are not valid UTF-8
 * @param numBytes the scored tokens' UTF-8 byte count
 * @param tokenLogprobs ln q of each scored token
 * @param tokenEntropies the entropy of q at each scored token
 * @param refLogprobs the reference model's ln p of each scored token, or null without one
 * @param topLogprobs q's largest log-probs at each scored token, descending
 * @param vocabSize V
 */
public record LogprobSequence(
    String sequenceId,
    String model,
    String tokenizer,
    String domain,
    String text,
    long numBytes,
    float[] tokenLogprobs,
    float[] tokenEntropies,
    float[] refLogprobs,
    float[][] topLogprobs,
    int vocabSize) {

  /** The layout's columns, in this record's order. */
  public static final StructType SCHEMA =
      new StructType()
          .add("sequence_id", DataTypes.StringType, false)
          .add("model", DataTypes.StringType, false)
          .add("tokenizer", DataTypes.StringType, false)
          .add("domain", DataTypes.StringType, true)
          .add("text", DataTypes.StringType, true)
          .add("num_bytes", DataTypes.LongType, false)
          .add("token_logprobs", floats(), false)
          .add("token_entropies", floats(), false)
          .add("ref_logprobs", floats(), true)
          .add("top_logprobs", DataTypes.createArrayType(floats(), false), false)
          .add("vocab_size", DataTypes.IntegerType, false);

  /** This sequence as a row of {@link #SCHEMA}. */
  public Row row() {
    return RowFactory.create(
        sequenceId,
        model,
        tokenizer,
        domain,
        text,
        numBytes,
        tokenLogprobs,
        tokenEntropies,
        refLogprobs,
        topLogprobs,
        vocabSize);
  }

  private static ArrayType floats() {
    return DataTypes.createArrayType(DataTypes.FloatType, false);
  }
}
