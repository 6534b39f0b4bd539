package dev.softmetrics.job.query;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.PlanExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Every node of a logical plan, including those a plain tree walk skips: CTE definitions (inner
 * children of a {@code WITH}) and the plans of subquery expressions ({@code EXISTS}, {@code IN},
 * scalar and lateral subqueries), at any depth.
 */
final class PlanNodes {
  private PlanNodes() {}

  /** The nodes of {@code root} and of every plan nested in it, each once, parents first. */
  static List<LogicalPlan> all(LogicalPlan root) {
    Set<LogicalPlan> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<LogicalPlan> nodes = new ArrayList<>();
    Deque<LogicalPlan> pending = new ArrayDeque<>(List.of(root));
    while (!pending.isEmpty()) {
      LogicalPlan node = pending.pop();
      if (!seen.add(node)) {
        continue;
      }
      nodes.add(node);
      List<LogicalPlan> nested = new ArrayList<>(CollectionConverters.asJava(node.children()));
      for (Object inner : CollectionConverters.asJava(node.innerChildren())) {
        if (inner instanceof LogicalPlan plan) {
          nested.add(plan);
        }
      }
      for (Expression e : expressions(node)) {
        if (e instanceof PlanExpression<?> subquery
            && subquery.plan() instanceof LogicalPlan plan) {
          nested.add(plan);
        }
      }
      Collections.reverse(nested);
      nested.forEach(pending::push);
    }
    return nodes;
  }

  /** Every expression of {@code node}, its sub-expressions included (not those of subqueries). */
  static List<Expression> expressions(LogicalPlan node) {
    List<Expression> all = new ArrayList<>();
    Deque<Expression> pending = new ArrayDeque<>(CollectionConverters.asJava(node.expressions()));
    while (!pending.isEmpty()) {
      Expression e = pending.pop();
      all.add(e);
      CollectionConverters.asJava(e.children()).forEach(pending::push);
    }
    return all;
  }
}
