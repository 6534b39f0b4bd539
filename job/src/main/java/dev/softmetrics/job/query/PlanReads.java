package dev.softmetrics.job.query;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.expressions.CallMethodViaReflection;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.FromAvro;
import org.apache.spark.sql.catalyst.expressions.FromProtobuf;
import org.apache.spark.sql.catalyst.expressions.SchemaOfAvro;
import org.apache.spark.sql.catalyst.expressions.SchemaOfXml;
import org.apache.spark.sql.catalyst.expressions.ToAvro;
import org.apache.spark.sql.catalyst.expressions.ToProtobuf;
import org.apache.spark.sql.catalyst.expressions.TryReflect;
import org.apache.spark.sql.catalyst.expressions.UserDefinedExpression;
import org.apache.spark.sql.catalyst.expressions.XmlToStructs;
import org.apache.spark.sql.catalyst.plans.logical.CTERelationRef;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;
import org.apache.spark.sql.catalyst.plans.logical.Range;
import org.apache.spark.sql.catalyst.plans.logical.UnionLoopRef;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What an analysed query reads and calls: every leaf must be one of the output's tables (a file
 * relation under a view's folder), literal rows, {@code range} or a CTE reference; no expression
 * may run Java code ({@code reflect}, {@code java_method}, {@code try_reflect}, user-defined
 * functions), load Avro or Protobuf schemas, or read an XML schema file. This is the check of what
 * runs: views and {@code IDENTIFIER(...)} are resolved here.
 */
final class PlanReads {
  private PlanReads() {}

  private static final Set<Class<?>> HARMLESS_LEAVES =
      Set.of(
          LocalRelation.class,
          OneRowRelation.class,
          Range.class,
          CTERelationRef.class,
          UnionLoopRef.class);

  private static final Set<Class<?>> FOREIGN_CODE =
      Set.of(
          CallMethodViaReflection.class,
          TryReflect.class,
          FromAvro.class,
          ToAvro.class,
          SchemaOfAvro.class,
          FromProtobuf.class,
          ToProtobuf.class);

  /** The XML option that makes {@code from_xml} and {@code schema_of_xml} read a file. */
  private static final String XSD_OPTION = "rowvalidationxsdpath";

  /** What {@code analysed} does beyond reading {@code views}, or empty when nothing. */
  static Optional<String> refusal(LogicalPlan analysed, OutputViews views) {
    for (LogicalPlan node : PlanNodes.all(analysed)) {
      Optional<String> refusal = nodeRefusal(node, views);
      for (Expression e : PlanNodes.expressions(node)) {
        refusal = refusal.or(() -> expressionRefusal(e));
      }
      if (refusal.isPresent()) {
        return refusal;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> nodeRefusal(LogicalPlan node, OutputViews views) {
    if (node instanceof Command) {
      return Optional.of("is " + node.nodeName() + ", not a query");
    }
    if (node instanceof LogicalRelation relation) {
      return relation.relation() instanceof HadoopFsRelation files
          ? outside(CollectionConverters.asJava(files.location().rootPaths()), views)
          : Optional.of("reads " + relation.relation());
    }
    if (node.children().isEmpty() && !HARMLESS_LEAVES.contains(node.getClass())) {
      return Optional.of("reads " + node.nodeName());
    }
    return Optional.empty();
  }

  private static Optional<String> outside(List<Path> roots, OutputViews views) {
    return roots.stream().filter(p -> !views.holds(p)).findFirst().map(p -> "reads " + p);
  }

  private static Optional<String> expressionRefusal(Expression e) {
    if (FOREIGN_CODE.contains(e.getClass()) || e instanceof UserDefinedExpression) {
      return Optional.of("calls " + e.prettyName());
    }
    scala.collection.immutable.Map<String, String> options =
        e instanceof XmlToStructs xml
            ? xml.options()
            : e instanceof SchemaOfXml xml ? xml.options() : null;
    if (options != null) {
      for (var option : CollectionConverters.asJava(options).entrySet()) {
        if (option.getKey().toLowerCase(Locale.ROOT).equals(XSD_OPTION)) {
          return Optional.of("reads " + option.getValue());
        }
      }
    }
    return Optional.empty();
  }
}
