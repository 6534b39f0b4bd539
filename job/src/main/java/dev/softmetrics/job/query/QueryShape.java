package dev.softmetrics.job.query;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.catalyst.analysis.PlanWithUnresolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.UnresolvedInlineTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.UnresolvedSubqueryColumnAliases;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTVFAliases;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableValuedFunction;
import org.apache.spark.sql.catalyst.expressions.PipeOperator;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.Deduplicate;
import org.apache.spark.sql.catalyst.plans.logical.Distinct;
import org.apache.spark.sql.catalyst.plans.logical.Except;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.Generate;
import org.apache.spark.sql.catalyst.plans.logical.GlobalLimit;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoDir;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoStatement;
import org.apache.spark.sql.catalyst.plans.logical.Intersect;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.LateralJoin;
import org.apache.spark.sql.catalyst.plans.logical.LimitAll;
import org.apache.spark.sql.catalyst.plans.logical.LocalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Offset;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;
import org.apache.spark.sql.catalyst.plans.logical.Pivot;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.RepartitionByExpression;
import org.apache.spark.sql.catalyst.plans.logical.Sample;
import org.apache.spark.sql.catalyst.plans.logical.Sort;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.plans.logical.Tail;
import org.apache.spark.sql.catalyst.plans.logical.Union;
import org.apache.spark.sql.catalyst.plans.logical.Unpivot;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedHint;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.catalyst.plans.logical.WithWindowDefinition;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What a parsed statement may be made of before Spark analyses it: the operators of a query and
 * relations named by one word (a view or a CTE). Anything else (a command, an insert, a script,
 * {@code EXECUTE IMMEDIATE}, an operator this list does not know, a qualified name such as {@code
 * parquet.`/path`}) is refused here, because analysing it may already read files.
 */
final class QueryShape {
  private QueryShape() {}

  private static final Set<Class<?>> QUERY_OPERATORS =
      Set.of(
          Aggregate.class,
          Deduplicate.class,
          Distinct.class,
          Except.class,
          Filter.class,
          Generate.class,
          GlobalLimit.class,
          Intersect.class,
          Join.class,
          LateralJoin.class,
          LimitAll.class,
          LocalLimit.class,
          LocalRelation.class,
          Offset.class,
          OneRowRelation.class,
          PipeOperator.class,
          Pivot.class,
          PlanWithUnresolvedIdentifier.class,
          Project.class,
          RepartitionByExpression.class,
          Sample.class,
          Sort.class,
          SubqueryAlias.class,
          Tail.class,
          Union.class,
          UnresolvedHint.class,
          UnresolvedInlineTable.class,
          UnresolvedSubqueryColumnAliases.class,
          UnresolvedTVFAliases.class,
          UnresolvedTableValuedFunction.class,
          UnresolvedWith.class,
          Unpivot.class,
          WithWindowDefinition.class);

  /** What {@code parsed} does that a read-only query may not, or empty when it is one. */
  static Optional<String> refusal(LogicalPlan parsed) {
    for (LogicalPlan node : PlanNodes.all(parsed)) {
      Optional<String> refusal = refusalOf(node);
      if (refusal.isPresent()) {
        return refusal;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> refusalOf(LogicalPlan node) {
    if (node instanceof InsertIntoStatement insert) {
      return Optional.of("writes to " + tableName(insert.table()));
    }
    if (node instanceof InsertIntoDir insert) {
      return Optional.of(
          "writes to "
              + insert.storage().locationUri().map(u -> u.toString()).getOrElse(() -> "a folder"));
    }
    if (node instanceof UnresolvedRelation relation) {
      List<String> name = CollectionConverters.asJava(relation.multipartIdentifier());
      return name.size() == 1 ? Optional.empty() : Optional.of("reads " + relationName(name));
    }
    if (QUERY_OPERATORS.contains(node.getClass())) {
      return Optional.empty();
    }
    return Optional.of("is " + node.nodeName() + ", not a query");
  }

  private static String tableName(LogicalPlan table) {
    return table instanceof UnresolvedRelation r
        ? relationName(CollectionConverters.asJava(r.multipartIdentifier()))
        : table.nodeName();
  }

  /** A path for {@code format.`path`}, the dotted name otherwise. */
  static String relationName(List<String> name) {
    String last = name.get(name.size() - 1);
    return last.contains("/") || last.contains(":") ? last : String.join(".", name);
  }
}
